"""Dashboard panels: my onboarding path, my team's onboarding, pages overdue for review."""

from __future__ import annotations

from portal.core.dashboard import Panel

from . import queries
from .permissions import can_assign_paths


def onboarding_panel(request) -> Panel | None:
    if not request.user.is_authenticated:
        return None
    rows = queries.my_assignments(request.user)
    if not rows:
        return None
    return Panel("knowledge/includes/panel_onboarding.html", {"rows": rows}, order=20)


def team_onboarding_panel(request) -> Panel | None:
    user = request.user
    if not user.is_authenticated or not can_assign_paths(user):
        return None
    rows = queries.team_assignments(user)[:8]
    if not rows:
        return None
    return Panel("knowledge/includes/panel_team_onboarding.html", {"rows": rows}, order=60)


def overdue_reviews_panel(request) -> Panel | None:
    if not request.user.is_authenticated:
        return None
    pages = queries.overdue_pages_for(request.user)
    if not pages:
        return None
    return Panel("knowledge/includes/panel_overdue_reviews.html", {"pages": pages}, order=70)
