"""Network snapshots: the network figures (outlets operating, functions covered, catalogue items)
recorded once a day, so that a past period shows the network as it was at its end.

`record` takes the network as it is now (standard.network_facts, the same reads the metrics make
for a current period) and stores it under a day, replacing whatever that day held: running it
again the same day is harmless. The worker records today's snapshot (tasks.py), `zhichan
snapshot_network` does the same by hand. `recorded` reads back the latest snapshot of a span.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from zhichan.evaluation.models import NetworkSnapshot

Fact = tuple[str, int | None, int | None, int]


def _write(days: Iterable[dt.date], facts: list[Fact]) -> int:
    """Replace the rows of each day with the facts, all days in one transaction. Two writers of
    the same day: the second one's insert waits on the unique index and fails, and is run again
    (then it replaces the first one's rows)."""
    days = sorted(set(days))
    rows = [
        NetworkSnapshot(day=day, key=key, region_id=region, agency_id=agency, value=value)
        for day in days
        for key, region, agency, value in facts
    ]
    for attempt in range(3):
        try:
            with transaction.atomic():
                NetworkSnapshot.objects.filter(day__in=days).delete()
                NetworkSnapshot.objects.bulk_create(rows, batch_size=500)
            return len(rows)
        except IntegrityError:
            if attempt == 2:
                raise
    return 0  # not reached


def record(day: dt.date | None = None) -> int:
    """Record the network as it is now under `day` (today by default); returns the rows written.

    The day only names the snapshot: the figures are always the present ones."""
    from zhichan.evaluation.standard import network_facts

    return _write([day or timezone.localdate()], network_facts())


def record_missing(days: Iterable[dt.date]) -> list[dt.date]:
    """Record the present network under each of the days that has no snapshot yet (the demo's
    past month ends); days already recorded are left as they are. Returns the days written."""
    from zhichan.evaluation.standard import network_facts

    days = set(days)
    missing = sorted(days - set(NetworkSnapshot.objects.filter(day__in=days).values_list("day", flat=True)))
    if missing:
        _write(missing, network_facts())
    return missing


def latest_day(start: dt.date, end: dt.date) -> dt.date | None:
    """The last day with a snapshot in start <= day < end."""
    return NetworkSnapshot.objects.filter(day__gte=start, day__lt=end).aggregate(day=Max("day"))["day"]


def recorded(start: dt.date, end: dt.date) -> dict | None:
    """{(key, region id, agency id): value} of the latest snapshot in start <= day < end; None
    when no snapshot was recorded in that span."""
    day = latest_day(start, end)
    if day is None:
        return None
    return {
        (key, region, agency): value
        for key, region, agency, value in NetworkSnapshot.objects.filter(day=day).values_list(
            "key", "region_id", "agency_id", "value"
        )
    }


def month_ends(first: dt.date, today: dt.date) -> list[dt.date]:
    """The last day of every month from the month of `first` up to the month before `today`."""
    found = []
    year, month = first.year, first.month
    while (year, month) < (today.year, today.month):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        found.append(dt.date(year, month, 1) - dt.timedelta(days=1))
    return found
