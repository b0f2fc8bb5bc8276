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
