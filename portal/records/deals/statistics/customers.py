"""Customer analysis (decision 1003): customers counted by two dimensions for a period.

Every figure starts from the customer list's own read — `visible_filtered_customers`, the
customer policy's `visible_to` narrowed by the list's filters — so a cell's drill-down link
(the same filters plus the cell's two values) lists exactly the customers the cell counts.
Won deals come from the deal policy's `visible_to`. Readers who see whole departments (the
customer policy's `counting_reach`) have those departments' customers counted from the
roll-up (`customers.rollup`) and the rest row by row. Three GROUP BYs, whatever the size.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from portal.core.bounds import parse_id
from portal.records.customers import rollup
from portal.records.customers.models import Customer, CustomerCategory, CustomerRollup
from portal.records.customers.policy import customer_policy
from portal.records.customers.queries import (
    EXTRA_FILTERS,
    NONE,
    CustomerFilters,
    filter_customers,
    local_midnight,
    period_bounds,
    visible_filtered_customers,
)
from portal.records.deals.models import Deal

from .money import ZERO, money, percent
from .periods import Period
from .scope import Scope, scope_for

if TYPE_CHECKING:
    from portal.accounts.models import User

WON = list(Deal.WON_STATES)
# dimension → (customer column grouped by, the customer list's filter of the same name)
DIMENSIONS: dict[str, str] = {
    "category": "category_id",
    "region": "region",
    "industry": "industry",
    "level": "level",
    "owner": "owner_id",
    "department": "department_id",
}
DIMENSION_LABELS = {
    "category": gettext_lazy("Category"),
    "region": gettext_lazy("Region"),
    "industry": gettext_lazy("Industry"),
    "level": gettext_lazy("Level"),
    "owner": pgettext_lazy("record owner", "Owner"),
    "department": gettext_lazy("Department"),
}
MEASURES = {
    "customers": gettext_lazy("Customers"),
    "new": gettext_lazy("New customers"),
    "won": gettext_lazy("Customers with a won deal"),
    "conversion": gettext_lazy("Conversion (%)"),
    "amount": gettext_lazy("Won amount"),
}


def won_in_period(queryset: QuerySet[Customer], key: str, user: User) -> QuerySet[Customer]:
    """Customers with a deal won in the period that the reader may see (the deal policy)."""
    from portal.records.deals.policy import deals_visible_to

    bounds = period_bounds(key)
    if bounds is None:
        return queryset
    won = deals_visible_to(user).filter(
        state__in=WON, closed_on__gte=bounds[0], closed_on__lt=bounds[1]
    )
    return queryset.filter(pk__in=won.values("customer_id"))


EXTRA_FILTERS["won"] = won_in_period


@dataclass
class Cell:
    customers: int = 0
    new: int = 0
    won: int = 0
    amount: Decimal = ZERO
    links: dict[str, str] = field(default_factory=dict)

    @property
    def conversion(self) -> Decimal | None:
        return percent(Decimal(self.won), Decimal(self.customers)) if self.customers else None

    def add(self, other: Cell) -> None:
        self.customers += other.customers
        self.new += other.new
        self.won += other.won
        self.amount += other.amount

    def value(self, measure: str):
        return getattr(self, measure)


@dataclass
class Analysis:
    scope: Scope
    period: Period
    rows_dim: str
    cols_dim: str
    measure: str
    base: CustomerFilters
    rows: list[tuple[str, str]]  # (filter value, label)
    cols: list[tuple[str, str]]
    cells: dict[tuple[str, str], Cell]
    row_totals: dict[str, Cell]
    col_totals: dict[str, Cell]
    total: Cell
    new_by_month: list[tuple[str, int]]

    def cell(self, row: str, col: str) -> Cell:
        return self.cells.get((row, col)) or Cell()

    def table(self) -> list[tuple[str, str, list[Cell], Cell]]:
        return [
            (value, label, [self.cell(value, c) for c, _l in self.cols], self.row_totals[value])
            for value, label in self.rows
        ]

    def shown(self, cell: Cell, name: str = "") -> dict:
        """The chosen measure of a cell as the page shows it, with its drill-down query."""
        value = cell.value(self.measure)
        return {
            "value": value,
            "linked": bool(value),
            "query": cell.links.get(self.measure, ""),
            "money": self.measure == "amount",
            "id": f"cell-{name}",
        }

    def grid(self) -> list[dict]:
        return [
            {
                "label": label,
                "cells": [
                    self.shown(cell, f"{row}-{col}")
                    for cell, (col, _l) in zip(cells, self.cols, strict=True)
                ],
                "total": self.shown(total, f"{row}-total"),
            }
            for row, label, cells, total in self.table()
        ]

    def footer(self) -> dict:
        return {
            "cells": [
                self.shown(cell, f"total-{col}")
                for cell, (col, _l) in zip(self.column_totals(), self.cols, strict=True)
            ],
            "total": self.shown(self.total, "total"),
        }

    def column_totals(self) -> list[Cell]:
        return [self.col_totals[c] for c, _l in self.cols]

    def query(self) -> dict[str, str]:
        return {
            "period": self.period.key,
            "rows": self.rows_dim,
            "cols": self.cols_dim,
            "measure": self.measure,
            **self.scope.as_query(),
        }


def parse_dimensions(rows: str, cols: str) -> tuple[str, str]:
    rows = rows if rows in DIMENSIONS else "region"
    cols = cols if cols in DIMENSIONS and cols != rows else ""
    if not cols:
        cols = next(d for d in ("category", "region") if d != rows)
    return rows, cols


def parse_period(key: str) -> Period:
    return Period.parse(key or str(timezone.localdate().year))


def base_filters(scope: Scope) -> CustomerFilters:
    """The scope as customer-list filters: mine (a rep), a rep, a team, or all I can see."""
    if scope.own_only:
        return CustomerFilters(view="mine")
    if scope.rep is not None:
        return CustomerFilters(owner=str(scope.rep.pk))
    if scope.team is not None:
        return CustomerFilters(team=str(scope.team.pk))
    return CustomerFilters()


def _key(value) -> str:
    return NONE if value in (None, "", 0) else str(value)


def _rolled_rows(
    whole: frozenset[str] | None, base: CustomerFilters, user: User, dimensions: Iterable[str]
) -> QuerySet[CustomerRollup]:
    """The roll-up rows of the customers a reader sees whole (`whole`: their manager keys, None
    for all) inside the scope: the scope's list filters — mine, a rep, a team — on the roll-up's
    owner and department, as `filter_customers` applies them to the rows."""
    from portal.accounts.models import Department

    rows = CustomerRollup.objects.filter(grouping=rollup.grouping_for(dimensions))
    if whole is not None:
        rows = rows.filter(reach__in=whole)
    if base.view == "mine":
        rows = rows.filter(owner_id=user.pk)
    if (owner := parse_id(base.owner)) is not None:
        rows = rows.filter(owner_id=owner)
    if (team := parse_id(base.team)) is not None:
        paths = Department.objects.filter(pk=team).values("path")[:1]
        rows = rows.filter(
            department_id__in=Department.objects.filter(path__startswith=paths).values("pk")
        )
    return rows.order_by()


def _rolled_up(
    whole: frozenset[str] | None,
    base: CustomerFilters,
    user: User,
    columns: tuple[str, str],
    months: list[datetime.date],
) -> Iterator[tuple[tuple[str, str], int, list[int]]]:
    """(cell key, customers, new in each month of the period) of each cell, from the roll-up."""
    entries = (
        _rolled_rows(whole, base, user, columns)
        .values(*columns)
        .annotate(
            counted=Sum("customers"),
            **{f"m{i}": Sum("customers", filter=Q(month=month)) for i, month in enumerate(months)},
        )
        .filter(counted__gt=0)
    )
    for entry in entries:
        key = (_key(entry[columns[0]]), _key(entry[columns[1]]))
        yield key, entry["counted"], [entry[f"m{i}"] or 0 for i in range(len(months))]


def _counted(
    customers: QuerySet[Customer], columns: tuple[str, str], period: Period
) -> Iterator[tuple[tuple[str, str], int, list[int]]]:
    """(cell key, customers, new in each month of the period) of each cell, counting rows:
    the months as range counts between local midnights in the same GROUP BY — one pass over
    the counted rows, no per-row date truncation (on SQLite a Python function per row, the
    slowest part of the page at 100,000 customers)."""
    months = period.months()
    edges = [local_midnight(month) for month in months] + [local_midnight(period.end)]
    entries = (
        customers.order_by()
        .values(*columns)
        .annotate(
            counted=Count("pk"),
            **{
                f"m{i}": Count(
                    "pk", filter=Q(created_at__gte=edges[i], created_at__lt=edges[i + 1])
                )
                for i in range(len(months))
            },
        )
    )
    for entry in entries:
        key = (_key(entry[columns[0]]), _key(entry[columns[1]]))
        yield key, entry["counted"], [entry[f"m{i}"] for i in range(len(months))]


def _labels(dim: str, keys: set[str], categories: dict[int, CustomerCategory]) -> dict:
    """Filter value and label of each key a dimension returned (one query for people/teams)."""
    none = _("(none)")
    if dim == "category":
        return {k: (categories[int(k)].key, str(categories[int(k)])) for k in keys}
    if dim in ("region", "industry", "level"):
        choices = dict(Customer._meta.get_field(dim).choices)
        return {k: (k, none if k == NONE else str(choices.get(k, k))) for k in keys}
    if dim == "owner":
        from portal.accounts.models import User

        ids = [int(k) for k in keys if k != NONE]
        people = {str(u.pk): str(u) for u in User.objects.filter(pk__in=ids)}
        return {k: (k, people.get(k, none)) for k in keys}
    from portal.accounts.models import Department

    ids = [int(k) for k in keys if k != NONE]
    teams = {str(d.pk): d.name for d in Department.objects.filter(pk__in=ids)}
    return {k: (k, teams.get(k, none)) for k in keys}


def _ordered(dim: str, labels: dict) -> list[tuple[str, str, str]]:
    """(key, filter value, label) in the dimension's natural order; "(none)" last."""
    if dim in ("region", "industry", "level"):
        order = [value for value, _label in Customer._meta.get_field(dim).choices]
        rank = {value: i for i, value in enumerate(order)}
        keys = sorted(labels, key=lambda k: (k == NONE, rank.get(k, len(order)), k))
    else:
        keys = sorted(labels, key=lambda k: (k == NONE, labels[k][1].lower(), k))
    return [(k, *labels[k]) for k in keys]


def analyse(
    user: User,
    *,
    rows: str = "",
    cols: str = "",
    measure: str = "",
    period: str = "",
    rep: str = "",
    team: str = "",
) -> Analysis:
    rows_dim, cols_dim = parse_dimensions(rows, cols)
    measure = measure if measure in MEASURES else "customers"
    the_period = parse_period(period)
    scope = scope_for(user, rep=rep, team=team)
    base = base_filters(scope)
    customers = visible_filtered_customers(user, base)
    row_col, col_col = DIMENSIONS[rows_dim], DIMENSIONS[cols_dim]
    months = the_period.months()
    per_month = [0] * len(months)
    cells: dict[tuple[str, str], Cell] = {}

    def count(key: tuple[str, str], customers: int, new: list[int]) -> None:
        cell = cells.setdefault(key, Cell())
        cell.customers += customers
        cell.new += sum(new)
        for i, n in enumerate(new):
            per_month[i] += n

    # Which customers are counted from the roll-up and which row by row is the customer
    # policy's answer: those of the departments the reader sees whole, and the rest.
    whole, beyond = customer_policy.counting_reach(user)
    rolled = whole is None or bool(whole)
    if rolled:
        for key, counted, new in _rolled_up(whole, base, user, (row_col, col_col), months):
            count(key, counted, new)
    live = filter_customers(beyond, base, user) if rolled else customers
    for key, counted, new in _counted(live, (row_col, col_col), the_period):
        count(key, counted, new)
    # Won: the period's won deals the reader may see, of the customers counted above.
    from portal.records.deals.policy import deals_visible_to

    # A correlated EXISTS: checked for the period's won deals only, where `customer__in`
    # made SQLite walk every counted customer's access first (decision 1003).
    deals = deals_visible_to(user).filter(
        Exists(customers.filter(pk=OuterRef("customer_id"))),
        state__in=WON,
        closed_on__gte=the_period.start,
        closed_on__lt=the_period.end,
    )
    for entry in (
        deals.order_by()
        .values(f"customer__{row_col}", f"customer__{col_col}")
        .annotate(won=Count("customer_id", distinct=True), amount=Sum("amount"))
    ):
        key = (_key(entry[f"customer__{row_col}"]), _key(entry[f"customer__{col_col}"]))
        cell = cells.setdefault(key, Cell())
        cell.won, cell.amount = entry["won"], money(entry["amount"])
    new_by_month = [
        (month.strftime("%Y-%m"), n) for month, n in zip(months, per_month, strict=True)
    ]

    categories = {c.pk: c for c in CustomerCategory.objects.all()}
    row_labels = _ordered(rows_dim, _labels(rows_dim, {r for r, _c in cells}, categories))
    col_labels = _ordered(cols_dim, _labels(cols_dim, {c for _r, c in cells}, categories))
    row_value = {k: v for k, v, _l in row_labels}
    col_value = {k: v for k, v, _l in col_labels}
    analysis = Analysis(
        scope=scope,
        period=the_period,
        rows_dim=rows_dim,
        cols_dim=cols_dim,
        measure=measure,
        base=base,
        rows=[(k, label) for k, _v, label in row_labels],
        cols=[(k, label) for k, _v, label in col_labels],
        cells=cells,
        row_totals={k: Cell() for k, _v, _l in row_labels},
        col_totals={k: Cell() for k, _v, _l in col_labels},
        total=Cell(),
        new_by_month=new_by_month,
    )
    for (r, c), cell in cells.items():
        analysis.row_totals[r].add(cell)
        analysis.col_totals[c].add(cell)
        analysis.total.add(cell)
    for (r, c), cell in cells.items():
        cell.links = drill_links(analysis, {rows_dim: row_value[r], cols_dim: col_value[c]})
    for r, cell in analysis.row_totals.items():
        cell.links = drill_links(analysis, {rows_dim: row_value[r]})
    for c, cell in analysis.col_totals.items():
        cell.links = drill_links(analysis, {cols_dim: col_value[c]})
    analysis.total.links = drill_links(analysis, {})
    return analysis


def drill_links(analysis: Analysis, values: dict[str, str]) -> dict[str, str]:
    """The customer-list query of each measure of a cell: the base filters and the cell's
    values, plus "created in the period" (new) or "won in the period" (won, amount,
    conversion's numerator)."""
    base = analysis.base
    plain = base.as_query(**values)
    created = base.as_query(**values, created=analysis.period.key)
    won = base.as_query(**values, won=analysis.period.key)
    return {"customers": plain, "new": created, "won": won, "amount": won, "conversion": won}


def export_rows(analysis: Analysis) -> list[list]:
    """The analysis in long form: one row per cell, every measure, then new per month."""
    rows: list[list] = [
        [_("Customer analysis"), analysis.period.key],
        [],
        [
            str(DIMENSION_LABELS[analysis.rows_dim]),
            str(DIMENSION_LABELS[analysis.cols_dim]),
            *[str(label) for label in MEASURES.values()],
        ],
    ]
    col_label = dict(analysis.cols)
    for _value, row_label, cells, _total in analysis.table():
        for (col, _l), cell in zip(analysis.cols, cells, strict=True):
            if cell.customers or cell.won:
                rows.append(
                    [
                        row_label,
                        col_label[col],
                        cell.customers,
                        cell.new,
                        cell.won,
                        "" if cell.conversion is None else str(cell.conversion),
                        str(cell.amount),
                    ]
                )
    total = analysis.total
    rows.append(
        [
            _("Total"),
            "",
            total.customers,
            total.new,
            total.won,
            "" if total.conversion is None else str(total.conversion),
            str(total.amount),
        ]
    )
    rows += [[], [_("Month"), str(MEASURES["new"])]]
    rows += [[month, count] for month, count in analysis.new_by_month]
    return rows


def chart_data(analysis: Analysis) -> dict:
    """Plain numbers for Chart.js: the chosen measure by row, one dataset per column value."""

    def number(cell: Cell) -> float | None:
        value = cell.value(analysis.measure)
        return None if value is None else float(value)

    return {
        "labels": [label for _v, label in analysis.rows],
        "datasets": [
            {"label": label, "data": [number(analysis.cell(r, c)) for r, _l in analysis.rows]}
            for c, label in analysis.cols
        ],
        "stacked": analysis.measure != "conversion",
        "months": {
            "labels": [m for m, _n in analysis.new_by_month],
            "new": [n for _m, n in analysis.new_by_month],
        },
        "text": {"new": str(MEASURES["new"]), "measure": str(MEASURES[analysis.measure])},
    }
