"""The worker's timers: warnings, overdue flags, withdrawn supplements — and running them twice."""

import datetime as dt

import pytest
from django.core.management import call_command

from tests.cases.conftest import SHANGHAI, file_case
from zhichan.cases import deadlines, services, tasks
from zhichan.cases.models import Case, CaseEvent, Status

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, 0, tzinfo=SHANGHAI)


def events(case, kind):
    return CaseEvent.objects.filter(case=case, kind=kind).count()


def test_warn_once_the_day_before(world, case_a, sent):
    case_a.refresh_from_db()
    services.do_assign(world.users.agency_admin_a, case_a, world.users.staff_a)
    early = deadlines.warn_from(case_a.deadline) - dt.timedelta(hours=1)
    assert tasks.warn_due_soon(early) == 0
    now = deadlines.warn_from(case_a.deadline) + dt.timedelta(hours=1)
    assert tasks.warn_due_soon(now) == 1
    assert tasks.warn_due_soon(now) == 0  # twice: nothing new
    assert events(case_a, "due_soon") == 1
    warned = [c for c in sent if c["kind"] == "case_due_soon"]
    assert len(warned) == 1 and warned[0]["to"] == [world.users.staff_a]
    case_a.refresh_from_db()
    assert case_a.warned_at == now


def test_overdue_flagged_once_and_admins_told(world, case_a, sent):
    now = case_a.deadline + dt.timedelta(minutes=1)
    assert tasks.flag_overdue(case_a.deadline - dt.timedelta(minutes=1)) == 0
    assert tasks.flag_overdue(now) == 1
    assert tasks.flag_overdue(now + dt.timedelta(hours=5)) == 0
    assert events(case_a, "overdue") == 1
    told = [c["to"] for c in sent if c["kind"] == "case_overdue"]
    assert [world.users.county_admin_a, world.users.city_admin] in told
    assert all(world.users.county_admin_b not in to for to in told)


def test_paused_and_finished_cases_are_not_flagged(world, case_a):
    services.do_request_supplement(world.users.staff_a, case_a, "补充")
    late = case_a.deadline + dt.timedelta(days=1)
    assert tasks.flag_overdue(late) == 0
    other = file_case(subject="另一件")
    services.do_decline(world.users.staff_a, other, "不予受理")
    assert tasks.flag_overdue(late) == 0
    assert tasks.warn_due_soon(case_a.deadline - dt.timedelta(hours=1)) == 0


def test_a_new_deadline_earns_a_new_warning(world, case_a, clock):
    clock.set(at(2026, 3, 2))
    case = file_case(subject="新")
    now = deadlines.warn_from(case.deadline) + dt.timedelta(hours=1)
    assert tasks.warn_due_soon(now) == 1
    clock.set(now)
    services.do_refer(world.users.city_admin, case, world.centre_b, "属乙县")
    case.refresh_from_db()
    assert case.warned_at is None
    assert tasks.warn_due_soon(deadlines.warn_from(case.deadline) + dt.timedelta(hours=1)) == 1
    assert events(case, "due_soon") == 2


def test_supplement_not_given_counts_as_withdrawn(world, case_a, settings, sent):
    services.do_request_supplement(world.users.staff_a, case_a, "补充")
    case_a.refresh_from_db()
    soon = deadlines.add_days(case_a.paused_at, settings.ZHICHAN_SUPPLEMENT_DAYS - 1)
    assert tasks.expire_supplements(soon) == 0
    late = deadlines.add_days(case_a.paused_at, settings.ZHICHAN_SUPPLEMENT_DAYS) + dt.timedelta(seconds=1)
    assert tasks.expire_supplements(late) == 1
    assert tasks.expire_supplements(late) == 0
    case_a.refresh_from_db()
    assert case_a.status == Status.DECLINED
    assert events(case_a, "withdrawn") == 1
    assert [c["kind"] for c in sent].count("case_withdrawn") == 1


def test_command_runs_all_timers_twice_without_duplicates(world, case_a):
    Case.objects.filter(pk=case_a.pk).update(deadline=case_a.deadline - dt.timedelta(days=30))
    call_command("run_case_timers")
    call_command("run_case_timers")
    assert events(case_a, "overdue") == 1


def test_the_periodic_task_is_registered():
    from huey.contrib.djhuey import HUEY

    assert tasks.case_timers.task_class in HUEY._registry._periodic_tasks


def test_fair_complaints_are_warned_hours_before(world, clock, settings):
    from zhichan.fairs.models import Fair

    fair = Fair.objects.create(
        name="博览会",
        starts_at=clock.now - dt.timedelta(days=1),
        ends_at=clock.now + dt.timedelta(days=2),
        region=world.county_a,
        accept_hours=2,
    )
    case = file_case(type="fair_complaint", fair=fair.pk)
    assert tasks.warn_due_soon(clock.now + dt.timedelta(minutes=30)) == 0  # 1 h 30 min left
    assert tasks.warn_due_soon(clock.now + dt.timedelta(minutes=61)) == 1
    assert events(case, "due_soon") == 1
