"""The sales report as CSV rows and as chart data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    pass
from .figures import Figures, Report


def _cell(value) -> str:
    return "" if value is None else str(value)


def figure_rows(title: str, rows: list[Figures]) -> list[list[str]]:
    header = [
        title,
        _("Open deals"),
        _("Pipeline"),
        _("Weighted pipeline"),
        _("Deals won"),
        _("Won amount"),
        _("Deals lost or abandoned"),
        _("Win rate (%)"),
        _("Average cycle (days)"),
        _("Target"),
        _("Completion (%)"),
        _("Commission"),
    ]
    return [header] + [
        [
            row.name,
            _cell(row.open_count),
            _cell(row.pipeline),
            _cell(row.weighted),
            _cell(row.won_count),
            _cell(row.won_amount),
            _cell(row.lost_count),
            _cell(row.win_rate),
            _cell(row.cycle_days),
            _cell(row.target),
            _cell(row.completion),
            _cell(row.commission),
        ]
        for row in rows
    ]


def report_rows(data: Report) -> list[list[str]]:
    """The report as CSV rows: one titled block per table, blank rows between blocks."""
    rows: list[list[str]] = [[_("Sales statistics"), data.period.key]]
    rows += [[]] + figure_rows(_("Rep"), [*data.reps, data.total])
    if data.teams:
        rows += [[]] + figure_rows(_("Team"), data.teams)
    rows += [[], [_("Stage"), _("Probability (%)"), _("Open deals"), _("Amount"), _("Weighted")]]
    rows += [
        [s.name, _cell(s.probability), _cell(s.count), _cell(s.amount), _cell(s.weighted)]
        for s in data.stages
    ]
    rows += [[], [_("Month"), _("Deals won"), _("Won amount")]]
    rows += [[m, _cell(c), _cell(a)] for m, c, a in data.won_by_month]
    if data.won_by_quarter:
        rows += [[], [_("Quarter"), _("Deals won"), _("Won amount")]]
        rows += [[q, _cell(c), _cell(a)] for q, c, a in data.won_by_quarter]
    rows += [[], [_("Competitor"), _("Won against"), _("Lost to"), _("Win rate (%)")]]
    rows += [[c.name, _cell(c.won), _cell(c.lost), _cell(c.win_rate)] for c in data.competitors]
    return rows


def chart_data(data: Report) -> dict:
    """Plain numbers for the Chart.js charts (json_script in the template)."""
    return {
        "stages": {
            "labels": [s.name for s in data.stages],
            "amount": [float(s.amount) for s in data.stages],
            "weighted": [float(s.weighted) for s in data.stages],
        },
        "months": {
            "labels": [m for m, _c, _a in data.won_by_month],
            "won": [float(a) for _m, _c, a in data.won_by_month],
        },
        "reps": {
            "labels": [r.name for r in data.reps],
            "won": [float(r.won_amount) for r in data.reps],
            "target": [float(r.target) if r.target is not None else None for r in data.reps],
        },
        "text": {
            "amount": _("Amount"),
            "weighted": _("Weighted"),
            "won": _("Won amount"),
            "target": _("Target"),
        },
    }
