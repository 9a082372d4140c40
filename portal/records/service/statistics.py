"""Service statistics over what the reader may see: cases per month by category and product,
time per step, overdue rate, satisfaction; tables, chart data and CSV."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncMonth
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.records.service.models import ServiceCase, ServiceCaseStep
from portal.records.service.policy import cases_visible_to, records_visible_to

if TYPE_CHECKING:
    from portal.accounts.models import User

TABLES = ("category", "product", "steps", "satisfaction")
MONTHS = 12


def _month_label(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m") if value else ""


def _since():
    today = timezone.localdate()
    year, month = today.year, today.month - (MONTHS - 1)
    while month <= 0:
        month += 12
        year -= 1
    return datetime.datetime(year, month, 1, tzinfo=timezone.get_current_timezone())


def _all_months() -> list[str]:
    """The twelve month labels up to this one, so that quiet months show as zeros."""
    start = _since()
    labels = []
    year, month = start.year, start.month
    for _step in range(MONTHS):
        labels.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            month, year = 1, year + 1
    return labels


def _pivot(rows, key_name: str) -> tuple[list[str], list[dict]]:
    """[{month, key, n}] → (months, [{"label", "counts": [...], "total"}]) sorted by total."""
    months = _all_months()
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        table[row[key_name] or "—"][_month_label(row["month"])] += row["n"]
    series = [
        {
            "label": label,
            "counts": [counts.get(month, 0) for month in months],
            "total": sum(counts.values()),
        }
        for label, counts in table.items()
    ]
    series.sort(key=lambda item: (-item["total"], item["label"]))
    return months, series


def by_category(user: User):
    rows = (
        cases_visible_to(user)
        .filter(created_at__gte=_since())
        .annotate(month=TruncMonth("created_at"))
        .values("month", "category__name", "category__name_zh")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    from django.utils.translation import get_language

    zh = (get_language() or "").startswith("zh")
    prepared = [
        {
            "month": row["month"],
            "key": (row["category__name_zh"] if zh and row["category__name_zh"] else None)
            or row["category__name"],
            "n": row["n"],
        }
        for row in rows
    ]
    return _pivot(prepared, "key")


def by_product(user: User):
    rows = (
        cases_visible_to(user)
        .filter(created_at__gte=_since())
        .annotate(month=TruncMonth("created_at"))
        .values("month", "product__title")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    prepared = [
        {"month": row["month"], "key": row["product__title"] or _("No product"), "n": row["n"]}
        for row in rows
    ]
    return _pivot(prepared, "key")


def time_per_step(user: User) -> list[dict]:
    """Average hours a case waited in each status before its next step, and how often that
    wait ran past the step's deadline."""
    rows = (
        ServiceCaseStep.objects.filter(case__in=cases_visible_to(user).values("pk"))
        .exclude(from_status="")
        .exclude(kind=ServiceCaseStep.Kind.URGED)
        .values("from_status")
        .annotate(
            n=Count("pk"),
            avg_seconds=Avg("waited_seconds"),
            overdue=Count("pk", filter=Q(was_overdue=True)),
        )
    )
    labels = dict(ServiceCase.Status.choices)
    order = list(labels)
    result = [
        {
            "status": row["from_status"],
            "label": str(labels.get(row["from_status"], row["from_status"])),
            "steps": row["n"],
            "avg_hours": round((row["avg_seconds"] or 0) / 3600, 1),
            "overdue": row["overdue"],
            "overdue_rate": round(100 * row["overdue"] / row["n"], 1) if row["n"] else 0.0,
        }
        for row in rows
    ]
    result.sort(key=lambda item: order.index(item["status"]) if item["status"] in order else 99)
    return result


def overdue_summary(user: User) -> dict:
    cases = cases_visible_to(user)
    now = timezone.now()
    totals = cases.aggregate(
        open=Count("pk", filter=~Q(status=ServiceCase.Status.CLOSED)),
        overdue=Count("pk", filter=~Q(status=ServiceCase.Status.CLOSED) & Q(step_due_at__lt=now)),
    )
    steps = ServiceCaseStep.objects.filter(case__in=cases.values("pk")).exclude(from_status="")
    step_totals = steps.aggregate(n=Count("pk"), late=Count("pk", filter=Q(was_overdue=True)))
    return {
        "open": totals["open"],
        "overdue_now": totals["overdue"],
        "overdue_now_rate": round(100 * totals["overdue"] / totals["open"], 1)
        if totals["open"]
        else 0.0,
        "steps": step_totals["n"],
        "late_steps": step_totals["late"],
        "late_rate": round(100 * step_totals["late"] / step_totals["n"], 1)
        if step_totals["n"]
        else 0.0,
    }


def satisfaction(user: User) -> dict:
    records = records_visible_to(user)
    rated = records.filter(satisfaction__isnull=False)
    by_month = [
        {
            "month": _month_label(row["month"]),
            "n": row["n"],
            "avg": round(row["avg"] or 0, 2),
        }
        for row in rated.filter(served_at__gte=_since())
        .annotate(month=TruncMonth("served_at"))
        .values("month")
        .annotate(n=Count("pk"), avg=Avg("satisfaction"))
        .order_by("month")
    ]
    distribution = dict(
        rated.values("satisfaction").annotate(n=Count("pk")).values_list("satisfaction", "n")
    )
    overall = rated.aggregate(avg=Avg("satisfaction"), n=Count("pk"))
    return {
        "by_month": by_month,
        "distribution": [{"score": s, "n": distribution.get(s, 0)} for s in range(1, 6)],
        "average": round(overall["avg"] or 0, 2),
        "rated": overall["n"],
    }


def compute(user: User) -> dict:
    cat_months, cat_series = by_category(user)
    prod_months, prod_series = by_product(user)
    steps = time_per_step(user)
    sat = satisfaction(user)
    chart = {
        "category": {
            "labels": cat_months,
            "series": [{"label": s["label"], "data": s["counts"]} for s in cat_series[:8]],
        },
        "product": {
            "labels": prod_months,
            "series": [{"label": s["label"], "data": s["counts"]} for s in prod_series[:8]],
        },
        "steps": {"labels": [s["label"] for s in steps], "hours": [s["avg_hours"] for s in steps]},
        "satisfaction": {
            "labels": [row["month"] for row in sat["by_month"]],
            "avg": [row["avg"] for row in sat["by_month"]],
        },
        "text": {
            "hours": _("Average hours"),
            "satisfaction": _("Average satisfaction"),
        },
    }
    return {
        "category_months": cat_months,
        "category_series": cat_series,
        "product_months": prod_months,
        "product_series": prod_series,
        "steps": steps,
        "overdue": overdue_summary(user),
        "satisfaction": sat,
        "chart": chart,
    }


def csv_rows(user: User, table: str) -> Iterator[list]:
    """One statistics table as CSV rows, header first (the same figures as the page)."""
    if table in ("category", "product"):
        months, series = by_category(user) if table == "category" else by_product(user)
        yield [_("Category") if table == "category" else _("Product"), *months, _("Total")]
        for row in series:
            yield [row["label"], *row["counts"], row["total"]]
    elif table == "steps":
        yield [_("Step"), _("Steps taken"), _("Average hours"), _("Overdue"), _("Overdue rate (%)")]
        for row in time_per_step(user):
            yield [
                row["label"], row["steps"], row["avg_hours"], row["overdue"], row["overdue_rate"]
            ]  # fmt: skip
    else:
        yield [_("Month"), _("Rated services"), _("Average satisfaction")]
        for row in satisfaction(user)["by_month"]:
            yield [row["month"], row["n"], row["avg"]]


def csv_response(user: User, table: str) -> HttpResponse:
    """The table as a CSV download, through the records' one CSV writer (BOM, no formulas)."""
    from portal.records.customers.imports import csv_stream

    # A few dozen rows: built whole, so the response has a length and a plain body.
    body = "".join(csv_stream(csv_rows(user, table)))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="service-{table}.csv"'
    return response
