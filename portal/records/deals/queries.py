"""Deal reads: list filters and keyset pages, open urges, contact frequency, competitor records."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from portal.core import pagination
from portal.core.bounds import parse_id
from portal.records.customers.models import Customer
from portal.records.deals.models import Activity, ContactFrequency, Deal, DealCompetitor, DealUrge
from portal.records.deals.policy import deals_visible_to

if TYPE_CHECKING:
    from portal.accounts.models import User

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
CLOSING_SOON_DAYS = 30
# What a deal number looks like while it is typed: D2026110005, or its first digits.
NUMBER_LIKE = re.compile(r"^[Dd]\d{4,}$")
# sort key → (column, descending)
SORTS: dict[str, tuple[str, bool]] = {
    "-updated": ("updated_at", True),
    "updated": ("updated_at", False),
    "number": ("number", False),
    "-number": ("number", True),
    "closing": ("expected_close_date", False),
}
FILTERS = ("view", "state", "stage", "owner", "customer", "closing", "q", "sort")


@dataclass
class DealFilters:
    view: str = "all"  # all | mine (owned or co-owned)
    state: str = ""  # a Deal.State, or "open" (tracking + won)
    stage: str = ""
    owner: str = ""
    customer: str = ""
    closing: str = ""  # "1": tracking deals expected to close within CLOSING_SOON_DAYS
    q: str = ""
    sort: str = "-updated"

    @classmethod
    def from_query(cls, query: QueryDict) -> DealFilters:
        values = {name: query.get(name, "").strip()[:100] for name in FILTERS}
        filters = cls(**{k: v for k, v in values.items() if v})
        if filters.sort not in SORTS:
            filters.sort = "-updated"
        if filters.view not in ("all", "mine"):
            filters.view = "all"
        if filters.state not in {*Deal.State.values, "open", ""}:
            filters.state = ""
        return filters

    def as_query(self, **overrides: str) -> str:
        defaults = {"view": "all", "sort": "-updated"}
        return pagination.filters_query(self, FILTERS, defaults, **overrides)

    @property
    def active(self) -> bool:
        return any([self.state, self.stage, self.owner, self.customer, self.closing, self.q]) or (
            self.view != "all"
        )


def worked_on_by(user: User, field: str = "deal", **deal_filters: Any) -> Q:
    """Deals `user` works on — owns or co-owns: the "mine" view's rule — that match
    `deal_filters`, as one condition: on deals themselves (`field=""`) or on rows hanging off
    deals (`field` their foreign key; My tasks reads contracts ending and plan rows falling due
    from their own side). Asks first whether the user co-owns any deal: in the usual case the
    condition is `owner = user`, which the (owner, …) indexes answer in order, where the OR
    with co-owned deals makes the database sort (or walk) every deal the rep owns; co-owned
    deals come as a subquery, not a join, so a page needs no DISTINCT. No access in it: the
    deal policy is asked apart."""
    prefix = f"{field}__" if field else ""
    on_deal = {f"{prefix}{name}": value for name, value in deal_filters.items()}
    owned = Q(**{f"{prefix}owner": user}, **on_deal)
    co_owned = Deal.co_owners.through.objects.filter(user_id=user.pk)
    if not co_owned.exists():
        return owned
    return owned | Q(**{f"{field or 'pk'}__in": co_owned.values("deal_id")}, **on_deal)


def filter_deals(queryset: QuerySet[Deal], filters: DealFilters, user: User) -> QuerySet[Deal]:
    if filters.view == "mine":
        queryset = queryset.filter(worked_on_by(user, field=""))
    if filters.state == "open":
        queryset = queryset.filter(state__in=[Deal.State.TRACKING, Deal.State.WON])
    elif filters.state:
        queryset = queryset.filter(state=filters.state)
    if (stage := parse_id(filters.stage)) is not None:
        # A stage is a step of tracking: closed deals keep their last stage but left it.
        queryset = queryset.filter(stage_id=stage, state=Deal.State.TRACKING)
    if (owner := parse_id(filters.owner)) is not None:
        queryset = queryset.filter(owner_id=owner)
    if (customer := parse_id(filters.customer)) is not None:
        queryset = queryset.filter(customer_id=customer)
    if filters.closing:
        today = timezone.localdate()
        queryset = queryset.filter(
            state=Deal.State.TRACKING,
            expected_close_date__lte=today + datetime.timedelta(days=CLOSING_SOON_DAYS),
        )
    if filters.sort == "closing":
        queryset = queryset.filter(expected_close_date__isnull=False)
    if filters.q:
        q = filters.q.strip()
        if NUMBER_LIKE.match(q):
            # A number (or its start) is looked up as a range on the unique index, which
            # LIKE cannot use on SQLite; names are not searched for it.
            prefix = q.upper()
            queryset = queryset.filter(number__gte=prefix, number__lt=prefix + "\U0010ffff")
        else:
            queryset = queryset.filter(name__icontains=q)
    return queryset


def visible_filtered_deals(user: User, filters: DealFilters) -> QuerySet[Deal]:
    return filter_deals(deals_visible_to(user), filters, user)


DealPage = pagination.KeysetPage
#: One page of deals in a sort order, after/before a cursor (no OFFSET, no COUNT).
deal_page = pagination.SortedList(SORTS, "-updated", PAGE_SIZE, MAX_PAGE_SIZE).page


def with_renewal_links(queryset: QuerySet[Deal], user: User) -> QuerySet[Deal]:
    """Annotate each deal with the deal it renews (`renews_visible`) and the deal renewing it
    (`renewed_by_visible`), each an id only when the deal policy lets `user` see that deal,
    else None: two correlated subqueries, no query per row (decision 1003)."""
    from django.db.models import OuterRef, Subquery

    visible = deals_visible_to(user)
    return queryset.annotate(
        renews_visible=Subquery(visible.filter(pk=OuterRef("renews_id")).values("pk")[:1]),
        renewed_by_visible=Subquery(
            visible.filter(renews_id=OuterRef("pk")).order_by("pk").values("pk")[:1]
        ),
    )


def renewal_links(deal: Deal, user: User) -> tuple[Deal | None, Deal | None]:
    """The deal `deal` renews and the one renewing it, each only if `user` may see it."""
    linked = Q(renews_id=deal.pk)
    if deal.renews_id:
        linked |= Q(pk=deal.renews_id)
    rows = deals_visible_to(user).filter(linked).only("pk", "number", "name", "renews_id")
    renews = renewed_by = None
    for row in rows.order_by("pk")[:2]:  # one query for both (at most one renewal per deal)
        if row.pk == deal.renews_id:
            renews = row
        elif renewed_by is None:
            renewed_by = row
    return renews, renewed_by


def open_urges_visible_to(user: User) -> QuerySet[DealUrge]:
    """Unanswered urges on deals the user may see, oldest answer date first (the report)."""
    return (
        DealUrge.objects.filter(
            answered_at__isnull=True, deal__in=deals_visible_to(user).values("pk")
        )
        .select_related("deal", "deal__customer", "urged_by", "urged_user")
        .order_by("due_on", "pk")
    )


# --- contact frequency --------------------------------------------------------------------


def contact_days_by_level() -> dict[str, int]:
    from portal.records.deals.actions import DEFAULT_CONTACT_DAYS

    days = dict(DEFAULT_CONTACT_DAYS)
    days.update(dict(ContactFrequency.objects.values_list("level", "max_days")))
    return days


def last_contacts(customer_ids: list[int]) -> dict[int, datetime.datetime]:
    """When each customer was last contacted (latest done activity)."""
    rows = (
        Activity.objects.filter(customer_id__in=customer_ids, status=Activity.Status.DONE)
        .values("customer_id")
        .annotate(last=Max("due_at"))
    )
    return {row["customer_id"]: row["last"] for row in rows}


@dataclass
class ContactDue:
    last_contact: datetime.datetime | None
    due_on: datetime.date
    max_days: int

    @property
    def is_overdue(self) -> bool:
        return self.due_on < timezone.localdate()


def next_contact_due(customer: Customer) -> ContactDue:
    """The next contact is due `max_days` (by the customer's level) after the last one; a
    customer never contacted is due today."""
    max_days = contact_days_by_level().get(customer.level, 30)
    last = last_contacts([customer.pk]).get(customer.pk)
    if last is None:
        return ContactDue(None, timezone.localdate(), max_days)
    due_on = timezone.localdate(last) + datetime.timedelta(days=max_days)
    return ContactDue(last, due_on, max_days)


# --- competitors --------------------------------------------------------------------------


def competitor_results(deals: QuerySet[Deal] | None = None) -> list[dict[str, Any]]:
    """Won/lost/open counts per competitor over `deals` (all deals when None).

    A competitor is its knowledge page when linked, else its name. Returns rows
    {"competitor_id", "name", "won", "lost", "abandoned", "open", "total"} by total desc.
    """
    entries = DealCompetitor.objects.all()
    if deals is not None:
        entries = entries.filter(deal__in=deals.values("pk"))
    rows = entries.values("competitor_id", "name").annotate(
        won=Count("deal", filter=Q(deal__state__in=Deal.WON_STATES), distinct=True),
        lost=Count("deal", filter=Q(deal__state=Deal.State.LOST), distinct=True),
        abandoned=Count("deal", filter=Q(deal__state=Deal.State.ABANDONED), distinct=True),
        open=Count("deal", filter=Q(deal__state=Deal.State.TRACKING), distinct=True),
    )
    merged: dict[Any, dict[str, Any]] = {}
    for row in rows:
        key = row["competitor_id"] or row["name"].strip().lower()
        item = merged.setdefault(
            key,
            {
                "competitor_id": row["competitor_id"],
                "name": row["name"],
                "won": 0,
                "lost": 0,
                "abandoned": 0,
                "open": 0,
            },
        )
        for name in ("won", "lost", "abandoned", "open"):
            item[name] += row[name]
    result = list(merged.values())
    for item in result:
        item["total"] = item["won"] + item["lost"] + item["abandoned"] + item["open"]
    return sorted(result, key=lambda item: (-item["total"], item["name"]))
