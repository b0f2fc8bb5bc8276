"""Time limits: working days from the shared calendar, hours for complaints at a running fair.

All arithmetic happens in local time (the calendar's days are local days); a deadline in
working days falls at the end of its day; deadlines are stored as aware datetimes.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from zhichan.core.workdays import add_working_days, working_days_between

DEFAULT_DAYS = 5


def limit_days(case_type: str, service_item=None, guide_version=None) -> int:
    """Working days to handle a case of this type (a service application: its guide's limit)."""
    if guide_version is not None and guide_version.time_limit_days:
        return guide_version.time_limit_days
    return int(settings.ZHICHAN_CASE_TIME_LIMITS.get(case_type, DEFAULT_DAYS))


END_OF_DAY = dt.time(23, 59, 59)


def add_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end of the `days`-th working day after the day of `start` (local time).

    Due at the end of the day, so a later start never gives an earlier deadline
    (counting "to the hour" would let a case filed on Sunday night fall due before one
    filed on Saturday afternoon).
    """
    local = timezone.localtime(start)
    day = add_working_days(local.date(), days)
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=local.tzinfo)


def uses_hours(case, at: dt.datetime) -> bool:
    """A fair complaint counts in hours while its fair runs."""
    return case.type == "fair_complaint" and case.fair_id is not None and case.fair.is_running(at)


def initial_deadline(case, at: dt.datetime) -> dt.datetime:
    """When a newly received (or referred) case is due."""
    if uses_hours(case, at):
        return at + dt.timedelta(hours=case.fair.accept_hours)
    return add_days(at, limit_days(case.type, case.service_item, case.guide_version))


def accepted_deadline(case, at: dt.datetime) -> dt.datetime:
    """After acceptance: a fair complaint gets its decision time; other cases keep their deadline."""
    if uses_hours(case, at):
        return at + dt.timedelta(hours=case.fair.decide_hours)
    return case.deadline


def extend_for_pause(
    case, deadline: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime
) -> dt.datetime:
    """Move the deadline by the time spent waiting: working days, or hours for a fast-track case."""
    if case.type == "fair_complaint" and case.fair is not None and case.fair.is_running(paused_at):
        return deadline + (resumed_at - paused_at)
    waited = working_days_between(timezone.localtime(paused_at).date(), timezone.localtime(resumed_at).date())
    return add_days(deadline, waited) if waited > 0 else deadline


def warn_from(deadline: dt.datetime, case=None) -> dt.datetime:
    """From this moment a case is "due soon": the start of the working day(s) before its deadline,
    or ZHICHAN_FAIR_WARN_HOURS before it for a fast-track fair complaint."""
    if case is not None and uses_hours(case, deadline):
        return deadline - dt.timedelta(hours=settings.ZHICHAN_FAIR_WARN_HOURS)
    days = settings.ZHICHAN_WARN_BEFORE_DAYS
    if not days:
        return deadline
    local = timezone.localtime(deadline)
    day = add_working_days(local.date(), -days)
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=local.tzinfo)


def warn_horizon(now: dt.datetime) -> dt.datetime:
    """Cases due before this moment are due soon (the inverse of warn_from)."""
    days = settings.ZHICHAN_WARN_BEFORE_DAYS
    return add_days(now, days) if days else now
