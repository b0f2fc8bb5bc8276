"""Evaluation periods: a quarter, a half-year or a year, written 2026Q3, 2026H1 or 2026; and the
calendar month of the trend lines (`MonthPeriod`, written 2026-03), the one month type of the
dashboards, the open figures and the metrics' monthly reads."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("Quarter")
    HALF = "half", _("Half-year")
    YEAR = "year", _("Year")


_MONTHS = {PeriodKind.QUARTER: 3, PeriodKind.HALF: 6, PeriodKind.YEAR: 12}
_PATTERN = re.compile(r"^(\d{4})(?:([QH])([1-4]))?$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str = PeriodKind.YEAR
    number: int = 1

    def __post_init__(self):
        if self.kind not in _MONTHS:
            raise ValueError(f"unknown period kind {self.kind!r}")
        if not 1 <= self.number <= 12 // _MONTHS[self.kind]:
            raise ValueError(f"{self.kind} {self.number} does not exist")

    @classmethod
    def parse(cls, text: str) -> Period:
        """2026Q3, 2026H1 or 2026; anything else is refused with a ValidationError."""
        match = _PATTERN.match((text or "").strip().upper())
        if not match or (match.group(2) == "H" and match.group(3) not in ("1", "2")):
            raise ValidationError(
                _("%(value)s is not a period: write 2026Q3, 2026H1 or 2026.") % {"value": text}
            )
        year = int(match.group(1))
        if match.group(2) is None:
            return cls(year)
        kind = PeriodKind.QUARTER if match.group(2) == "Q" else PeriodKind.HALF
        return cls(year, kind, int(match.group(3)))

    @classmethod
    def containing(cls, day: dt.date, kind: str) -> Period:
        return cls(day.year, kind, (day.month - 1) // _MONTHS[kind] + 1)

    @property
    def code(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return str(self.year)
        return f"{self.year}{'Q' if self.kind == PeriodKind.QUARTER else 'H'}{self.number}"

    def __str__(self):
        return self.code

    @property
    def start(self) -> dt.date:
        """The first day."""
        return dt.date(self.year, (self.number - 1) * _MONTHS[self.kind] + 1, 1)

    @property
    def end(self) -> dt.date:
        """The day after the last day (periods are half-open: start <= day < end)."""
        month = self.number * _MONTHS[self.kind] + 1
        return dt.date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    def previous(self) -> Period:
        if self.number > 1:
            return Period(self.year, self.kind, self.number - 1)
        return Period(self.year - 1, self.kind, 12 // _MONTHS[self.kind])

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of each month in the period, for trends."""
        first = (self.number - 1) * _MONTHS[self.kind] + 1
        return [(self.year, m) for m in range(first, first + _MONTHS[self.kind])]


@dataclass(frozen=True, order=True)
class MonthPeriod(Period):
    """One calendar month, for the trend lines: a Period with the same start/end/code interface."""

    kind: str = "month"

    def __post_init__(self):
        if not 1 <= self.number <= 12:
            raise ValueError(f"month {self.number} does not exist")

    @classmethod
    def of(cls, year: int, month: int) -> MonthPeriod:
        return cls(year, "month", month)

    @property
    def code(self) -> str:
        return f"{self.year}-{self.number:02d}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.number, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year + self.number // 12, self.number % 12 + 1, 1)

    def previous(self) -> MonthPeriod:
        if self.number > 1:
            return MonthPeriod.of(self.year, self.number - 1)
        return MonthPeriod.of(self.year - 1, 12)

    def months(self) -> list[tuple[int, int]]:
        return [(self.year, self.number)]


def last_months(until: dt.date, count: int) -> list[MonthPeriod]:
    """The `count` months ending with the month of `until`, oldest first."""
    month = MonthPeriod.of(until.year, until.month)
    found = [month]
    for _i in range(count - 1):
        month = month.previous()
        found.append(month)
    return list(reversed(found))


def month_spans(year: int, month: int, count: int) -> list[MonthPeriod]:
    """`count` months ending with (year, month), oldest first, for trends."""
    return last_months(dt.date(year, month, 1), count)
