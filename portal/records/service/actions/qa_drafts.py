"""From a closed case to a Q&A draft in the knowledge base."""

from __future__ import annotations

import html
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core import visibility
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


def check_may_propose_qa(acting_user: User) -> None:
    """Service staff may propose Q&A drafts without Wagtail rights; only editors publish
    (decision 0132). The draft itself is knowledge's `create_qa_draft`."""
    if not may_register(acting_user) and not visibility.is_administrator(acting_user):
        raise PermissionDenied(_("Only service staff propose Q&A drafts."))


def propose_qa_draft(
    *, acting_user: User, question: str, answer: str, source: str, product: Any = None
) -> Any:
    """A Q&A draft from a case or a support question, through knowledge's one action (which
    tells the knowledge editors)."""
    from portal.knowledge.actions import create_qa_draft

    check_may_propose_qa(acting_user)
    return create_qa_draft(
        acting_user=acting_user,
        question=_text(question, "qa_question", required=True, limit=255),
        answer_html=_answer_html(answer),
        source=source,
        summary=_("Proposed from %(source)s") % {"source": source},
        product=product,
    )
