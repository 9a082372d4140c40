"""Reads behind the knowledge pages' panels: a product's and a competitor's deal record."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    Count,
    Q,
    QuerySet,
)

from portal.records.deals.models import Deal

if TYPE_CHECKING:
    pass
from .figures import WON
from .money import win_rate


@dataclass
class ProductRecord:
    open_deals: int
    recent_closed: int
    recent_won: int


def product_record(deals: QuerySet[Deal], product) -> ProductRecord:
    """How many visible open deals name the product (of interest, or on an order line), and
    how many of the last ten closed (won or lost) deals naming it were won. Two queries."""
    naming = deals.filter(
        pk__in=Deal.objects.filter(Q(products=product) | Q(order_lines__product=product)).values(
            "pk"
        )
    )
    open_deals = naming.filter(state=Deal.State.TRACKING).count()
    last = list(
        naming.filter(state__in=[*WON, Deal.State.LOST], closed_on__isnull=False)
        .order_by("-closed_on", "-pk")
        .values_list("state", flat=True)[:10]
    )
    return ProductRecord(open_deals, len(last), sum(1 for state in last if state in WON))


@dataclass
class CompetitorSummary:
    won: int
    lost: int
    open_deals: int

    @property
    def win_rate(self) -> Decimal | None:
        return win_rate(self.won, self.lost)


def competitor_summary(deals: QuerySet[Deal], competitor) -> CompetitorSummary:
    """Our record against one competitor on the deals the reader may see (one query); the
    deals themselves are listed by the deals panel next to it."""
    against = deals.filter(competitors__competitor=competitor)
    counts = against.aggregate(
        won=Count("pk", filter=Q(state__in=WON), distinct=True),
        lost=Count("pk", filter=Q(state=Deal.State.LOST), distinct=True),
        open=Count("pk", filter=Q(state=Deal.State.TRACKING), distinct=True),
    )
    return CompetitorSummary(counts["won"], counts["lost"], counts["open"])
