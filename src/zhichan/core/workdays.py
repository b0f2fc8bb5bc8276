"""The working-day calendar every time limit uses.

Statutory holidays and make-up working days (调休) come from the `chinese_calendar`
package; rows of WorkdayOverride win over it, and cover years it does not know yet.
A year known to neither falls back to Monday-Friday.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from django.core.cache import cache

from zhichan.core.dataload import DataFileError, LineError, LoadResult, read_csv, save_if_changed

_CACHE_KEY = "core:workday-overrides:v1"
_CACHE_SECONDS = 300


def _overrides() -> dict[dt.date, bool]:
    found = cache.get(_CACHE_KEY)
    if found is None:
        from zhichan.core.models import WorkdayOverride

        found = dict(WorkdayOverride.objects.values_list("date", "is_workday"))
        cache.set(_CACHE_KEY, found, _CACHE_SECONDS)
    return found


def forget_overrides() -> None:
    """Call after changing WorkdayOverride rows."""
    cache.delete(_CACHE_KEY)


def is_workday(day: dt.date, overrides: dict[dt.date, bool] | None = None) -> bool:
    """Whether `day` is a working day; `overrides` saves fetching them again in a loop."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if overrides is None:
        overrides = _overrides()
    if day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: dt.date | dt.datetime, days: int) -> dt.date | dt.datetime:
    """The moment `days` working days after `start` (before it, for negative days).

    A datetime keeps its time of day: a case received at 15:00 with 5 working days
    is due at 15:00 on the fifth working day after the day it arrived. Counting
    starts on the day after `start`, whether or not `start` itself is a working day.
    """
    if days == 0:
        return start
    step = dt.timedelta(days=1 if days > 0 else -1)
    remaining = abs(days)
    current = start
    overrides = _overrides()
    while remaining:
        current = current + step
        if is_workday(current, overrides):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if isinstance(start, dt.datetime):
        start = start.date()
    if isinstance(end, dt.datetime):
        end = end.date()
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    count = 0
    day = start
    overrides = _overrides()
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day, overrides):
            count += 1
    return sign * count


def load_overrides(path) -> LoadResult:
    """Load date,is_workday,note rows (is_workday: 1/0, yes/no, true/false) into WorkdayOverride."""
    from django.db import transaction

    from zhichan.core.models import WorkdayOverride

    truth = {"1": True, "yes": True, "true": True, "0": False, "no": False, "false": False}
    errors, parsed, seen = [], [], {}
    for line, row in read_csv(path, ["date", "is_workday"]):
        try:
            day = dt.date.fromisoformat(row["date"])
        except ValueError:
            errors.append(LineError(line, "date", f"{row['date']!r} is not a date (YYYY-MM-DD)"))
            continue
        flag = truth.get(row["is_workday"].lower())
        if flag is None:
            errors.append(LineError(line, "is_workday", f"{row['is_workday']!r} is not yes/no"))
            continue
        if day in seen:
            errors.append(LineError(line, "date", f"{day} already on line {seen[day]}"))
            continue
        seen[day] = line
        parsed.append((day, flag, row.get("note", "")[:100]))
    if errors:
        raise DataFileError(path, errors)
    result = LoadResult()
    with transaction.atomic():
        for day, flag, note in parsed:
            save_if_changed(WorkdayOverride, {"date": day}, {"is_workday": flag, "note": note}, result)
    forget_overrides()
    transaction.on_commit(forget_overrides)
    return result
