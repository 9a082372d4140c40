"""From a closed case to a Q&A draft in the knowledge base."""

from __future__ import annotations

import html
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core import audit, events, visibility
from portal.records.service.policy import (
    may_register,
)

from .common import _text


def _answer_html(text: str) -> str:
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return (
        "".join("<p>" + html.escape(p).replace("\n", "<br/>") + "</p>" for p in paragraphs)
        or "<p></p>"
    )


def create_qa_draft(
    *, acting_user: User, question: str, answer: str, source: str, product: Any = None
) -> Any:
    """An unpublished Q&A entry (a draft revision) for the knowledge editors to review in the
    CMS. Service staff may propose drafts without Wagtail rights; only editors publish
    (decision 0132)."""
    from wagtail.log_actions import LogContext

    from portal.knowledge.models import QAIndexPage, QAPage

    if not may_register(acting_user) and not visibility.is_administrator(acting_user):
        raise PermissionDenied(_("Only service staff propose Q&A drafts."))
    question = _text(question, "qa_question", required=True, limit=255)
    parent = QAIndexPage.objects.order_by("path").first()
    if parent is None:
        raise ValidationError({"qa_question": _("The knowledge base has no Q&A bank yet.")})
    page = QAPage(
        title=question,
        slug=f"draft-{uuid.uuid4().hex[:10]}",
        answer=_answer_html(answer),
        summary=_("Proposed from %(source)s") % {"source": source},
        product=product,
        live=False,
        owner=acting_user,
    )
    with LogContext(user=acting_user):
        parent.add_child(instance=page)
        page.save_revision(user=acting_user, log_action=True)
    audit.record(acting_user, "service.qa_draft_created", page, message=source)
    events.publish(
        "records.service_qa_draft_created",
        page_id=page.pk,
        source=source,
        actor_id=acting_user.pk,
    )
    return page
