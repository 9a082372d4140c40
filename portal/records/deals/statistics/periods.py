"""Reporting periods: a year, a quarter or a month, parsed from `2026`, `2026-Q3`, `2026-07`."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from portal.records.deals.models.targets import (
    PeriodKind,
    period_bounds,
)

if TYPE_CHECKING:
    pass


PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")


@dataclass(frozen=True)
class Period:
    """A month, quarter or year: [start, end)."""

    kind: str
    start: datetime.date
    end: datetime.date

    @classmethod
    def of(cls, kind: str, day: datetime.date) -> Period:
        start, end = period_bounds(kind, day)
        return cls(kind, start, end)

    @classmethod
    def parse(cls, text: str, *, today: datetime.date | None = None) -> Period:
        """ "2026", "2026-Q4" or "2026-11"; anything else means the current quarter."""
        match = PERIOD_RE.match((text or "").strip())
        if match and 2000 <= int(match["year"]) <= 2100:
            year = int(match["year"])
            if match["quarter"]:
                return cls.of(PeriodKind.QUARTER, datetime.date(year, int(match["quarter"]) * 3, 1))
            if match["month"]:
                return cls.of(PeriodKind.MONTH, datetime.date(year, int(match["month"]), 1))
            return cls.of(PeriodKind.YEAR, datetime.date(year, 1, 1))
        return cls.of(PeriodKind.QUARTER, today or timezone.localdate())

    @property
    def key(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.start.year}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def label(self) -> str:
        return self.key

    def previous(self) -> Period:
        return Period.of(self.kind, self.start - datetime.timedelta(days=1))

    def next(self) -> Period:
        return Period.of(self.kind, self.end)

    def months(self) -> list[datetime.date]:
        """The first day of each month in the period."""
        return self._starts(PeriodKind.MONTH)

    def quarters(self) -> list[datetime.date]:
        return self._starts(PeriodKind.QUARTER)

    def _starts(self, kind: str) -> list[datetime.date]:
        starts, day = [], self.start
        while day < self.end:
            starts.append(day)
            day = period_bounds(kind, day)[1]
        return starts

    def choices(self, today: datetime.date | None = None) -> list[tuple[str, str]]:
        """Periods offered in the filter: this and last year's quarters, months and years."""
        today = today or timezone.localdate()
        options: list[Period] = []
        for year in (today.year, today.year - 1):
            options.append(Period.of(PeriodKind.YEAR, datetime.date(year, 1, 1)))
            options.extend(
                Period.of(PeriodKind.QUARTER, datetime.date(year, month, 1))
                for month in (10, 7, 4, 1)
            )
        month = Period.of(PeriodKind.MONTH, today)
        for _step in range(12):
            options.append(month)
            month = month.previous()
        if self not in options:
            options.insert(0, self)
        return [(p.key, p.label) for p in options]
