"""Case events carry what the evaluation counts: the owner then, and for a first finish, on time
and working days (the case changes later; the counts must not)."""

import datetime as dt

from zhichan.cases import services
from zhichan.cases.models import CaseEvent


def _events(case, kind):
    return list(CaseEvent.objects.filter(case=case, kind=kind).order_by("at", "id"))


def test_every_event_names_the_owner_at_that_moment(world, clock, case_a):
    staff = world.users.staff_a
    services.do_refer(staff, case_a, world.centre_b, "县域管辖")
    services.do_accept(world.users.staff_b, case_a)
    created, referred, accepted = (_events(case_a, k)[0] for k in ("created", "referred", "accepted"))
    assert created.agency_id == world.centre_a.pk
    assert referred.agency_id == world.centre_b.pk
    assert accepted.agency_id == world.centre_b.pk


def test_a_first_reply_before_the_deadline_is_on_time_with_its_working_days(world, clock, case_a):
    staff = world.users.staff_a
    services.do_accept(staff, case_a)
    clock.advance(days=2)  # Monday -> Wednesday: two working days
    services.do_reply(staff, case_a, "已处理")
    reply = _events(case_a, "reply")[0]
    assert reply.data["finish"] == {"on_time": True, "days": 2}
    services.do_close(staff, case_a)
    assert "finish" not in _events(case_a, "closed")[0].data  # finished already at the reply


def test_a_closing_after_the_deadline_is_late_and_a_second_finish_is_not_counted(world, clock, case_a):
    staff = world.users.staff_a
    services.do_accept(staff, case_a)
    case_a.refresh_from_db()
    clock.set(case_a.deadline + dt.timedelta(hours=1))
    services.do_close(staff, case_a, "")
    closed = _events(case_a, "closed")[0]
    assert closed.data["finish"]["on_time"] is False
    assert closed.data["finish"]["days"] > 0
    case_a.refresh_from_db()
    services.do_reopen(None, case_a, "不满意", token=case_a.tracking_token)
    case_a.refresh_from_db()
    services.do_close(staff, case_a, "")
    assert [("finish" in e.data) for e in _events(case_a, "closed")] == [True, False]


def test_first_contact_answer_is_a_finish_on_time_in_zero_days(world, clock):
    from zhichan.cases.models import RoutingRule

    RoutingRule.objects.create(case_type="consultation", agency=world.centre_a)
    case = services.do_intake(
        world.users.staff_a,
        "hotline",
        type="consultation",
        subject="咨询",
        description="如何注册商标",
        requester_name="李四",
        requester_phone="13800000001",
        region="990102",
        first_contact_answer="请登录网站办理",
    )
    assert _events(case, "reply")[0].data["finish"] == {"on_time": True, "days": 0}
    assert _events(case, "closed")[0].data == {"first_contact": True}
    assert {e.agency_id for e in CaseEvent.objects.filter(case=case)} == {world.centre_a.pk}
