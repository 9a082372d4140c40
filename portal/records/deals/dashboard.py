"""Deal figures on other pages: the dashboard panels (a rep's agenda and deals, a manager's
team pipeline and urges) and the record panel on product and competitor pages.

Importing this module registers them (one import line in RecordsConfig.ready)."""

from __future__ import annotations

from django.http import HttpRequest

from portal.accounts.permissions import has_module_perm
from portal.core import visibility
from portal.core.dashboard import Panel, register_panel
from portal.core.related import register_related
from portal.records.deals import statistics


@register_panel
def rep_agenda_panel(request: HttpRequest) -> Panel | None:
    """Today's and overdue activities, reminders, open urges and deals closing soon."""
    user = request.user
    if not has_module_perm(user, "deals", "view"):
        return None
    agenda = statistics.rep_agenda(user)
    if agenda.is_empty and (
        visibility.is_administrator(user)
        or any(key.startswith("m:") for key in visibility.user_keys(user))
    ):
        return None  # a manager with no deals of their own sees the team panel instead
    return Panel("records/includes/stats_dashboard_rep.html", {"agenda": agenda}, order=5)


@register_panel
def team_pipeline_panel(request: HttpRequest) -> Panel | None:
    """For managers (and administrators): the team's open pipeline by stage and open urges."""
    user = request.user
    if not has_module_perm(user, "deals", "view"):
        return None
    if visibility.is_administrator(user):
        departments: list[int] = []
    else:
        departments = statistics.managed_department_ids(user)
        if not departments:
            return None
    overview = statistics.team_overview(user, departments)
    return Panel("records/includes/stats_dashboard_team.html", {"team": overview}, order=8)


@register_related("knowledge.productpage", "knowledge.competitorpage")
def knowledge_record_panel(request: HttpRequest, page) -> Panel | None:
    """A product: in how many open deals it appears, and how many of the last ten closed
    deals naming it were won. A competitor: our won/lost record against them. Both counted
    on the deals the reader may see (decision 0203)."""
    from portal.knowledge.models import CompetitorPage

    user = request.user
    if not has_module_perm(user, "deals", "view"):
        return None
    deals = statistics.visible_deals(user)
    if isinstance(page.specific, CompetitorPage):
        context = {"competitor": statistics.competitor_summary(deals, page)}
    else:
        context = {"product": statistics.product_record(deals, page)}
    return Panel("records/includes/stats_knowledge_record.html", context, order=25)
