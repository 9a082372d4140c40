"""Reads of the public pool (ADR 1002): its filters and keyset pages, newest arrivals first,
always through the customer policy's `pool_visible_to`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import QueryDict

from portal.core import pagination
from portal.records.customers.models import Customer
from portal.records.customers.policy import pool_customers_visible_to
from portal.records.customers.queries import name_contains

if TYPE_CHECKING:
    from portal.accounts.models import User

PAGE_SIZE = 25
FILTERS = ("q", "category", "region", "industry")


@dataclass
class PoolFilters:
    q: str = ""
    category: str = ""
    region: str = ""
    industry: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> PoolFilters:
        values = {name: str(query.get(name, "")).strip()[:100] for name in FILTERS}
        filters = cls(**values)
        if filters.region not in Customer.Region.values:
            filters.region = ""
        if filters.industry not in Customer.Industry.values:
            filters.industry = ""
        return filters

    def as_query(self) -> str:
        return pagination.filters_query(self, FILTERS)

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in FILTERS)


def pool_customers(user: User, filters: PoolFilters) -> QuerySet[Customer]:
    queryset = pool_customers_visible_to(user)
    if filters.q:
        queryset = queryset.filter(name_contains(filters.q))
    if filters.category:
        queryset = queryset.filter(category__key=filters.category)
    if filters.region:
        queryset = queryset.filter(region=filters.region)
    if filters.industry:
        queryset = queryset.filter(industry=filters.industry)
    return queryset.select_related("category", "owner")


def pool_page(
    user: User, filters: PoolFilters, *, after: str = "", before: str = "", size: int = PAGE_SIZE
) -> pagination.KeysetPage:
    """One page of the pool, newest arrivals first: one query whatever the page holds."""
    return pagination.keyset_page(
        pool_customers(user, filters),
        "pooled_at",
        descending=True,
        after=after,
        before=before,
        size=size,
    )
