"""Customer list reads: filters, sorting and keyset pagination that stay fast at 100k rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import QueryDict

from portal.core import pagination
from portal.core.bounds import parse_id
from portal.records.customers.models import Customer
from portal.records.customers.policy import customers_visible_to

if TYPE_CHECKING:
    from portal.accounts.models import User

CODE_LIKE = re.compile(r"^[A-Za-z]{0,2}\d{3,}$")
PAGE_SIZE = 25
MAX_PAGE_SIZE = 200
# sort key → (column, descending)
SORTS: dict[str, tuple[str, bool]] = {
    "name": ("name", False),
    "-name": ("name", True),
    "code": ("code", False),
    "-code": ("code", True),
    "updated": ("updated_at", False),
    "-updated": ("updated_at", True),
    "created": ("created_at", False),
    "-created": ("created_at", True),
}
FILTERS = ("view", "category", "region", "industry", "level", "owner", "protection", "q", "sort")
#: The customer list's protection filter (ADR 1002): answered in SQL from the stored facts.
PROTECTION_FILTERS = ("protected", "lapsing", "lapsed", "pool")


@dataclass
class CustomerFilters:
    view: str = "all"  # all | mine
    category: str = ""
    region: str = ""
    industry: str = ""
    level: str = ""
    owner: str = ""
    protection: str = ""
    q: str = ""
    sort: str = "name"

    @classmethod
    def from_query(cls, query: QueryDict) -> CustomerFilters:
        values = {name: query.get(name, "").strip()[:100] for name in FILTERS}
        filters = cls(**{k: v for k, v in values.items() if v})
        if filters.sort not in SORTS:
            filters.sort = "name"
        if filters.view not in ("all", "mine"):
            filters.view = "all"
        if filters.protection not in PROTECTION_FILTERS:
            filters.protection = ""
        return filters

    def as_query(self, **overrides: str) -> str:
        data = QueryDict(mutable=True)
        for name in FILTERS:
            value = overrides.get(name, getattr(self, name))
            if (
                value
                and not (name == "view" and value == "all")
                and not (name == "sort" and value == "name")
            ):
                data[name] = value
        return data.urlencode()

    @property
    def active(self) -> bool:
        return any(
            [
                self.category,
                self.region,
                self.industry,
                self.level,
                self.owner,
                self.protection,
                self.q,
                self.view != "all",
            ]
        )


def filter_customers(
    queryset: QuerySet[Customer], filters: CustomerFilters, user: User
) -> QuerySet[Customer]:
    if filters.view == "mine":
        queryset = queryset.filter(owner=user)
    if filters.category:
        queryset = queryset.filter(category__key=filters.category)
    if filters.region:
        queryset = queryset.filter(region=filters.region)
    if filters.industry:
        queryset = queryset.filter(industry=filters.industry)
    if filters.level:
        queryset = queryset.filter(level=filters.level)
    if (owner := parse_id(filters.owner)) is not None:
        queryset = queryset.filter(owner_id=owner)
    if filters.protection:
        queryset = _filter_protection(queryset, filters.protection)
    if filters.q:
        q = filters.q
        # Search-as-you-type scans the name index in list order; testing only the name (which
        # the index holds) avoids reading each row. Something shaped like a code is a code.
        if CODE_LIKE.match(q):
            queryset = queryset.filter(Q(code__istartswith=q) | Q(name__icontains=q))
        else:
            queryset = queryset.filter(name__icontains=q)
    return queryset


def _filter_protection(queryset: QuerySet[Customer], state: str) -> QuerySet[Customer]:
    from portal.records.customers import protection

    if state == "pool":
        return queryset.filter(in_pool=True)
    selector = {
        "protected": protection.protected,
        "lapsing": protection.lapsing,
        "lapsed": protection.lapsed,
    }[state]
    return selector(queryset, protection.rules())


def visible_filtered_customers(user: User, filters: CustomerFilters) -> QuerySet[Customer]:
    """What the list, export, labels and bulk actions start from: visible and filtered."""
    return filter_customers(customers_visible_to(user), filters, user)


KeysetPage = pagination.KeysetPage


def keyset_page(
    queryset: QuerySet[Customer],
    sort: str,
    *,
    after: str = "",
    before: str = "",
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """One page of customers in a sort order, after/before a cursor (no OFFSET, no COUNT)."""
    column, descending = SORTS.get(sort, SORTS["name"])
    return pagination.keyset_page(
        queryset,
        column,
        descending=descending,
        after=after,
        before=before,
        size=max(1, min(size, MAX_PAGE_SIZE)),
    )
