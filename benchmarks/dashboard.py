#!/usr/bin/env python3
# ruff: noqa: E501, S608 - the direct SQL aggregates are long literal statements; only ints are formatted in
"""Evaluation figures from the daily counts against direct aggregates over the raw tables.

Fills the PostgreSQL database named by DATABASE_URL (its cases, case events, ratings, screening
log, alerts and counts are EMPTIED first; use a database of your own) with CASES cases spread
over the last three years (11 Jinzhong counties, 60 agencies of all types, every case type,
channel and ending: first-contact answers, on-time and late replies, closings, declines,
referrals, reopenings, supervision, ratings) with their events in time order, as they are
written in service, and EVENTS rows of the other sources (screenings and watch alerts), by COPY.
Then it rebuilds the counts (timed), and times each scenario RUNS times, both ways:

- counts: the registered metrics (`Metric.values`), which read `DailyCount`;
- direct: hand-written SQL aggregates over the raw tables giving the same figures (checked
  equal on the first run).

Scenarios:

- city dashboard: every metric for the city and each county for one quarter, and the monthly
  trend of cases received over 12 months;
- county scorecard: every metric that has agency figures, for each agency of one county, for
  one quarter;
- the city dashboard page and a county dashboard page as served to a signed-in administrator
  (rendered HTML through Django's test client), timed against the direct aggregates of the
  figures they show.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zc_h1 python benchmarks/dashboard.py --cases 100000
    DATABASE_URL=... python benchmarks/dashboard.py            # 10^6 cases, 10^5 other rows

Prints median and p95 in ms per scenario both ways, their ratio, and the rebuild time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import io
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

YEARS = 3
N_AGENCIES = 60
TYPES = [
    ("consultation", 45), ("complaint", 15), ("report", 8), ("assistance", 10),
    ("fair_complaint", 4), ("mediation", 6), ("service_application", 12),
]  # fmt: skip
CHANNELS = [("web", 50), ("hotline", 25), ("window", 15), ("letter", 5), ("email", 5)]
AGENCY_TYPES = [
    ("service_centre", 10), ("workstation", 14), ("tm_guidance_station", 8), ("tisc", 4),
    ("assistance_branch", 4), ("tm_window", 4), ("university", 5), ("library", 3),
    ("social_org", 4), ("market_provider", 4),
]  # fmt: skip
LIMIT_DAYS = 14  # calendar days to the deadline (about ten working days)


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def setup_django():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database of your own (it is emptied).")
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("ZHICHAN_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhichan.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- the network -------------------------------------------------------------------------------


def make_network(rng):
    from zhichan.agencies.models import Agency, AgencyFunction, Function, Level
    from zhichan.enterprises.models import Enterprise
    from zhichan.ipdata.synthetic import jinzhong_counties
    from zhichan.regions.models import Region, RegionKind
    from zhichan.watch.models import WatchItem, WatchList

    city, _ = Region.objects.get_or_create(
        code="140700", defaults={"name": "晋中市", "kind": RegionKind.CITY}
    )
    counties = []
    for code, name in jinzhong_counties().items():
        region, _ = Region.objects.get_or_create(
            code=code, defaults={"name": name, "kind": RegionKind.COUNTY, "parent": city}
        )
        counties.append(region)
    agencies = list(Agency.objects.filter(name__startswith="BENCH-").order_by("pk"))
    if len(agencies) < N_AGENCIES:
        kinds = [t for t, w in AGENCY_TYPES for _ in range(w)]
        functions = [f for f, _l in Function.choices]
        for n in range(len(agencies), N_AGENCIES):
            region = city if n < 4 else counties[n % len(counties)]
            agency = Agency.objects.create(
                name=f"BENCH-{n:02d}",
                level=Level.CITY if region == city else Level.COUNTY,
                type=kinds[n % len(kinds)],
                region=region,
                status="operating",
                address="-",
                opening_hours="-",
                phone="-",
            )
            for code in rng.sample(functions, 3):
                AgencyFunction.objects.create(agency=agency, function=code)
            agencies.append(agency)
    lists = list(WatchList.objects.filter(name="BENCH").select_related("enterprise"))
    if not lists:
        for n in range(110):
            enterprise = Enterprise.objects.create(
                name=f"BENCH企业{n}", normalized_name=f"BENCH企业{n}", region=counties[n % len(counties)]
            )
            keeper = agencies[n % len(agencies)] if n % 3 == 0 else None
            watch = WatchList.objects.create(enterprise=enterprise, agency=keeper, name="BENCH")
            WatchItem.objects.create(watch_list=watch, kind="mark", text=f"标{n}")
        lists = list(WatchList.objects.filter(name="BENCH").select_related("enterprise"))
    items = {w.pk: w.items.first().pk for w in lists}
    return city, counties, agencies, [(w.pk, items[w.pk]) for w in lists]


# --- the data ----------------------------------------------------------------------------------


class Copier:
    """Rows written with COPY in chunks (text format, tab separated)."""

    def __init__(self, table, columns, chunk=200_000, after=()):
        self.table, self.columns, self.chunk, self.after = table, columns, chunk, after
        self.buffer, self.count, self.total = io.StringIO(), 0, 0

    @staticmethod
    def text(value):
        if value is None:
            return r"\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        if isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False).replace("\\", "\\\\")
        return str(value)

    def add(self, *row):
        self.buffer.write("\t".join(self.text(v) for v in row))
        self.buffer.write("\n")
        self.count += 1
        if self.count >= self.chunk:
            self.flush()

    def flush(self):
        from django.db import connection

        if not self.count:
            return
        for other in self.after:  # the rows this table's rows refer to go first
            other.flush()
        with connection.cursor() as cursor:
            sql = f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                copy.write(self.buffer.getvalue())
        self.total += self.count
        self.buffer, self.count = io.StringIO(), 0


def pick(rng, weighted):
    return rng.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


def generate(n_cases, n_events, rng, city, counties, agencies, watch):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE cases_case, cases_caseevent, cases_rating, screening_screeninglog, watch_alert, "
            "evaluation_dailycount, evaluation_countcursor RESTART IDENTITY CASCADE"
        )
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = now - dt.timedelta(days=365 * YEARS)
    days = 365 * YEARS
    cases = Copier(
        "cases_case",
        ["id", "number", "tracking_token", "tracking_code", "type", "subtype", "channel", "status",
         "resume_status", "ip_type", "subject", "description", "requester_name", "requester_phone",
         "requester_email", "anonymous", "owner_id", "deadline", "paused_total", "received_at",
         "created_at", "reopen_count", "first_contact", "replied_at", "closed_at", "supervised_at"],
    )  # fmt: skip
    events = Copier(
        "cases_caseevent",
        ["id", "case_id", "agency_id", "at", "kind", "from_state", "to_state", "note", "data", "public"],
        after=[cases],
    )
    ratings = Copier("cases_rating", ["id", "case_id", "level", "comment", "agency_id", "at"], after=[cases])
    pending: list = []  # (at, seq, table, row): events and ratings, written in time order
    seq = [0, 0]  # event id, rating id
    weights = [rng.uniform(0.3, 3.0) for _ in agencies]

    def later(at, row, table="event"):
        seq_no = len(pending) + rng.random()
        heapq.heappush(pending, (at, seq_no, table, row))

    def drain(until):
        while pending and pending[0][0] < until:
            at, _s, table, row = heapq.heappop(pending)
            if table == "event":
                seq[0] += 1
                events.add(seq[0], row[0], row[1], at, row[2], "", "", "", row[3], True)
            else:
                seq[1] += 1
                ratings.add(seq[1], row[0], row[1], "", row[2], at)

    case_id = 0
    per_day = n_cases / days
    carry = 0.0
    for day in range(days):
        day_start = start + dt.timedelta(days=day)
        carry += per_day * (1.25 if day_start.weekday() < 5 else 0.375)  # a week averages 1
        todays = int(carry)
        carry -= todays
        todays = min(todays, n_cases - case_id)
        for _ in range(todays):
            case_id += 1
            received = day_start + dt.timedelta(seconds=rng.randrange(8 * 3600, 18 * 3600))
            agency = rng.choices(agencies, weights)[0]
            kind = pick(rng, TYPES)
            channel = pick(rng, CHANNELS)
            deadline = received + dt.timedelta(days=LIMIT_DAYS)
            owner = agency
            status, replied, closed, supervised, reopens, first = "new", None, None, None, 0, False
            later(received, (case_id, agency.pk, "created", {}))
            roll = rng.random()
            if channel == "hotline" and roll < 0.4:
                first, status, replied, closed = True, "closed", received, received
                later(received, (case_id, agency.pk, "reply", {"finish": {"on_time": True, "days": 0}}))
                later(received, (case_id, agency.pk, "closed", {"first_contact": True}))
            elif roll < 0.45:
                if rng.random() < 0.03:  # referred the next day
                    target = rng.choice(agencies)
                    if target.pk != owner.pk:
                        owner = target
                        received = received + dt.timedelta(days=1)
                        deadline = received + dt.timedelta(days=LIMIT_DAYS)
                        later(received, (case_id, owner.pk, "referred", {}))
                if rng.random() < 0.05:
                    closed, status = received + dt.timedelta(days=1), "declined"
                    later(closed, (case_id, owner.pk, "declined", {}))
                else:
                    status = "accepted"
                    later(
                        received + dt.timedelta(hours=rng.randrange(1, 48)),
                        (case_id, owner.pk, "accepted", {}),
                    )
                    took = rng.randrange(1, 12) if rng.random() < 0.85 else rng.randrange(12, 40)
                    finish_at = received + dt.timedelta(days=took, hours=rng.randrange(0, 8))
                    on_time = finish_at <= deadline
                    if not on_time and rng.random() < 0.3:
                        supervised = deadline + dt.timedelta(days=1)
                        later(supervised, (case_id, owner.pk, "supervised", {}))
                    fact = {"finish": {"on_time": on_time, "days": round(took * 5 / 7)}}
                    if finish_at < now:
                        if rng.random() < 0.8:
                            replied, status = finish_at, "replied"
                            later(finish_at, (case_id, owner.pk, "reply", fact))
                            closed = finish_at + dt.timedelta(days=rng.randrange(1, 6))
                            if closed < now:
                                status = "closed"
                                later(closed, (case_id, owner.pk, "closed", {}))
                        else:
                            closed, status = finish_at, "closed"
                            later(closed, (case_id, owner.pk, "closed", fact))
                        if status == "closed" and rng.random() < 0.04:
                            reopened = closed + dt.timedelta(days=2)
                            again = reopened + dt.timedelta(days=rng.randrange(2, 10))
                            if again < now:
                                reopens = 1
                                later(reopened, (case_id, owner.pk, "reopened", {}))
                                later(again, (case_id, owner.pk, "closed", {}))
                                closed = again
            else:
                status = "closed"
                took = rng.randrange(0, 10) if rng.random() < 0.9 else rng.randrange(10, 30)
                finish_at = received + dt.timedelta(days=took, hours=rng.randrange(0, 8))
                if finish_at < now:
                    replied = closed = finish_at
                    fact = {"finish": {"on_time": finish_at <= deadline, "days": round(took * 5 / 7)}}
                    later(finish_at, (case_id, owner.pk, "reply", fact))
                    later(finish_at + dt.timedelta(minutes=5), (case_id, owner.pk, "closed", {}))
                else:
                    status, closed = "accepted", None
            if status == "closed" and rng.random() < 0.3 and closed + dt.timedelta(days=1) < now:
                level = rng.choices(["satisfied", "basic", "dissatisfied"], [70, 20, 10])[0]
                later(closed + dt.timedelta(days=1), (case_id, level, owner.pk), "rating")
            cases.add(
                case_id, f"B{case_id:09d}", f"t{case_id:030d}", "ABCD2345", kind, "", channel, status, "", "",
                "bench", "bench", "", "", "", False, owner.pk, deadline, "0", received, received, reopens, first,
                replied, closed, supervised,
            )  # fmt: skip
        drain(day_start + dt.timedelta(days=1))
    drain(now + dt.timedelta(days=3650))
    for copier in (cases, events, ratings):
        copier.flush()

    # Other sources: screenings (half with a county, some by agency staff) and watch alerts.
    screenings = Copier("screening_screeninglog", ["at", "channel", "region_id", "agency_id", "classes"])
    alerts = Copier(
        "watch_alert", ["watch_list_id", "item_id", "kind", "key", "summary", "detail", "created_at"]
    )
    moments = sorted(start + dt.timedelta(seconds=rng.randrange(days * 86400)) for _ in range(n_events))
    for n, at in enumerate(moments):
        if n % 2 == 0:
            agency = rng.choice(agencies) if rng.random() < 0.2 else None
            region = agency.region_id if agency else (rng.choice(counties).pk if rng.random() < 0.6 else None)
            screenings.add(
                at, rng.choice(["page", "api", "export"]), region, agency.pk if agency else None, 2
            )
        else:
            watch_list, item = rng.choice(watch)
            alerts.add(watch_list, item, "similar_mark", f"k{n}", "bench", {}, at)
    screenings.flush()
    alerts.flush()
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_caseevent", "cases_rating"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    return cases.total, events.total, ratings.total, screenings.total, alerts.total


# --- direct aggregates -------------------------------------------------------------------------


PROVIDERS = "('university', 'library', 'social_org', 'market_provider')"
EVENTS = "cases_caseevent e JOIN agencies_agency a ON a.id = e.agency_id"
# code -> (SQL giving (group, numerator, denominator) per agency region or agency, how to combine)
DIRECT = {
    "cases_received": f"SELECT {{g}}, count(*), 0 FROM {EVENTS} WHERE e.kind = 'created' AND e.at >= %s AND e.at < %s {{f}} GROUP BY 1",
    "cases_closed": f"SELECT {{g}}, count(*), 0 FROM {EVENTS} WHERE e.kind = 'closed' AND e.at >= %s AND e.at < %s {{f}} GROUP BY 1",
    "supervision_count": f"SELECT {{g}}, count(*), 0 FROM {EVENTS} WHERE e.kind = 'supervised' AND e.at >= %s AND e.at < %s {{f}} GROUP BY 1",
    "provider_services": f"SELECT {{g}}, count(*), 0 FROM {EVENTS} WHERE e.kind = 'closed' AND a.type IN {PROVIDERS} AND e.at >= %s AND e.at < %s {{f}} GROUP BY 1",
    "on_time_rate": f"SELECT {{g}}, sum(((e.data->'finish'->>'on_time')::boolean)::int), count(*) FROM {EVENTS} WHERE e.kind IN ('reply', 'closed') AND e.data ? 'finish' AND e.at >= %s AND e.at < %s {{f}} GROUP BY 1",
    "avg_handling_days": f"SELECT {{g}}, sum((e.data->'finish'->>'days')::int), count(*) FROM {EVENTS} WHERE e.kind IN ('reply', 'closed') AND e.data ? 'finish' AND e.at >= %s AND e.at < %s {{f}} GROUP BY 1",
    "reopen_rate": f"SELECT {{g}}, sum((e.kind = 'reopened')::int), sum((e.kind = 'closed')::int) FROM {EVENTS} WHERE e.kind IN ('reopened', 'closed') AND e.at >= %s AND e.at < %s {{f}} GROUP BY 1",
    "first_contact_rate": f"SELECT {{g}}, sum((e.kind = 'closed' AND e.data->>'first_contact' = 'true')::int), sum((e.kind = 'created')::int) FROM {EVENTS} JOIN cases_case c ON c.id = e.case_id WHERE c.channel = 'hotline' AND e.kind IN ('created', 'closed') AND e.at >= %s AND e.at < %s {{f}} GROUP BY 1",
    "satisfaction_rate": "SELECT {g}, sum((r.level IN ('satisfied', 'basic'))::int), count(*) FROM cases_rating r JOIN agencies_agency a ON a.id = r.agency_id WHERE r.at >= %s AND r.at < %s {f} GROUP BY 1",
    "screenings_served": "SELECT {g}, count(*), 0 FROM screening_screeninglog s LEFT JOIN agencies_agency a ON a.id = s.agency_id WHERE s.at >= %s AND s.at < %s {f} GROUP BY 1",
    "watch_alerts": "SELECT {g}, count(*), 0 FROM watch_alert al JOIN watch_watchlist wl ON wl.id = al.watch_list_id JOIN enterprises_enterprise en ON en.id = wl.enterprise_id LEFT JOIN agencies_agency a ON a.id = wl.agency_id WHERE al.created_at >= %s AND al.created_at < %s {f} GROUP BY 1",
    "pledge_amount": "SELECT {g}, sum(p.amount), 0 FROM finance_pledge p JOIN enterprises_enterprise en ON en.id = p.pledgor_id JOIN agencies_agency a ON a.id = p.pledgee_id WHERE p.registered_on >= %s::date AND p.registered_on < %s::date {f} GROUP BY 1",
    "training_hours": "SELECT {g}, sum(ev.hours), 0 FROM training_registration r JOIN training_trainingevent ev ON ev.id = r.event_id JOIN accounts_user u ON u.id = r.user_id JOIN agencies_agency a ON a.id = u.agency_id WHERE r.status = 'attended' AND ev.status = 'finished' AND u.role IN ('agency_staff', 'agency_admin') AND ev.starts_at >= %s AND ev.starts_at < %s {f} GROUP BY 1",
    "reports_delivered": "SELECT {g}, count(*), 0 FROM diagnosis_diagnosis d LEFT JOIN agencies_agency a ON false WHERE d.status = 'submitted' AND d.submitted_at >= %s AND d.submitted_at < %s {f} GROUP BY 1",
}  # fmt: skip
# The group of a row by area: the agency's region, else the enterprise's or the row's own.
AREA = {
    "screenings_served": "coalesce(a.region_id, s.region_id)",
    "watch_alerts": "coalesce(a.region_id, en.region_id)",
    "pledge_amount": "en.region_id",
    "reports_delivered": "d.region_id",
}
RATES = {"on_time_rate", "reopen_rate", "first_contact_rate", "satisfaction_rate"}
LIVE = {"outlets_operating", "functions_covered", "coverage_rate", "catalogue_items"}


def direct(code, by, period, agency_ids=None):
    """{group: (numerator, denominator)} where group is an area region id (by="area") or an agency."""
    from django.db import connection

    from zhichan.evaluation.standard import _bounds

    if by == "area":
        group = AREA.get(code, "a.region_id")
        where = ""
    else:
        group = "a.id"
        where = f"AND a.id IN ({', '.join(str(int(i)) for i in agency_ids)})"
    start, end = _bounds(period)
    with connection.cursor() as cursor:
        cursor.execute(DIRECT[code].format(g=group, f=where), [start, end])
        return {g: (Decimal(n or 0), Decimal(d or 0)) for g, n, d in cursor.fetchall()}


def combine(code, pairs):
    from zhichan.evaluation.standard import _round

    n = sum((p[0] for p in pairs), Decimal(0))
    d = sum((p[1] for p in pairs), Decimal(0))
    if code in RATES:
        return _round(n * 100 / d) if d else None
    if code == "avg_handling_days":
        return _round(n / d) if d else None
    return n


def direct_values(code, scopes, period, city_id):
    from zhichan.evaluation.metrics import METRICS

    if code in LIVE:  # read from the live tables both ways
        return METRICS[code].values(scopes, period)
    agency_scopes = [s for s in scopes if s.kind == "agency"]
    out = {}
    if agency_scopes:
        found = direct(code, "agency", period, [s.id for s in agency_scopes])
        for s in agency_scopes:
            out[s] = combine(code, [found[s.id]] if s.id in found else [])
    area_scopes = [s for s in scopes if s.kind != "agency"]
    if area_scopes:
        found = direct(code, "area", period)
        for s in area_scopes:
            if s.kind == "city":
                out[s] = combine(code, list(found.values()))
            else:
                out[s] = combine(code, [found[s.id]] if s.id in found else [])
    return out


# --- scenarios ---------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    counts: Callable[[], object]
    direct: Callable[[], object]
    # A page is timed against the direct figures it shows, not compared with them.
    compare: bool = True


def scenarios(city, counties, agencies, period):
    from zhichan.evaluation.metrics import METRICS, Scope, shared_reads
    from zhichan.evaluation.periods import month_spans

    areas = [Scope("city", city.pk)] + [Scope("county", c.pk) for c in counties]
    county = counties[0]
    own = [Scope("agency", a.pk) for a in agencies if a.region_id == county.pk]
    months = month_spans(period.end.year if period.end.month > 1 else period.end.year - 1,
                         (period.end.month - 2) % 12 + 1, 12)  # fmt: skip
    agency_codes = [c for c, m in METRICS.items() if "agency" in m.scope_kinds and (c in DIRECT or c in LIVE)]
    area_codes = [code for code in METRICS if code in DIRECT or code in LIVE]

    def city_counts():
        with shared_reads():  # as the pages do
            out = {code: METRICS[code].values(areas, period) for code in area_codes}
            out["trend"] = [METRICS["cases_received"].values(areas, span) for span in months]
        return out

    def city_direct():
        out = {code: direct_values(code, areas, period, city.pk) for code in area_codes}
        out["trend"] = [direct_values("cases_received", areas, span, city.pk) for span in months]
        return out

    def county_counts():
        with shared_reads():
            return {code: METRICS[code].values(own, period) for code in agency_codes}

    def county_direct():
        return {code: direct_values(code, own, period, city.pk) for code in agency_codes}

    city_page, county_page = pages(city, county, period)
    return [
        Scenario(f"city dashboard ({len(area_codes)} metrics x {len(areas)} areas + 12-month trend)",
                 city_counts, city_direct),
        Scenario(f"county scorecard ({len(agency_codes)} metrics x {len(own)} agencies)",
                 county_counts, county_direct),
        Scenario("city dashboard page, served (GET /evaluation/)", city_page, city_direct, compare=False),
        Scenario("county dashboard page, served (GET /evaluation/county/<id>/)", county_page, county_direct,
                 compare=False),
    ]  # fmt: skip


def pages(city, county, period):
    """The dashboards as a browser gets them: the page rendered for a signed-in administrator."""
    from django.test import Client

    from zhichan.accounts.models import Role, User

    admin, _ = User.objects.get_or_create(username="bench-city-admin", defaults={"role": Role.CITY_ADMIN})
    county_admin, _ = User.objects.get_or_create(
        username="bench-county-admin", defaults={"role": Role.COUNTY_ADMIN, "region": county}
    )
    city_client, county_client = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
    city_client.force_login(admin)
    county_client.force_login(county_admin)

    def get(client, url):
        response = client.get(url, {"period": period.code})
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response

    return (
        lambda: get(city_client, "/evaluation/"),
        lambda: get(county_client, f"/evaluation/county/{county.pk}/"),
    )


def normalise(value):
    if isinstance(value, dict):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return None if value is None else Decimal(value)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=100_000, help="rows of the other sources")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep the data of the previous run")
    args = parser.parse_args()
    setup_django()
    from zhichan.evaluation.counts import rebuild_counts
    from zhichan.evaluation.models import DailyCount
    from zhichan.evaluation.periods import Period

    rng = random.Random(args.seed)
    city, counties, agencies, watch = make_network(rng)
    if not args.reuse:
        started = time.perf_counter()
        made = generate(args.cases, args.events, rng, city, counties, agencies, watch)
        print(
            f"generated {made[0]:,} cases, {made[1]:,} case events, {made[2]:,} ratings, "
            f"{made[3]:,} screenings, {made[4]:,} alerts in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    started = time.perf_counter()
    rebuild_counts()
    rebuilt = time.perf_counter() - started
    print(
        f"full rebuild of the counts: {rebuilt:.1f} s ({DailyCount.objects.count():,} count rows)", flush=True
    )

    today = dt.date.today()
    period = Period.containing(today, "quarter").previous()
    rows = []
    for scenario in scenarios(city, counties, agencies, period):
        if scenario.compare and normalise(scenario.counts()) != normalise(scenario.direct()):
            print(f"!! {scenario.name}: the two ways disagree", flush=True)
        times = {"counts": [], "direct": []}
        for _ in range(args.runs):
            for way in ("counts", "direct"):
                began = time.perf_counter()
                getattr(scenario, way)()
                times[way].append((time.perf_counter() - began) * 1000)
        rows.append((scenario.name, times))
    print(f"\n{args.cases:,} cases, period {period}, {args.runs} runs each (ms)")
    print(f"{'scenario':<62} {'counts med':>10} {'p95':>8} {'direct med':>10} {'p95':>8} {'ratio':>7}")
    for name, times in rows:
        cm, dm = statistics.median(times["counts"]), statistics.median(times["direct"])
        print(
            f"{name:<62} {cm:>10.1f} {p95(times['counts']):>8.1f} {dm:>10.1f} {p95(times['direct']):>8.1f} "
            f"{dm / cm:>6.1f}x"
        )
    print(f"full rebuild of the counts: {rebuilt:.1f} s")


if __name__ == "__main__":
    main()
