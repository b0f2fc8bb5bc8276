"""Deadline arithmetic against the statutory calendar: holidays, make-up days, pauses, fair hours."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cases.conftest import SHANGHAI, file_case
from zhichan.cases import deadlines, services
from zhichan.cases.models import Case
from zhichan.core.workdays import add_working_days, is_workday, working_days_between

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, 0, tzinfo=SHANGHAI)


def test_spring_festival_2026_with_make_up_days():
    # Friday 2026-02-13, 5 working days: 2-14 (make-up Sat) then the holiday 2-15..2-23, 2-24..2-27.
    due = deadlines.add_days(at(2026, 2, 13), 5)
    assert due.date() == dt.date(2026, 2, 27)
    assert (due.hour, due.minute) == (23, 59)


def test_national_day_2025():
    # 2025-09-30 + 3 working days: 10-1..10-8 off, then 10-9, 10-10, 10-11 (make-up Saturday).
    assert deadlines.add_days(at(2025, 9, 30), 3).date() == dt.date(2025, 10, 11)


def test_a_case_filed_on_a_holiday_starts_counting_after_it(world, clock, settings):
    clock.set(at(2026, 2, 16))  # in the Spring Festival holiday
    case = file_case()
    assert timezone_date(case.deadline) == dt.date(2026, 2, 28)  # 2-24..2-27, 2-28 (make-up Saturday)


def timezone_date(value):
    from django.utils import timezone

    return timezone.localtime(value).date()


def test_pause_moves_deadline_by_working_days_waited(world, clock):
    case = file_case()  # Monday 2026-03-02 10:00, complaint: 5 working days
    assert timezone_date(case.deadline) == dt.date(2026, 3, 9)
    services.do_request_supplement(world.users.city_admin, case, "补充材料")
    clock.set(at(2026, 3, 5, 16))  # Thursday: 3 working days waited
    services.do_add_supplement(None, case, "已补充", token=case.tracking_token)
    case.refresh_from_db()
    assert timezone_date(case.deadline) == dt.date(2026, 3, 12)
    assert case.paused_total == dt.timedelta(days=3, hours=6)


def test_pause_over_a_weekend_only_costs_nothing(world, clock):
    clock.set(at(2026, 3, 6, 17))  # Friday
    case = file_case()
    before = case.deadline
    services.do_request_supplement(world.users.city_admin, case, "补充材料")
    clock.set(at(2026, 3, 8, 9))  # Sunday
    services.do_add_supplement(None, case, "已补充", token=case.tracking_token)
    case.refresh_from_db()
    assert case.deadline == before


def test_service_application_uses_the_guide(world):
    case = file_case(type="service_application", service_item="TM-REG")
    assert case.guide_version == world.item.current
    assert case.deadline == deadlines.add_days(case.created_at, 10)


def test_type_limits_come_from_settings(world, clock, settings):
    settings.ZHICHAN_CASE_TIME_LIMITS = {**settings.ZHICHAN_CASE_TIME_LIMITS, "assistance": 15}
    case = file_case(type="assistance")
    assert timezone_date(case.deadline) == dt.date(2026, 3, 23)


def test_fair_complaint_counts_hours_while_the_fair_runs(world, clock):
    from zhichan.fairs.models import Fair

    fair = Fair.objects.create(
        name="晋中春季博览会",
        starts_at=at(2026, 3, 1, 9),
        ends_at=at(2026, 3, 4, 17),
        region=world.county_a,
        accept_hours=2,
        decide_hours=24,
    )
    case = file_case(type="fair_complaint", fair=fair.pk)
    assert case.deadline == clock.now + dt.timedelta(hours=2)
    clock.advance(hours=1)
    services.do_accept(world.users.city_admin, case)
    case.refresh_from_db()
    assert case.deadline == clock.now + dt.timedelta(hours=24)
    # A pause during the fair extends by wall-clock time.
    services.do_request_supplement(world.users.city_admin, case, "请补充权利证明")
    clock.advance(hours=3)
    services.do_add_supplement(None, case, "已补充", token=case.tracking_token)
    case.refresh_from_db()
    assert case.deadline == clock.now - dt.timedelta(hours=3) + dt.timedelta(hours=24) + dt.timedelta(hours=3)
    # After the fair, a complaint about it counts in working days.
    clock.set(at(2026, 3, 10))
    late = file_case(type="fair_complaint", fair=fair.pk)
    assert late.deadline == deadlines.add_days(clock.now, 5)


# --- properties against the calendar --------------------------------------------------------------

moments = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 12, 1), timezones=st.just(SHANGHAI)
)
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPS
@given(start=moments, n=st.integers(1, 30))
def test_deadline_is_a_working_day_n_working_days_later(db, start, n):
    due = deadlines.add_days(start, n)
    assert is_workday(due.date())
    assert working_days_between(start.date(), due.date()) == n
    assert (due.hour, due.minute) == (23, 59)


@PROPS
@given(start=moments, n=st.integers(1, 20), k=st.integers(0, 20))
def test_pausing_k_working_days_equals_adding_n_plus_k(db, start, n, k):
    due = deadlines.add_days(start, n)
    pause_start = start
    pause_end = add_working_days(pause_start, k)  # the requester answers k working days later
    case = Case(type="complaint")
    assert deadlines.extend_for_pause(case, due, pause_start, pause_end) == deadlines.add_days(start, n + k)


@PROPS
@given(start=moments, n=st.integers(1, 20), m=st.integers(1, 20))
def test_deadlines_are_monotonic(db, start, n, m):
    a, b = deadlines.add_days(start, n), deadlines.add_days(start, n + m)
    assert a < b
    later = start + dt.timedelta(hours=m)
    assert deadlines.add_days(later, n) >= a


@PROPS
@given(start=moments, n=st.integers(1, 20))
def test_warning_comes_one_working_day_before(db, start, n):
    due = deadlines.add_days(start, n)
    warn = deadlines.warn_from(due)
    assert warn < due and working_days_between(warn.date(), due.date()) == 1
    assert is_workday(warn.date())
