"""Knowledge reactions to its own events: a page past its review date tells its owner."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Page

from portal.accounts.models import User
from portal.core.events import Event


def notify_review_overdue(event: Event) -> None:
    from portal.notifications.actions import notify
    from portal.notifications.models import Kind

    owner = User.objects.filter(pk=event.get("owner_id"), is_active=True).first()
    page = Page.objects.filter(pk=event["page_id"]).specific().first()
    if owner is None or page is None:
        return
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        title = _("Review due: %(title)s") % {"title": page.title}
        body = _("This page passed its review-by date (%(date)s). Check it is still right.") % {
            "date": page.review_by.isoformat() if page.review_by else ""
        }
    notify(
        [owner.pk],
        Kind.KNOWLEDGE,
        title,
        body,
        page.url or "",
        dedupe_key=f"knowledge.review_overdue:{page.pk}:{page.review_by}",
        item=page,
    )
