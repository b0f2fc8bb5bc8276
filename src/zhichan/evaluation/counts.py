"""The daily counts: facts read from append-only source rows, added up per day, region and agency.

The region of a fact is the agency's own region (or the enterprise's, the person's): a
county, a park or the city, never folded into the county, so that parks have figures of their
own. A county's figures are the sums over its subtree (the county and its parks), the city's
over every region of the city (evaluation/standard.py: `sums`).

Each source is a table whose rows are only ever added (case events, ratings, alerts, pledge
events...). A cursor per source remembers the last id counted; `update_counts` reads the rows
after it in id order, turns each into facts, adds them to `DailyCount` and moves the cursor, all
in one transaction holding a lock on the cursor row, so two workers never count a row twice.

Ids are drawn when a row is written, not when its transaction commits: a row with a lower id
may become visible after one with a higher id. Only rows older than ZHICHAN_COUNTS_LAG_SECONDS
are taken, and reading stops at the first younger row, so a transaction that commits within the
lag is never skipped. Everything a fact needs is either fixed when its row was written (stamped
on the row, like a case event's agency and on-time flag) or never changes (a case's type and
channel), which is why counting in many steps gives exactly what `rebuild_counts` gives.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from zhichan.evaluation.models import CountCursor, DailyCount

BATCH = 20_000
ONE = Decimal(1)

# Fact keys, shared with the metrics.
RECEIVED = "received"
HOTLINE_RECEIVED = "hotline_received"
HOTLINE_FIRST_CONTACT = "hotline_first_contact"
FINISHED = "finished"
FINISHED_ON_TIME = "finished_on_time"
HANDLING_DAYS = "handling_days"
CLOSED = "closed"
REOPENED = "reopened"
SUPERVISED = "supervised"
RATING = "rating"  # kind: the level
REPORT = "report"  # kind: diagnosis or navigation
SCREENING = "screening"  # kind: page, export or api
ALERT = "alert"  # kind: the alert kind
PLEDGE_AMOUNT = "pledge_amount"
PLEDGES = "pledges"
TRAINING_HOURS = "training_hours"

# A fact: (day, region id, agency id, kind, key, value).
Fact = tuple[dt.date, int | None, int | None, str, str, Decimal]


class Places:
    """The region of each agency, read once per run. A fact keeps its own region (a county, a
    park or the city): the metrics add a county's parks to it when they sum."""

    def __init__(self):
        from zhichan.agencies.models import Agency

        self.agency_region = dict(Agency.objects.values_list("pk", "region_id"))

    def of_region(self, region_id):
        return region_id or None

    def of_agency(self, agency_id):
        return self.of_region(self.agency_region.get(agency_id)) if agency_id else None


def _day(at) -> dt.date:
    """The local calendar day of a moment (a date stays itself)."""
    if isinstance(at, dt.datetime):
        return at.astimezone(timezone.get_current_timezone()).date()
    return at


@dataclass
class Source:
    """One append-only table: `rows(after, limit)` yields (id, written at, ...) in id order."""

    name: str

    def rows(self, after: int, limit: int) -> list[tuple]:
        raise NotImplementedError

    def facts(self, rows: list[tuple], places: Places) -> Iterator[Fact]:
        raise NotImplementedError


class CaseEvents(Source):
    KINDS = ("created", "reply", "closed", "reopened", "supervised")

    def rows(self, after, limit):
        from zhichan.cases.models import CaseEvent

        return list(
            CaseEvent.objects.filter(pk__gt=after, kind__in=self.KINDS)
            .order_by("pk")
            .values_list(
                "pk", "at", "kind", "agency_id", "case__owner_id", "data", "case__type", "case__channel"
            )[:limit]
        )

    def facts(self, rows, places):
        # Only receipts keep the case type (trends by type); the other facts are summed over
        # types, which keeps the table several times smaller than its sources.
        for _pk, at, kind, agency_id, owner_id, data, case_type, channel in rows:
            agency_id = agency_id or owner_id  # rows written before agencies were stamped
            day, region = _day(at), places.of_agency(agency_id)
            base = (day, region, agency_id, "")
            hotline = channel == "hotline"
            if kind == "created":
                yield (day, region, agency_id, case_type, RECEIVED, ONE)
                if hotline:
                    yield (*base, HOTLINE_RECEIVED, ONE)
            elif kind in ("reply", "closed"):
                finish = (data or {}).get("finish")
                if finish:
                    yield (*base, FINISHED, ONE)
                    if finish.get("on_time"):
                        yield (*base, FINISHED_ON_TIME, ONE)
                    yield (*base, HANDLING_DAYS, Decimal(int(finish.get("days") or 0)))
                if kind == "closed":
                    yield (*base, CLOSED, ONE)
                    if hotline and (data or {}).get("first_contact"):
                        yield (*base, HOTLINE_FIRST_CONTACT, ONE)
            elif kind == "reopened":
                yield (*base, REOPENED, ONE)
            elif kind == "supervised":
                yield (*base, SUPERVISED, ONE)


class Ratings(Source):
    def rows(self, after, limit):
        from zhichan.cases.models import Rating

        return list(
            Rating.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "at", "agency_id", "level")[:limit]
        )

    def facts(self, rows, places):
        for _pk, at, agency_id, level in rows:
            yield (_day(at), places.of_agency(agency_id), agency_id, level, RATING, ONE)


class Alerts(Source):
    def rows(self, after, limit):
        from zhichan.watch.models import Alert

        return list(
            Alert.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list(
                "pk", "created_at", "kind", "watch_list__agency_id", "watch_list__enterprise__region_id"
            )[:limit]
        )

    def facts(self, rows, places):
        for _pk, at, kind, agency_id, region_id in rows:
            region = places.of_agency(agency_id) if agency_id else places.of_region(region_id)
            yield (_day(at), region, agency_id, kind, ALERT, ONE)


class Diagnoses(Source):
    def rows(self, after, limit):
        from zhichan.diagnosis.models import DiagnosisEvent

        return list(
            DiagnosisEvent.objects.filter(pk__gt=after, kind="submitted")
            .order_by("pk")
            .values_list("pk", "at", "diagnosis__region_id")[:limit]
        )

    def facts(self, rows, places):
        for _pk, at, region_id in rows:
            yield (_day(at), places.of_region(region_id), None, "diagnosis", REPORT, ONE)


class NavigationReports(Source):
    def rows(self, after, limit):
        from zhichan.ipdata.models import IndustryEvent

        return list(
            IndustryEvent.objects.filter(pk__gt=after, kind="report_done")
            .order_by("pk")
            .values_list("pk", "at", "report__requested_by__agency_id", "report__requested_by__region_id")[
                :limit
            ]
        )

    def facts(self, rows, places):
        for _pk, at, agency_id, region_id in rows:
            region = places.of_agency(agency_id) if agency_id else places.of_region(region_id)
            yield (_day(at), region, agency_id, "navigation", REPORT, ONE)


class Pledges(Source):
    def rows(self, after, limit):
        from zhichan.finance.models import PledgeEvent

        return list(
            PledgeEvent.objects.filter(pk__gt=after, kind="registered")
            .order_by("pk")
            .values_list(
                "pk",
                "at",
                "pledge__registered_on",
                "pledge__amount",
                "pledge__pledgee_id",
                "pledge__pledgor__region_id",
            )[:limit]
        )

    def facts(self, rows, places):
        for _pk, _at, day, amount, pledgee_id, region_id in rows:
            # The pledgor's region: financing reached the enterprises of that county or park.
            region = places.of_region(region_id)
            yield (day, region, pledgee_id, "", PLEDGE_AMOUNT, amount)
            yield (day, region, pledgee_id, "", PLEDGES, ONE)


class Training(Source):
    """An event's end: the hours of each agency person who attended, for that person's agency.

    Nobody checks in to a finished event, so its attendance is fixed when the event ends."""

    def rows(self, after, limit):
        from zhichan.training.models import TrainingLog

        return list(
            TrainingLog.objects.filter(pk__gt=after, kind="finished")
            .order_by("pk")
            .values_list("pk", "at", "event_id", "event__starts_at", "event__hours")[:limit]
        )

    def facts(self, rows, places):
        from zhichan.accounts.models import AGENCY_ROLES
        from zhichan.training.models import Registration, RegistrationStatus

        events = {event_id: (starts_at, hours) for _pk, _at, event_id, starts_at, hours in rows}
        attended = Registration.objects.filter(
            event_id__in=list(events),
            status=RegistrationStatus.ATTENDED,
            user__role__in=AGENCY_ROLES,
            user__agency__isnull=False,
        ).values_list("event_id", "user__agency_id")
        for event_id, agency_id in attended:
            starts_at, hours = events[event_id]
            yield (_day(starts_at), places.of_agency(agency_id), agency_id, "", TRAINING_HOURS, hours)


class Screenings(Source):
    def rows(self, after, limit):
        from zhichan.screening.models import ScreeningLog

        return list(
            ScreeningLog.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "at", "channel", "agency_id", "region_id")[:limit]
        )

    def facts(self, rows, places):
        for _pk, at, channel, agency_id, region_id in rows:
            region = places.of_agency(agency_id) if agency_id else places.of_region(region_id)
            yield (_day(at), region, agency_id, channel, SCREENING, ONE)


SOURCES: list[Source] = [
    CaseEvents("case_events"),
    Ratings("ratings"),
    Alerts("watch_alerts"),
    Diagnoses("diagnoses"),
    NavigationReports("navigation_reports"),
    Pledges("pledges"),
    Training("training"),
    Screenings("screenings"),
]


def _sum_into(totals: dict, facts: Iterable[Fact]) -> None:
    for day, region, agency, kind, key, value in facts:
        totals[(day, region, agency, kind, key)] += value


def _insert(totals: Iterable[tuple[tuple, Decimal]]) -> None:
    """Write new count rows: COPY on PostgreSQL (a rebuild writes millions), else bulk inserts."""
    if connection.vendor == "postgresql":
        columns = "day, region_id, agency_id, kind, key, value"
        sql = f"COPY {DailyCount._meta.db_table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for (day, region, agency, kind, key), value in totals:
                copy.write_row((day, region, agency, kind, key, value))
        return
    DailyCount.objects.bulk_create(
        (
            DailyCount(day=day, region_id=region, agency_id=agency, kind=kind, key=key, value=value)
            for (day, region, agency, kind, key), value in totals
        ),
        batch_size=2000,
    )


def _add(facts: Iterable[Fact]) -> int:
    """Add the facts to the counts: existing rows grow, new ones are written. Returns rows touched."""
    totals: dict[tuple, Decimal] = defaultdict(Decimal)
    _sum_into(totals, facts)
    if not totals:
        return 0
    days = [k[0] for k in totals]
    keys = {k[4] for k in totals}
    existing = {
        (c.day, c.region_id, c.agency_id, c.kind, c.key): c
        for c in DailyCount.objects.filter(key__in=keys, day__gte=min(days), day__lte=max(days))
    }
    changed, new = [], []
    for ident, value in totals.items():
        row = existing.get(ident)
        if row is None:
            day, region, agency, kind, key = ident
            new.append(
                DailyCount(day=day, region_id=region, agency_id=agency, kind=kind, key=key, value=value)
            )
        else:
            row.value += value
            changed.append(row)
    DailyCount.objects.bulk_create(new, batch_size=2000)
    DailyCount.objects.bulk_update(changed, ["value"], batch_size=1000)
    return len(totals)


def _step(source: Source, cutoff: dt.datetime, places: Places, limit: int, totals: dict | None) -> int:
    """Count one batch of a source in one transaction (the cursor row locked, so a second
    worker waits and then reads the moved cursor); the number of rows taken. With `totals`
    (a rebuild) the facts are summed there and written once at the end."""
    with transaction.atomic():
        cursor = CountCursor.objects.select_for_update().get(source=source.name)
        rows = source.rows(cursor.position, limit)
        taken = []
        for row in rows:
            if row[1] is None or row[1] > cutoff:
                break  # younger than the lag (or its transaction may still be open): next run
            taken.append(row)
        if not taken:
            return 0
        if totals is None:
            _add(source.facts(taken, places))
        else:
            _sum_into(totals, source.facts(taken, places))
        cursor.position = taken[-1][0]
        cursor.save(update_fields=["position", "updated_at"])
        return len(taken)


def update_counts(now: dt.datetime | None = None, limit: int = BATCH, *, _totals: dict | None = None) -> dict:
    """Count every source's new rows; {source: rows counted}."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=settings.ZHICHAN_COUNTS_LAG_SECONDS)
    places = Places()
    CountCursor.objects.bulk_create([CountCursor(source=s.name) for s in SOURCES], ignore_conflicts=True)
    done = {}
    for source in SOURCES:
        total = 0
        while True:
            taken = _step(source, cutoff, places, limit, _totals)
            total += taken
            if not taken or taken < limit:
                break
        done[source.name] = total
    return done


def rebuild_counts(now: dt.datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """Empty the counts and count every source again from its first row, in one transaction
    (the figures never show half a rebuild; the worker waits on the cursor rows meanwhile).
    The facts are summed in memory and written once: the table is empty, nothing to merge."""
    with transaction.atomic():
        CountCursor.objects.bulk_create([CountCursor(source=s.name) for s in SOURCES], ignore_conflicts=True)
        list(CountCursor.objects.select_for_update().order_by("source"))
        DailyCount.objects.all().delete()
        CountCursor.objects.update(position=0)
        totals: dict[tuple, Decimal] = defaultdict(Decimal)
        done = update_counts(now, limit, _totals=totals)
        _insert(totals.items())
    if connection.vendor == "postgresql":
        # The table was refilled at once: give the planner its new shape.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {DailyCount._meta.db_table}")
    return done
