"""The contract list across deals (issue 18 item 4, decision 1003): filters shared by the page
and `GET /api/v1/contracts/`, every read through the deal policy's `visible_to`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.bounds import parse_id
from portal.records.deals.models import Contract, Deal
from portal.records.deals.policy import deals_visible_to

if TYPE_CHECKING:
    from portal.accounts.models import User

STATES = {
    "upcoming": _("Not started yet"),
    "active": _("In force"),
    "ending": _("Ending soon"),
    "ended": _("Ended"),
}
WINDOWS = (30, 60, 90, 180, 365)
DEFAULT_WINDOW = 30
MAX_WINDOW = 730
PAGE_SIZE = 25


@dataclass
class ContractFilters:
    state: str = ""
    customer: int | None = None
    owner: int | None = None
    within: int = DEFAULT_WINDOW  # "ending soon": ends within this many days
    q: str = ""

    @classmethod
    def from_query(cls, query) -> ContractFilters:
        state = query.get("state", "")
        within = parse_id(query.get("within", ""), minimum=1)
        return cls(
            state=state if state in STATES else "",
            customer=parse_id(query.get("customer", "")),
            owner=parse_id(query.get("owner", "")),
            within=min(within, MAX_WINDOW) if within else DEFAULT_WINDOW,
            q=query.get("q", "").strip()[:100],
        )

    def as_query(self) -> str:
        from django.http import QueryDict

        data = QueryDict(mutable=True)
        for name in ("state", "customer", "owner", "q"):
            if value := getattr(self, name):
                data[name] = str(value)
        if self.within != DEFAULT_WINDOW:
            data["within"] = str(self.within)
        return data.urlencode()


def contracts_visible_to(user: User) -> QuerySet[Contract]:
    """Contracts of the deals the reader may see (the deal policy decides)."""
    return Contract.objects.filter(deal__in=deals_visible_to(user).values("pk"))


def filter_contracts(
    queryset: QuerySet[Contract], filters: ContractFilters, today: datetime.date | None = None
) -> QuerySet[Contract]:
    today = today or timezone.localdate()
    started = Q(starts_on__isnull=True) | Q(starts_on__lte=today)
    running = Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    if filters.state == "upcoming":
        queryset = queryset.filter(starts_on__gt=today)
    elif filters.state == "active":
        queryset = queryset.filter(started & running)
    elif filters.state == "ending":
        horizon = today + datetime.timedelta(days=filters.within)
        queryset = queryset.filter(ends_on__gte=today, ends_on__lte=horizon)
    elif filters.state == "ended":
        queryset = queryset.filter(ends_on__lt=today)
    if filters.customer is not None:
        queryset = queryset.filter(deal__customer_id=filters.customer)
    if filters.owner is not None:
        queryset = queryset.filter(deal__owner_id=filters.owner)
    if filters.q:
        queryset = queryset.filter(
            Q(number__icontains=filters.q) | Q(deal__customer__name__icontains=filters.q)
        )
    return queryset


def visible_filtered_contracts(user: User, filters: ContractFilters) -> QuerySet[Contract]:
    return (
        filter_contracts(contracts_visible_to(user), filters)
        .select_related("deal", "deal__customer", "deal__owner")
        .annotate(renewed=Exists(Deal.objects.filter(renews=OuterRef("deal_id"))))
        .order_by(F("ends_on").asc(nulls_last=True), "pk")
    )


def state_of(contract: Contract, today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    if contract.starts_on and contract.starts_on > today:
        return "upcoming"
    if contract.ends_on and contract.ends_on < today:
        return "ended"
    if contract.ends_on and (contract.ends_on - today).days <= DEFAULT_WINDOW:
        return "ending"
    return "active"
