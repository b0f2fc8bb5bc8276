"""The records behind a figure, through each record's own access rule, for every role."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.evaluation.counts_fixture import build_cases, build_others
from zhichan.evaluation.counts import update_counts
from zhichan.evaluation.metrics import Scope, get_metric
from zhichan.evaluation.periods import Period

Q1 = Period.parse("2026Q1")


@pytest.fixture
def quarter(world):
    world.cases = build_cases(world)
    build_others(world)
    update_counts(now=timezone.now() + dt.timedelta(hours=1))
    return world


def numbers(code, user, scope):
    drill = get_metric(code).drilldown(user, scope, Q1)
    return sorted(row.subject.split()[-1] for row in drill.queryset)


def rows(code, user, scope):
    return list(get_metric(code).drilldown(user, scope, Q1).queryset)


ON_TIME = [
    # (user, scope, case numbers): late finishes (c3) and still-overdue cases (c3 c4 in A, c7 city).
    ("city_admin", ("city", "city"), ["3", "4", "7"]),
    ("city_admin", ("county", "county_b"), []),
    ("county_admin_a", ("county", "county_a"), ["3", "4"]),
    ("county_admin_a", ("city", "city"), ["3", "4"]),  # the city figure's records: only its own county's
    ("county_admin_b", ("county", "county_a"), []),  # never another county's records
    ("agency_admin_a", ("agency", "centre_a"), ["3", "4"]),
    ("staff_a", ("agency", "centre_a"), ["3", "4"]),
    ("staff_b", ("agency", "centre_a"), []),
    ("public", ("county", "county_a"), []),
    ("enterprise", ("county", "county_a"), []),
    ("anonymous", ("city", "city"), []),
]


@pytest.mark.parametrize("who,scope,expected", ON_TIME)
def test_on_time_drilldown_by_role(quarter, who, scope, expected):
    w = quarter
    kind, name = scope
    drill_scope = Scope(kind, getattr(w, name).pk)
    assert numbers("on_time_rate", getattr(w.users, who), drill_scope) == expected


def test_case_drilldowns_name_the_cases_behind_each_figure(quarter, english):
    w = quarter
    admin = w.users.city_admin
    a, b = Scope("county", w.county_a.pk), Scope("county", w.county_b.pk)
    assert numbers("cases_received", admin, a) == ["1", "2", "3", "4", "9"]
    # c9 was received in A but is now B's: A's administrator does not see it.
    assert numbers("cases_received", w.users.county_admin_a, a) == ["1", "2", "3", "4"]
    assert numbers("cases_closed", admin, b) == ["5", "6", "9"]
    assert numbers("satisfaction_rate", admin, b) == ["5"]
    assert numbers("satisfaction_rate", w.users.county_admin_a, b) == []
    assert numbers("satisfaction_rate", w.users.county_admin_a, a) == ["3"]
    assert numbers("supervision_count", admin, a) == ["4"]
    assert numbers("reopen_rate", admin, a) == ["3"]
    assert numbers("provider_services", admin, b) == ["6"]
    assert numbers("first_contact_rate", admin, a) == ["2", "3"]
    drill = get_metric("avg_handling_days").drilldown(admin, a, Q1)
    days = {
        row.subject.split()[-1]: {str(h): f(row) for h, f in drill.columns}["Working days"]
        for row in drill.queryset
    }
    assert days == {"1": 3, "2": 0, "3": 30}
    assert drill.url(drill.queryset.first()).startswith("/cases/")


def test_other_drilldowns_by_role(quarter):
    w = quarter
    a = Scope("county", w.county_a.pk)
    b = Scope("county", w.county_b.pk)
    assert len(rows("watch_alerts", w.users.county_admin_a, a)) == 2
    assert rows("watch_alerts", w.users.county_admin_b, a) == []
    assert rows("watch_alerts", w.users.public, a) == []
    assert len(rows("pledge_amount", w.users.city_admin, a)) == 1
    assert rows("pledge_amount", w.users.county_admin_b, a) == []
    assert len(rows("reports_delivered", w.users.county_admin_b, b)) == 1
    assert rows("reports_delivered", w.users.county_admin_a, b) == []
    assert {x.pk for x in rows("outlets_operating", w.users.county_admin_a, a)} == {
        w.centre_a.pk,
        w.outlet_a.pk,
    }
    assert get_metric("screenings_served").drilldown(w.users.city_admin, a, Q1) is None
