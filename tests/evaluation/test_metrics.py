"""Each standard metric against the hand-built quarter of counts_fixture.py (expected by hand)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.evaluation.counts_fixture import build_cases, build_others
from tests.factories import ServiceItemFactory
from zhichan.evaluation.counts import update_counts
from zhichan.evaluation.metrics import METRICS, Scope, get_metric
from zhichan.evaluation.periods import Period, month_spans

Q1 = Period.parse("2026Q1")
D = Decimal


@pytest.fixture
def quarter(world):
    world.cases = build_cases(world)
    build_others(world)
    ServiceItemFactory(code="A-LISTED", owner_region=world.county_a, published=True)
    update_counts(now=timezone.now() + dt.timedelta(hours=1))
    world.city_s = Scope("city", world.city.pk)
    world.a = Scope("county", world.county_a.pk)
    world.b = Scope("county", world.county_b.pk)
    return world


def figures(code, w, *scopes, period=Q1):
    scopes = scopes or (w.city_s, w.a, w.b)
    found = get_metric(code).values(list(scopes), period)
    return [found[s] for s in scopes]


def test_all_codes_are_registered_with_their_attributes():
    assert set(METRICS) >= {
        "outlets_operating", "functions_covered", "coverage_rate", "catalogue_items", "cases_received",
        "cases_closed", "on_time_rate", "first_contact_rate", "avg_handling_days", "supervision_count",
        "satisfaction_rate", "reopen_rate", "reports_delivered", "screenings_served", "watch_alerts",
        "pledge_amount", "training_hours", "provider_services",
    }  # fmt: skip
    for metric in METRICS.values():
        assert metric.label and metric.unit and metric.dimension and metric.direction and metric.scope_kinds


def test_cases_received(quarter):
    w = quarter
    # city: c1 c2 c3 c4 c5 c6 c7 c9 (c8 was received on 31 December); A: c1-c4 and c9, received
    # by centre_a before its referral to B; B: c5 c6.
    assert figures("cases_received", w) == [8, 5, 2]
    centre_a, centre_b = Scope("agency", w.centre_a.pk), Scope("agency", w.centre_b.pk)
    assert figures("cases_received", w, centre_a, centre_b) == [4, 1]


def test_cases_closed(quarter):
    # A: c1 c2 c3; B: c5 c6 c9 (closed by centre_b after the referral).
    assert figures("cases_closed", quarter) == [6, 3, 3]


def test_on_time_rate(quarter):
    w = quarter
    # Finished: A c1 (on time) c2 (on time) c3 (late) = 2/3; B c5 c6 c9 all on time = 3/3;
    # city 5/6. c8's reply falls on 1 April. centre_a: c1 on time, c3 late = 1/2.
    assert figures("on_time_rate", w) == [D("83.3"), D("66.7"), D("100.0")]
    assert figures("on_time_rate", w, Scope("agency", w.centre_a.pk), Scope("agency", w.city_centre.pk)) == [
        D("50.0"),
        None,
    ]


def test_first_contact_rate(quarter):
    # Hotline cases received: c2 (closed at first contact) and c3, both in A: 1/2; none in B.
    assert figures("first_contact_rate", quarter) == [D("50.0"), D("50.0"), None]


def test_avg_handling_days(quarter):
    # A: (3 + 0 + 30) / 3 = 11.0; B: (4 + 8 + 10) / 3 = 7.33; city: 55 / 6 = 9.17.
    assert figures("avg_handling_days", quarter) == [D("9.2"), D("11.0"), D("7.3")]


def test_supervision_count(quarter):
    assert figures("supervision_count", quarter) == [1, 1, 0]


def test_satisfaction_rate(quarter):
    # A: c1 satisfied, c2 basic, c3 dissatisfied = 2/3; B: c5 dissatisfied, c9 satisfied = 1/2;
    # city 3/5.
    assert figures("satisfaction_rate", quarter) == [D("60.0"), D("66.7"), D("50.0")]


def test_reopen_rate(quarter):
    # A: c3 reopened / 3 closings; B: 0 / 3; city 1 / 6.
    assert figures("reopen_rate", quarter) == [D("16.7"), D("33.3"), D("0.0")]


def test_provider_services(quarter):
    w = quarter
    # Only c6 was closed by an outside provider (the university in B).
    assert figures("provider_services", w) == [1, 0, 1]
    assert figures("provider_services", w, Scope("agency", w.uni_b.pk)) == [1]


def test_reports_delivered(quarter):
    # The navigation report asked by staff of centre_a (A), the diagnosis of an enterprise in B.
    assert figures("reports_delivered", quarter) == [2, 1, 1]


def test_screenings_served(quarter):
    w = quarter
    # Two in A, one by centre_b, one anonymous (the city only); the April one is outside.
    assert figures("screenings_served", w) == [4, 2, 1]
    assert figures("screenings_served", w, Scope("agency", w.centre_b.pk)) == [1]


def test_watch_alerts(quarter):
    assert figures("watch_alerts", quarter) == [2, 2, 0]


def test_pledge_amount(quarter):
    # By the pledgor's county (A), and for the pledgee bank.
    w = quarter
    assert figures("pledge_amount", w) == [D("1000000.50"), D("1000000.50"), 0]


def test_training_hours(quarter):
    # 3.5 hours each for staff_a and agency_admin_a of centre_a; the public attendee and the
    # no-show of B count nothing.
    w = quarter
    assert figures("training_hours", w) == [D("7.0"), D("7.0"), 0]
    assert figures("training_hours", w, Scope("agency", w.centre_a.pk)) == [D("7.0")]


def current():
    """The network figures of a period not yet ended are the live ones (past: test_snapshots.py)."""
    return Period.containing(timezone.localdate(), "quarter")


def test_outlets_operating(quarter):
    # Operating: city centre, the bank (city), centre_a and the park outlet (A), centre_b and
    # the university (B); the planned and closed ones do not count.
    assert figures("outlets_operating", quarter, period=current()) == [6, 2, 2]


def test_functions_covered(quarter):
    # A: consultation and information; B: consultation; park A: consultation; city: 2 + 1 + 1.
    assert figures("functions_covered", quarter, period=current()) == [4, 2, 1]


def test_coverage_rate(quarter):
    # Of seven functions: A 2/7, B 1/7; city 4 of 21 cells (A, park A, B).
    assert figures("coverage_rate", quarter, period=current()) == [D("19.0"), D("28.6"), D("14.3")]


def test_catalogue_items(quarter):
    # The city-wide published item and A's own listed item; the draft of A is not listed.
    assert figures("catalogue_items", quarter, period=current()) == [2, 1, 0]


def test_monthly_spans_sum_to_the_quarter(quarter):
    w = quarter
    metric = get_metric("cases_received")
    months = [metric.values([w.city_s], span)[w.city_s] for span in month_spans(2026, 3, 3)]
    assert months == [3, 3, 2]  # January c1 c5 c9; February c2 c3 c6; March c4 c7


def test_shared_reads_give_the_same_figures_with_fewer_queries(quarter):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhichan.evaluation.metrics import values_for

    w = quarter
    scopes = [w.city_s, w.a, w.b, Scope("agency", w.centre_a.pk), Scope("agency", w.centre_b.pk)]
    codes = [code for code, m in METRICS.items() if "agency" in m.scope_kinds]
    with CaptureQueriesContext(connection) as one_by_one:
        alone = {code: METRICS[code].values(scopes, Q1) for code in codes}
    with CaptureQueriesContext(connection) as together:
        shared = values_for(codes, scopes, Q1)
    assert shared == alone
    assert len(together) < len(one_by_one) / 2, (len(together), len(one_by_one))


def test_shared_month_reads_give_the_monthly_figures(quarter):
    from zhichan.evaluation.metrics import shared_reads

    w = quarter
    spans = month_spans(2026, 3, 3)
    alone = [get_metric("cases_received").values([w.city_s, w.a], span) for span in spans]
    with shared_reads():
        together = [get_metric("cases_received").values([w.city_s, w.a], span) for span in spans]
    assert together == alone
    assert sum(v[w.city_s] for v in alone) == 8  # the quarter's receipts, month by month
