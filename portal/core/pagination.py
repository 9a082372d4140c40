"""Keyset ("cursor") pagination for big lists: a page after or before an opaque (value, id)
cursor, with no OFFSET and no COUNT(*), so page 1,000 costs what page 1 costs (decision 0101)."""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import QueryDict


@dataclass
class KeysetPage:
    items: list[Any] = field(default_factory=list)
    next_cursor: str = ""
    previous_cursor: str = ""

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def encode_cursor(value: Any, pk: int) -> str:
    raw = json.dumps([_plain(value), pk], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, column: str) -> tuple[Any, int] | None:
    """(value, id) of a cursor for `column`, or None for anything malformed."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        if value is not None and column.endswith("_at"):
            value = datetime.datetime.fromisoformat(value)
        elif value is not None and column.endswith("_date"):
            value = datetime.date.fromisoformat(value)
        return value, int(pk)
    except (ValueError, TypeError, json.JSONDecodeError):
        return None


def keyset_page(
    queryset: QuerySet,
    column: str,
    *,
    descending: bool,
    after: str = "",
    before: str = "",
    size: int,
) -> KeysetPage:
    """One page of `queryset` in (column, id) order after or before a cursor."""
    backwards = bool(before) and not after
    cursor = decode_cursor(after or before, column) if (after or before) else None
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
            page.next_cursor = encode_cursor(getattr(last, column), last.pk)
        if (backwards and has_more) or (not backwards and cursor is not None):
            page.previous_cursor = encode_cursor(getattr(first, column), first.pk)
    return page


@dataclass(frozen=True)
class SortedList:
    """A big list's named sort orders (name → (column, descending); an unknown name sorts as
    `default`) and page sizes: `page()` is one keyset page of it."""

    sorts: dict[str, tuple[str, bool]]
    default: str
    page_size: int
    max_size: int

    def page(
        self,
        queryset: QuerySet,
        sort: str,
        *,
        after: str = "",
        before: str = "",
        size: int | None = None,
    ) -> KeysetPage:
        """One page in the sort order (no OFFSET, no COUNT), 1 to max_size rows."""
        column, descending = self.sorts.get(sort, self.sorts[self.default])
        return keyset_page(
            queryset,
            column,
            descending=descending,
            after=after,
            before=before,
            size=max(1, min(self.page_size if size is None else size, self.max_size)),
        )


def filters_query(
    filters: Any, names: Iterable[str], defaults: dict[str, str] | None = None, **overrides: str
) -> str:
    """A list's filters as a query string for its links: each value that is set and not its
    default (`overrides` replace values of `filters`)."""
    defaults = defaults or {}
    data = QueryDict(mutable=True)
    for name in names:
        value = overrides.get(name, getattr(filters, name))
        if value and value != defaults.get(name):
            data[name] = value
    return data.urlencode()
