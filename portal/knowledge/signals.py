"""Relays of Wagtail's page signals into Agora's events — the app's only signal receivers."""

from __future__ import annotations

from wagtail.log_actions import get_active_log_context
from wagtail.models import PageLogEntry
from wagtail.signals import page_published, page_unpublished

from . import actions


def _actor_id(revision=None) -> int | None:
    # Wagtail's admin runs its actions inside a LogContext carrying the signed-in user (the
    # publisher, who may differ from the revision's author when a reviewer approves).
    context = get_active_log_context()
    user = getattr(context, "user", None) if context else None
    if user is not None and getattr(user, "pk", None):
        return user.pk
    return getattr(revision, "user_id", None)


def _is_ours(sender) -> bool:
    return sender._meta.app_label == "knowledge"


def on_page_published(sender, instance, revision=None, **kwargs) -> None:
    if not _is_ours(sender):
        return
    # Wagtail logs "wagtail.publish" after sending the signal, so no earlier entry means this
    # is the page's first publication (timestamps cannot tell: a revision carries its own).
    first_publish = not PageLogEntry.objects.filter(
        page_id=instance.pk, action="wagtail.publish"
    ).exists()
    actions.relay_page_published(
        instance, actor_id=_actor_id(revision), first_publish=first_publish
    )


def on_page_unpublished(sender, instance, **kwargs) -> None:
    if not _is_ours(sender):
        return
    actions.relay_page_unpublished(instance, actor_id=_actor_id())


def connect() -> None:
    page_published.connect(on_page_published, dispatch_uid="knowledge.page_published")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="knowledge.page_unpublished")
