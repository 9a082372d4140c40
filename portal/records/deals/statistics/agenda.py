"""Reads behind the sales dashboards: a rep's agenda and a manager's team overview."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    QuerySet,
)
from django.utils import timezone

from portal.core import visibility
from portal.records.deals.models import Activity, Deal, DealReminder, DealUrge
from portal.records.deals.policy import binned_customers, live_deals

if TYPE_CHECKING:
    from portal.accounts.models import User
from .figures import StageRow, pipeline_by_stage
from .money import ZERO

AGENDA_SIZE = 8


CLOSING_SOON_DAYS = 30


CLOSING_LOOKBACK = datetime.timedelta(days=90)  # overdue closings older than this are stale


REMINDER_LOOKBACK = datetime.timedelta(days=3)


REMINDER_LOOKAHEAD = datetime.timedelta(days=7)


def _on_visible_deals(queryset: QuerySet, user: User) -> QuerySet:
    """Rows hanging off deals, kept where the deal's policy lets the user see the deal (module
    gate, recycle bin, keys; a correlated EXISTS per row, cheap for a short, LIMITed list)."""
    from portal.records.deals.policy import deal_policy

    return deal_policy.filter_related(queryset, user, "deal")


@dataclass
class Agenda:
    """A rep's day: planned activities due today or overdue, reminders, urges, deals closing."""

    activities: list[Activity]
    reminders: list[DealReminder]
    urges: list[DealUrge]
    closing: list[Deal]
    start_of_day: datetime.datetime
    more_activities: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.activities or self.reminders or self.urges or self.closing)


def rep_agenda(user: User, *, now: datetime.datetime | None = None) -> Agenda:
    """Four small, LIMITed queries on the rep's own rows (owner / person-to-remind indexes).

    Own rows need no visibility subquery: an owner always holds their deal's u:<id> key.
    Reminders and urges are tied to deals that may have changed hands, so they are read
    through the deal's current owner or the visibility rule.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + datetime.timedelta(days=1)
    activities = list(
        Activity.objects.filter(owner=user, status=Activity.Status.PLANNED, due_at__lt=end)
        .exclude(customer_id__in=binned_customers())
        .select_related("deal", "customer")
        .order_by("due_at", "pk")[: AGENDA_SIZE + 1]
    )
    reminders = list(
        _on_visible_deals(
            DealReminder.objects.filter(
                people=user,
                due_at__gte=now - REMINDER_LOOKBACK,
                due_at__lt=end + REMINDER_LOOKAHEAD,
            ),
            user,
        )
        .select_related("deal__customer", "deal__contract", "installment")
        .order_by("due_at", "pk")[:AGENDA_SIZE]
    )
    urges = list(
        DealUrge.objects.filter(answered_at__isnull=True, deal__owner=user)
        .exclude(deal__customer_id__in=binned_customers())
        .select_related("deal", "urged_by")
        .order_by("due_on", "pk")[:AGENDA_SIZE]
    )
    closing = list(
        live_deals()
        .filter(
            owner=user,
            state=Deal.State.TRACKING,
            # The lower bound lets the planner walk the (expected_close_date, id) index
            # (1 ms) instead of sorting every open deal of the rep (36 ms at 300k deals).
            expected_close_date__gte=local.date() - CLOSING_LOOKBACK,
            expected_close_date__lte=local.date() + datetime.timedelta(days=CLOSING_SOON_DAYS),
        )
        .select_related("customer", "stage")
        .order_by("expected_close_date", "pk")[:AGENDA_SIZE]
    )
    return Agenda(
        activities=activities[:AGENDA_SIZE],
        reminders=reminders,
        urges=urges,
        closing=closing,
        start_of_day=start,
        more_activities=len(activities) > AGENDA_SIZE,
    )


@dataclass
class TeamOverview:
    stages: list[StageRow]
    urges: list[DealUrge]
    open_urges: int

    @property
    def open_count(self) -> int:
        return sum(stage.count for stage in self.stages)

    @property
    def pipeline(self) -> Decimal:
        return sum((stage.amount for stage in self.stages), ZERO)

    @property
    def weighted(self) -> Decimal:
        return sum((stage.weighted for stage in self.stages), ZERO)


def team_deals(user: User, department_ids: list[int]) -> QuerySet[Deal]:
    """The deals of the teams a manager runs (administrators: every team).

    Deals carry their owner's manager chain key (m:<owner's department>) and `department`
    is that same owner's department, so for a manager "visible" and "in my tree" coincide;
    filtering on the indexed department column alone keeps the dashboard's aggregate cheap
    (the EXISTS visibility probe per open deal cost ~10× more at 300k deals).
    """
    if visibility.is_administrator(user):
        return live_deals(aggregate=True)
    return live_deals(aggregate=True).filter(department_id__in=department_ids)


TEAM_PIPELINE_SECONDS = 60


def team_overview(user: User, department_ids: list[int]) -> TeamOverview:
    """Pipeline by stage and the open urges of the manager's teams.

    The pipeline aggregates every open deal of the teams (~100k rows at benchmark scale,
    ~200 ms on SQLite), so it is cached for a minute per set of teams: a dashboard figure a
    minute old is fine, and the statistics page always computes it afresh. Urges are read
    live from the small partial index of open urges, joined to their deal's team.
    """
    from django.core.cache import cache

    everyone = visibility.is_administrator(user)
    key = "records:team-pipeline:" + (
        "all" if everyone else ",".join(str(pk) for pk in sorted(department_ids))
    )
    stages = cache.get(key)
    if stages is None:
        stages = pipeline_by_stage(team_deals(user, department_ids))
        cache.set(key, stages, TEAM_PIPELINE_SECONDS)
    urges = DealUrge.objects.filter(answered_at__isnull=True).exclude(
        deal__customer_id__in=binned_customers()
    )
    if not everyone:
        urges = urges.filter(deal__department_id__in=department_ids)
    return TeamOverview(
        stages=stages,
        urges=list(
            urges.select_related("deal", "urged_user").order_by("due_on", "pk")[:AGENDA_SIZE]
        ),
        open_urges=urges.count(),
    )
