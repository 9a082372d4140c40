"""Customer list reads: filters, sorting and keyset pagination that stay fast at 100k rows."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import FullResultSet
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from django.http import QueryDict
from django.utils import timezone

from portal.core import pagination
from portal.core.bounds import parse_id
from portal.records.customers.models import Customer, CustomerCategory
from portal.records.customers.policy import customer_policy, customers_visible_to

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
FILTERS = (
    "view",
    "category",
    "region",
    "industry",
    "level",
    "owner",
    "department",
    "team",
    "created",
    "won",
    "protection",
    "q",
    "sort",
)
# The drill-down filters of the customer analysis (decision 1003): not in the filter form, shown
# above the list with a way to clear them.
DRILL_FILTERS = ("department", "team", "created", "won")
# A dimension's empty value ("no region", "no department") in a filter: an empty string means
# "any", so the analysis links its "(none)" cells with this.
NONE = "-"
PERIOD_KEY = re.compile(
    r"^(?P<year>20\d\d|2100)(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$"
)
# Filters a later domain contributes (a domain imports only those before it, decision 0600):
# name → function(queryset, value, user). Deals registers "won" (a won deal in a period).
EXTRA_FILTERS: dict[str, Callable[[QuerySet, str, User], QuerySet]] = {}


def period_bounds(key: str) -> tuple[datetime.date, datetime.date] | None:
    """[start, end) of "2026", "2026-Q3" or "2026-07"; None for anything else."""
    match = PERIOD_KEY.match(key or "")
    if not match:
        return None
    year = int(match["year"])
    if match["quarter"]:
        first = (int(match["quarter"]) - 1) * 3 + 1
        start, months = datetime.date(year, first, 1), 3
    elif match["month"]:
        start, months = datetime.date(year, int(match["month"]), 1), 1
    else:
        start, months = datetime.date(year, 1, 1), 12
    index = start.month - 1 + months
    end = datetime.date(year + index // 12, index % 12 + 1, 1)
    return start, end


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


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
    department: str = ""
    team: str = ""
    created: str = ""
    won: str = ""
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
        return pagination.filters_query(self, FILTERS, {"view": "all", "sort": "name"}, **overrides)

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
                self.drilled,
                self.view != "all",
            ]
        )

    @property
    def drilled(self) -> bool:
        """Narrowed by a drill-down filter the form does not show."""
        return any(getattr(self, name) for name in DRILL_FILTERS)

    def without_drill(self) -> str:
        return self.as_query(**dict.fromkeys(DRILL_FILTERS, ""))


def _choice(queryset: QuerySet[Customer], field: str, value: str) -> QuerySet[Customer]:
    return queryset.filter(**{field: "" if value == NONE else value})


def filter_customers(
    queryset: QuerySet[Customer], filters: CustomerFilters, user: User
) -> QuerySet[Customer]:
    if filters.view == "mine":
        queryset = queryset.filter(owner=user)
    if filters.category:
        queryset = queryset.filter(category__key=filters.category)
    if filters.region:
        queryset = _choice(queryset, "region", filters.region)
    if filters.industry:
        queryset = _choice(queryset, "industry", filters.industry)
    if filters.level:
        queryset = queryset.filter(level=filters.level)
    if (owner := parse_id(filters.owner)) is not None:
        queryset = queryset.filter(owner_id=owner)
    if filters.protection:
        queryset = _filter_protection(queryset, filters.protection)
    if filters.department == NONE:
        queryset = queryset.filter(department__isnull=True)
    elif (department := parse_id(filters.department)) is not None:
        queryset = queryset.filter(department_id=department)
    if (team := parse_id(filters.team)) is not None:
        from portal.accounts.models import Department

        paths = Department.objects.filter(pk=team).values("path")[:1]
        queryset = queryset.filter(department__in=Department.objects.filter(path__startswith=paths))
    if bounds := period_bounds(filters.created):
        queryset = queryset.filter(
            created_at__gte=local_midnight(bounds[0]), created_at__lt=local_midnight(bounds[1])
        )
    if filters.won and "won" in EXTRA_FILTERS:
        queryset = EXTRA_FILTERS["won"](queryset, filters.won, user)
    if filters.q:
        q = filters.q
        # Search-as-you-type tests only the name unless the text is shaped like a code.
        if CODE_LIKE.match(q):
            queryset = queryset.filter(Q(code__istartswith=q) | name_contains(q))
        else:
            queryset = queryset.filter(name_contains(q))
    return queryset


class _NameHoldsGrams(Func):
    """PostgreSQL: the name's pieces hold the term's pieces — the test the GIN index of
    migration 0011 answers (ADR 0425). Elsewhere it says nothing (Django leaves a condition
    that raises FullResultSet out of the WHERE), and the LIKE beside it decides alone."""

    arg_joiner = " @> "
    template = "%(expressions)s"
    output_field = BooleanField()

    def __init__(self, field: str, term: str) -> None:
        super().__init__(
            Func(F(field), function="records_text_grams"),
            Func(Value(term), function="records_term_grams"),
        )

    def as_sql(self, compiler, connection, **extra_context):
        raise FullResultSet

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, **extra_context)


def name_contains(term: str) -> Q:
    """Customers whose name contains `term` anywhere, ignoring case: Django's `icontains`,
    plus, on PostgreSQL, the pieces test that lets the name-pieces index find the candidates
    instead of reading all 100k names (ADR 0425)."""
    # The LIKE first: where the planner tests both per row (it walks the name index for a term
    # most names hold), the cheap test runs before the pieces are computed.
    return Q(name__icontains=term) & Q(_NameHoldsGrams("name", term))


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


def drill_context(filters: CustomerFilters) -> dict:
    """The drill-down filters as hidden inputs and plain-words badges (one query for the
    department names when a department or team is among them, none otherwise)."""
    from django.utils.translation import gettext as _

    drill = [(name, getattr(filters, name)) for name in DRILL_FILTERS if getattr(filters, name)]
    if not drill:
        return {"drill": [], "drill_labels": []}
    ids = [parse_id(filters.department), parse_id(filters.team)]
    names = {}
    if any(pk is not None for pk in ids):
        from portal.accounts.models import Department

        names = dict(
            Department.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name")
        )
    labels = []
    if filters.department == NONE:
        labels.append(_("No department"))
    elif ids[0] is not None:
        labels.append(_("Department: %(name)s") % {"name": names.get(ids[0], "?")})
    if ids[1] is not None:
        labels.append(_("Team: %(name)s") % {"name": names.get(ids[1], "?")})
    if period_bounds(filters.created):
        labels.append(_("Registered in %(period)s") % {"period": filters.created})
    if period_bounds(filters.won):
        labels.append(_("With a deal won in %(period)s") % {"period": filters.won})
    return {"drill": drill, "drill_labels": labels}


def filter_choices() -> dict:
    """What the customer list's and the public pool's filter forms offer (one place)."""
    return {
        "categories": CustomerCategory.objects.all(),
        "regions": Customer.Region.choices,
        "industries": Customer.Industry.choices,
    }


def visible_filtered_customers(user: User, filters: CustomerFilters) -> QuerySet[Customer]:
    """What the list, export, labels and bulk actions start from: visible and filtered. A
    search is asked of the policy as a narrowing (`CustomerPolicy.narrow`, ADR 0429): the
    planner reads its matches through the name-pieces index, so the access test suits rows
    found first rather than a walk of the sort index."""
    if filters.q:
        searched = filter_customers(customer_policy.live_queryset(), filters, user)
        return customer_policy.narrow(searched, user)
    return filter_customers(customers_visible_to(user), filters, user)


KeysetPage = pagination.KeysetPage
#: One page of customers in a sort order, after/before a cursor (no OFFSET, no COUNT).
keyset_page = pagination.SortedList(SORTS, "name", PAGE_SIZE, MAX_PAGE_SIZE).page
