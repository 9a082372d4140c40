"""Customer list reads: filters, sorting and keyset pagination that stay fast at 100k rows."""

from __future__ import annotations

import base64
import datetime
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import QueryDict

from .models import Customer
from .permissions import customers_visible_to

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
FILTERS = ("view", "category", "region", "industry", "level", "owner", "q", "sort")


@dataclass
class CustomerFilters:
    view: str = "all"  # all | mine
    category: str = ""
    region: str = ""
    industry: str = ""
    level: str = ""
    owner: str = ""
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
    if filters.owner.isdigit():
        queryset = queryset.filter(owner_id=int(filters.owner))
    if filters.q:
        q = filters.q
        # Search-as-you-type scans the name index in list order; testing only the name (which
        # the index holds) avoids reading each row. Something shaped like a code is a code.
        if CODE_LIKE.match(q):
            queryset = queryset.filter(Q(code__istartswith=q) | Q(name__icontains=q))
        else:
            queryset = queryset.filter(name__icontains=q)
    return queryset


def visible_filtered_customers(user: User, filters: CustomerFilters) -> QuerySet[Customer]:
    """What the list, export, labels and bulk actions start from: visible and filtered."""
    return filter_customers(customers_visible_to(user), filters, user)


def _encode(value: Any, pk: int) -> str:
    if isinstance(value, datetime.datetime):
        value = value.isoformat()
    raw = json.dumps([value, pk], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, column: str) -> tuple[Any, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        if column.endswith("_at"):
            value = datetime.datetime.fromisoformat(value)
        return value, int(pk)
    except (ValueError, TypeError, json.JSONDecodeError):
        return None


@dataclass
class KeysetPage:
    items: list[Customer] = field(default_factory=list)
    next_cursor: str = ""
    previous_cursor: str = ""

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def keyset_page(
    queryset: QuerySet[Customer],
    sort: str,
    *,
    after: str = "",
    before: str = "",
    size: int = PAGE_SIZE,
) -> KeysetPage:
    """One page after/before a cursor (value, id) — no OFFSET, no COUNT(*)."""
    column, descending = SORTS.get(sort, SORTS["name"])
    size = max(1, min(size, MAX_PAGE_SIZE))
    backwards = bool(before) and not after
    cursor = _decode(after or before, column) if (after or before) else None
    # Walking backwards is walking forwards in the opposite order, then reversing.
    reverse = descending != backwards
    if cursor is not None:
        value, pk = cursor
        op = "lt" if reverse else "gt"
        # (column, id) beyond the cursor, written with a plain range on the column first so
        # that SQLite and PostgreSQL seek into the sort index instead of scanning it.
        queryset = queryset.filter(**{f"{column}__{op}e": value}).filter(
            Q(**{f"{column}__{op}": value}) | Q(**{f"pk__{op}": pk})
        )
    order = [f"-{column}", "-pk"] if reverse else [column, "pk"]
    rows = list(queryset.order_by(*order)[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    page = KeysetPage(items=rows)
    if rows:
        first, last = rows[0], rows[-1]
        if (has_more and not backwards) or (backwards and cursor is not None):
            page.next_cursor = _encode(getattr(last, column), last.pk)
        if (backwards and has_more) or (not backwards and cursor is not None):
            page.previous_cursor = _encode(getattr(first, column), first.pk)
    return page
