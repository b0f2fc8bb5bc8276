"""Case notifications through the real notices app: inbox rows after commit, none on rollback."""

import datetime as dt

import pytest

from tests.cases.conftest import file_case
from zhichan.cases import services, tasks
from zhichan.cases.models import Case
from zhichan.core.errors import TransitionError
from zhichan.notices.models import Delivery, Notice

pytestmark = pytest.mark.django_db


def test_intake_and_steps_reach_inboxes(world, case_a, django_capture_on_commit_callbacks):
    public = world.users.public
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case(public, requester_phone="")
    # The requester (an account) and the owner's staff.
    assert Notice.objects.filter(recipient=public, kind="case_received", case_id=case.pk).count() == 1
    staff_notice = Notice.objects.get(recipient=world.users.staff_a, kind="case_new", case_id=case.pk)
    assert staff_notice.link.endswith(f"/cases/{case.pk}/")
    with django_capture_on_commit_callbacks(execute=True):
        services.do_accept(world.users.staff_a, case)
    notice = Notice.objects.get(recipient=public, kind="case_accepted")
    assert notice.case_number == case.number and notice.link.endswith(case.tracking_path)


def test_requester_without_account_gets_a_delivery(world, case_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case(requester_email="zhang@example.com")
    assert Delivery.objects.filter(
        address="zhang@example.com", kind="case_received", case_id=case.pk
    ).exists()


def test_refused_step_notifies_nobody(world, case_a, django_capture_on_commit_callbacks):
    services.do_accept(world.users.staff_a, case_a)
    before = Notice.objects.count(), Delivery.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionError):
        services.do_accept(world.users.staff_a, case_a)
    assert (Notice.objects.count(), Delivery.objects.count()) == before


def test_timers_twice_notify_once(world, case_a, django_capture_on_commit_callbacks):
    late = case_a.deadline + dt.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.flag_overdue(late)
        tasks.flag_overdue(late)
    assert Notice.objects.filter(recipient=world.users.county_admin_a, kind="case_overdue").count() == 1
    assert Notice.objects.filter(recipient=world.users.city_admin, kind="case_overdue").count() == 1
    assert not Notice.objects.filter(recipient=world.users.county_admin_b).exists()
    assert Case.objects.get(pk=case_a.pk).overdue_at == late


def test_step_that_fails_after_notifying_leaves_no_notice_and_queues_nothing(
    world, case_a, monkeypatch, django_capture_on_commit_callbacks
):
    from zhichan.notices import tasks as notice_tasks

    queued = []
    monkeypatch.setattr(notice_tasks, "send_delivery", lambda pk: queued.append(pk))
    monkeypatch.setattr(notice_tasks, "send_deliveries", lambda ids: queued.extend(ids))
    before = Notice.objects.count(), Delivery.objects.count(), Case.objects.count()

    def fail_after_notices(*args, **kwargs):
        raise RuntimeError("the step fails after its notices were written")

    # The staff notice is the intake's last write; failing right after it rolls back everything.
    real = services.notify_in_transaction
    calls = []

    def notify_then_fail(recipients, kind, *args, **kwargs):
        real(recipients, kind, *args, **kwargs)
        calls.append(kind)
        if kind == "case_new":
            fail_after_notices()

    monkeypatch.setattr(services, "notify_in_transaction", notify_then_fail)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        file_case(world.users.public, requester_email="li@example.com")
    assert calls == ["case_received", "case_new"]
    assert (Notice.objects.count(), Delivery.objects.count(), Case.objects.count()) == before
    assert queued == []


def test_one_queue_entry_per_step(world, case_a, monkeypatch, django_capture_on_commit_callbacks):
    from zhichan.notices import tasks as notice_tasks

    batches = []
    monkeypatch.setattr(notice_tasks, "send_delivery", lambda pk: batches.append([pk]))
    monkeypatch.setattr(notice_tasks, "send_deliveries", lambda ids: batches.append(list(ids)))
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case(requester_email="zhao@example.com", requester_phone="13800138000")
    # The requester's e-mail and SMS leave in one queue entry.
    received = Delivery.objects.filter(case_id=case.pk, kind="case_received")
    requester = set(received.values_list("pk", flat=True))
    assert len(requester) == 2
    assert sorted(requester) in [sorted(b) for b in batches]


@pytest.mark.django_db(transaction=True)
def test_every_step_notifies_inside_its_own_transaction(world, case_a):
    """Outside any test transaction, as in a real request: each step writes its notices itself."""
    from zhichan.cases.models import RatingLevel

    staff, public = world.users.staff_a, world.users.public
    case = file_case(public)
    services.do_accept(staff, case)
    services.do_assign(staff, case, staff)
    services.do_request_supplement(staff, case, "请补充展位照片")
    services.do_add_supplement(public, case, "照片已补充")
    services.do_reply(staff, case, "已处理")
    services.do_rate(public, case, RatingLevel.DISSATISFIED, "太慢")
    services.do_reopen(public, case, "仍未解决")
    Case.objects.filter(pk=case.pk).update(deadline=case.deadline - dt.timedelta(days=365))
    services.do_supervise(world.users.county_admin_a, case, "请尽快办结")
    services.do_refer(staff, case, world.centre_b, "属乙县管辖")
    kinds = set(Notice.objects.filter(case_id=case.pk).values_list("kind", flat=True))
    assert {"case_received", "case_accepted", "case_dissatisfied", "case_reopened"} <= kinds
    assert len(kinds) >= 8
