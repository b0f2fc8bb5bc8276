"""A hand-built quarter (2026Q1) of cases, ratings and other facts, for the metric tests.

The expected figures in test_metrics.py are worked out by hand from the list below.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from tests.factories import AgencyFactory
from zhichan.agencies.models import AgencyType
from zhichan.cases.models import Case, CaseEvent, Rating
from zhichan.diagnosis.models import Diagnosis, DiagnosisEvent, Questionnaire
from zhichan.finance.models import Pledge, PledgeEvent
from zhichan.ipdata.models import IndustryEvent, NavigationReport
from zhichan.screening.models import ScreeningLog
from zhichan.training.models import Registration, RegistrationStatus, TrainingEvent, TrainingLog
from zhichan.watch.models import Alert, WatchItem, WatchList

TZ = ZoneInfo("Asia/Shanghai")


def at(month, day, hour=12, year=2026):
    return dt.datetime(year, month, day, hour, tzinfo=TZ)


def make_case(owner, type="consultation", channel="web", received=None, name=None, **fields):
    received = received or at(1, 1)
    n = Case.objects.count() + 1
    return Case.objects.create(
        number=f"T-{n:05d}",
        tracking_token=secrets.token_urlsafe(16),
        tracking_code="ABCD2345",
        type=type,
        channel=channel,
        subject=f"case {name or n}",
        description="d",
        owner=owner,
        deadline=fields.pop("deadline", received + dt.timedelta(days=20)),
        received_at=received,
        created_at=received,
        **fields,
    )


def event(case, kind, when, agency=None, **data):
    row = CaseEvent.objects.create(case=case, kind=kind, agency=agency or case.owner, data=data)
    CaseEvent.objects.filter(pk=row.pk).update(at=when)
    return row


def finish(on_time, days):
    return {"finish": {"on_time": on_time, "days": days}}


def rate(case, level, when, agency=None):
    rating = Rating.objects.create(case=case, level=level, agency=agency or case.owner, comment=f"{level}!")
    Rating.objects.filter(pk=rating.pk).update(at=when)
    return rating


def build_cases(w):
    """The cases of 2026Q1 (and two steps just outside it)."""
    w.uni_b = AgencyFactory(name="乙县大学", type=AgencyType.UNIVERSITY, region=w.county_b)
    c = SimpleNamespace()
    # County A
    c.c1 = make_case(name="1", owner=w.centre_a, received=at(1, 5), status="closed")
    event(c.c1, "created", at(1, 5))
    event(c.c1, "reply", at(1, 10), **finish(True, 3))
    event(c.c1, "closed", at(1, 12))
    c.c2 = make_case(
        name="2",
        owner=w.outlet_a,
        type="complaint",
        channel="hotline",
        received=at(2, 1),
        first_contact=True,
        status="closed",
    )
    event(c.c2, "created", at(2, 1))
    event(c.c2, "reply", at(2, 1), **finish(True, 0))
    event(c.c2, "closed", at(2, 1), first_contact=True)
    c.c3 = make_case(
        name="3", owner=w.centre_a, type="complaint", channel="hotline", received=at(2, 3), status="accepted"
    )
    event(c.c3, "created", at(2, 3))
    event(c.c3, "reply", at(3, 20), **finish(False, 30))
    event(c.c3, "closed", at(3, 21))
    event(c.c3, "reopened", at(3, 25))
    # Still running, past its deadline: overdue.
    c.c4 = make_case(name="4", owner=w.centre_a, received=at(3, 1), status="accepted", deadline=at(3, 10))
    event(c.c4, "created", at(3, 1))
    event(c.c4, "supervised", at(3, 15))
    # County B
    c.c5 = make_case(name="5", owner=w.centre_b, channel="letter", received=at(1, 20), status="closed")
    event(c.c5, "created", at(1, 20))
    event(c.c5, "closed", at(1, 25), **finish(True, 4))
    c.c6 = make_case(name="6", owner=w.uni_b, received=at(2, 10), status="closed")
    event(c.c6, "created", at(2, 10))
    event(c.c6, "closed", at(2, 20), **finish(True, 8))
    # Received by county A, referred to county B, closed there.
    c.c9 = make_case(name="9", owner=w.centre_b, received=at(1, 16), status="closed")
    event(c.c9, "created", at(1, 15), agency=w.centre_a)
    event(c.c9, "referred", at(1, 16), agency=w.centre_b)
    event(c.c9, "closed", at(1, 30), **finish(True, 10))
    # City
    c.c7 = make_case(name="7", owner=w.city_centre, type="report", received=at(3, 30))
    event(c.c7, "created", at(3, 30))
    # Outside the quarter on both ends (local time).
    c.c8 = make_case(name="8", owner=w.centre_a, received=at(12, 31, 23, year=2025), status="replied")
    event(c.c8, "created", at(12, 31, 23, year=2025))
    event(c.c8, "reply", dt.datetime(2026, 4, 1, 0, 30, tzinfo=TZ), **finish(True, 60))
    # Ratings
    rate(c.c1, "satisfied", at(1, 13))
    rate(c.c3, "dissatisfied", at(3, 22))
    rate(c.c2, "basic", at(2, 2))
    rate(c.c5, "dissatisfied", at(1, 26))
    rate(c.c9, "satisfied", at(2, 1))
    return c


def build_others(w):
    """Screenings, alerts, a pledge, training, reports."""
    for when in (at(1, 3), at(2, 3)):
        log = ScreeningLog.objects.create(channel="page", region=w.county_a)
        ScreeningLog.objects.filter(pk=log.pk).update(at=when)
    log = ScreeningLog.objects.create(channel="api", agency=w.centre_b, region=w.county_b)
    ScreeningLog.objects.filter(pk=log.pk).update(at=at(3, 3))
    log = ScreeningLog.objects.create(channel="page")
    ScreeningLog.objects.filter(pk=log.pk).update(at=at(3, 4))
    log = ScreeningLog.objects.create(channel="page", region=w.county_a)
    ScreeningLog.objects.filter(pk=log.pk).update(at=at(4, 4))  # next quarter

    watch = WatchList.objects.create(enterprise=w.enterprise_a, name="marks")
    item = WatchItem.objects.create(watch_list=watch, kind="mark", text="晋商")
    for n, when in enumerate((at(1, 8), at(3, 8))):
        alert = Alert.objects.create(
            watch_list=watch, item=item, kind="similar_mark", key=f"k{n}", summary="s"
        )
        Alert.objects.filter(pk=alert.pk).update(created_at=when)

    bank = AgencyFactory(name="银行", type=AgencyType.FINANCIAL, region=w.city)
    pledge = Pledge.objects.create(
        pledgor=w.enterprise_a,
        pledgee=bank,
        amount=Decimal("1000000.50"),
        term_months=12,
        registration_number="ZX-1",
        registered_on=dt.date(2026, 2, 1),
    )
    PledgeEvent.objects.create(pledge=pledge, kind="registered", to_state="in_force")

    training = TrainingEvent.objects.create(
        title="t",
        audience="agency_staff",
        organiser=w.city_centre,
        region=w.city,
        starts_at=at(2, 5, 9),
        ends_at=at(2, 5, 12),
        capacity=10,
        hours=Decimal("3.5"),
        status="finished",
    )
    for user in (w.users.staff_a, w.users.agency_admin_a, w.users.public):
        Registration.objects.create(event=training, user=user, status=RegistrationStatus.ATTENDED)
    Registration.objects.create(event=training, user=w.users.staff_b, status=RegistrationStatus.NO_SHOW)
    TrainingLog.objects.create(event=training, kind="finished", to_state="finished")

    report = NavigationReport.objects.create(
        title="新材料", query="q", requested_by=w.users.staff_a, status="done"
    )
    row = IndustryEvent.objects.create(kind="report_done", report=report)
    IndustryEvent.objects.filter(pk=row.pk).update(at=at(3, 5))
    questionnaire = Questionnaire.objects.create(code="q", version=1, title="q", definition={}, digest="x")
    diagnosis = Diagnosis.objects.create(
        questionnaire=questionnaire,
        user=w.users.enterprise,
        status="submitted",
        region=w.county_b,
        enterprise_name="乙县公司",
        submitted_at=at(2, 6),
    )
    row = DiagnosisEvent.objects.create(diagnosis=diagnosis, kind="submitted", to_state="submitted")
    DiagnosisEvent.objects.filter(pk=row.pk).update(at=at(2, 6))
