"""The follow button on other apps' record pages, through the related-panels registry
(`portal.core.related`): customers, deals, products and competitors show a "Notifications"
panel where the reader sets their level, without those apps' templates naming this app."""

from __future__ import annotations

from django.http import HttpRequest

from portal.core.dashboard import Panel

from .templatetags.notifications import follow_context

FOLLOWABLE = (
    "records.customer",
    "records.deal",
    "knowledge.productpage",
    "knowledge.competitorpage",
)


def follow_panel(request: HttpRequest, obj) -> Panel | None:
    """The page showing `obj` has already checked the reader may open it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return Panel(
        "notifications/includes/follow_panel.html",
        follow_context(user, obj, request.get_full_path()),
        order=1,
    )


def connect() -> None:
    from portal.core.related import register_related

    register_related(*FOLLOWABLE)(follow_panel)
