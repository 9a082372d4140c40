"""Who hears about the knowledge base, and in which words (ADR 0611): published and updated
pages, pages past their review date, and the pages a new hire's onboarding path follows."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import Page

from portal.core import events
from portal.notifications import actions as notification_actions
from portal.notifications.notices import Kind, deliver, excerpt, message, person_name, someone
from portal.search.registry import document_for

from .models import OnboardingStep
from .permissions import editor_ids

# --- words --------------------------------------------------------------------------------


@message("knowledge.page_new")
def _page_new(p) -> tuple[str, str]:
    return _("New in knowledge: %(title)s") % {"title": p["title"]}, p["excerpt"]


@message("knowledge.page_updated")
def _page_updated(p) -> tuple[str, str]:
    return _("Updated in knowledge: %(title)s") % {"title": p["title"]}, p["excerpt"]


@message("knowledge.review_due")
def _review_due(p) -> tuple[str, str]:
    return (
        _("Review due: %(title)s") % {"title": p["title"]},
        _("This page passed its review-by date (%(date)s). Check it is still right.")
        % {"date": p["date"]},
    )


@message("knowledge.qa_draft_proposed")
def _qa_draft_proposed(p) -> tuple[str, str]:
    return (
        _("%(name)s proposed a Q&A entry: %(title)s")
        % {"name": someone(p["name"]), "title": p["title"]},
        _("Review the draft in the CMS and publish it."),
    )


# --- who ----------------------------------------------------------------------------------


@events.subscribe("knowledge.qa_draft_created")
def qa_draft_created(event: events.Event) -> None:
    """A Q&A draft was proposed (from a forum topic or a service case): the knowledge editors
    review it in the CMS."""
    page = Page.objects.filter(pk=event["page_id"]).first()
    if page is None:
        return
    deliver(
        kind=Kind.KNOWLEDGE,
        message="knowledge.qa_draft_proposed",
        params={"name": person_name(event["actor_id"]), "title": page.title},
        url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
        dedupe_key=f"knowledge.qa_draft:{page.pk}",
        actor_id=event["actor_id"],
        recipients=editor_ids(),
    )


@events.subscribe("knowledge.page_published")
def page_published(event: events.Event) -> None:
    """Followers of the page, its section and its tags; a first publication also reaches
    keyword interests its text matches."""
    page = Page.objects.filter(pk=event["page_id"], live=True).specific().first()
    if page is None:
        return
    first = event["first_publish"]
    targets = [
        ("wagtailcore.page", str(pk))
        for pk in page.get_ancestors(inclusive=True)
        .filter(depth__gt=1)
        .values_list("pk", flat=True)
    ]
    tags = getattr(page, "tags", None)  # not every page type is tagged
    if tags is not None:
        targets += [("tag", name.lower()) for name in tags.names()]
    summary = getattr(page, "search_description", "") or getattr(page, "summary", "") or ""
    document = document_for(page) if first else None
    deliver(
        kind=Kind.KNOWLEDGE,
        message="knowledge.page_new" if first else "knowledge.page_updated",
        params={"title": page.title, "excerpt": excerpt(summary)},
        url=page.url or "",
        # an update is news once per revision; a first publication once
        dedupe_key=(
            f"knowledge.page:{page.pk}"
            if first
            else f"knowledge.page:{page.pk}:{page.live_revision_id or ''}"
        ),
        item=page,
        actor_id=event["actor_id"],
        targets=targets,
        first_post=first,
        match_title=page.title if first else "",
        match_text=(document.body if document is not None else summary) if first else "",
    )


@events.subscribe("knowledge.review_overdue")
def review_overdue(event: events.Event) -> None:
    """A page passed its review-by date: tell its owner, once per date."""
    page = Page.objects.filter(pk=event["page_id"]).specific().first()
    owner_id = event["owner_id"]
    if page is None or not owner_id:
        return
    review_by = getattr(page, "review_by", None)
    deliver(
        kind=Kind.KNOWLEDGE,
        message="knowledge.review_due",
        params={"title": page.title, "date": review_by.isoformat() if review_by else ""},
        url=page.url or "",
        dedupe_key=f"knowledge.review_overdue:{page.pk}:{review_by or ''}",
        item=page,
        recipients={owner_id},
    )


@events.subscribe("knowledge.path_assigned")
def follow_onboarding_pages(event: events.Event) -> None:
    """A new hire watches each page of their onboarding path, so a change to what they are
    learning reaches them."""
    user = get_user_model().objects.filter(pk=event["user_id"]).first()
    if user is None:
        return
    page_ids = OnboardingStep.objects.filter(
        path_id=event["path_id"], page__isnull=False
    ).values_list("page_id", flat=True)
    actor = get_user_model().objects.filter(pk=event["actor_id"]).first()
    notification_actions.watch_pages(
        user, list(page_ids), reason={"onboarding_path": event["path_id"]}, acting_user=actor
    )
