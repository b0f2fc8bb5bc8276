"""notify(): inbox rows for users, e-mail and SMS to every address, sent by the worker after commit."""

from email.utils import formataddr

import pytest
from django.core import mail
from django.db import transaction

from tests.factories import UserFactory
from zhichan.notices.models import Channel, Delivery, DeliveryStatus, Notice, SmsMessage
from zhichan.notices.services import notify, notify_on_commit

pytestmark = pytest.mark.django_db


class FakeCase:
    pk = 4711
    number = "TS-2026-000042"


@pytest.fixture
def person(db):
    return UserFactory(username="wang", display_name="王小明", email="wang@example.cn", phone="138 0013 8000")


def test_user_gets_notice_email_and_sms(person, worker, django_capture_on_commit_callbacks, settings):
    settings.ZHICHAN_SITE_URL = "https://ip.example.cn"
    with django_capture_on_commit_callbacks(execute=True):
        notices = notify(
            [person],
            "case_replied",
            "Your case was answered",
            "See the reply.",
            link="/cases/track/abc/",
            case=FakeCase(),
        )
    assert [n.pk for n in notices] == list(Notice.objects.values_list("pk", flat=True))
    notice = Notice.objects.get()
    assert (notice.recipient, notice.kind, notice.subject, notice.body, notice.link) == (
        person,
        "case_replied",
        "Your case was answered",
        "See the reply.",
        "/cases/track/abc/",
    )
    assert (notice.case_id, notice.case_number, notice.read_at) == (4711, "TS-2026-000042", None)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Your case was answered"
    assert message.to == [formataddr(("王小明", "wang@example.cn"))]
    assert "See the reply." in message.body
    assert "https://ip.example.cn/cases/track/abc/" in message.body

    sms = SmsMessage.objects.get()
    assert sms.phone == "13800138000"
    assert "Your case was answered" in sms.text

    deliveries = {d.channel: d for d in Delivery.objects.all()}
    assert set(deliveries) == {Channel.EMAIL, Channel.SMS}
    for d in deliveries.values():
        assert (d.status, d.attempts, d.error, d.notice_id) == (DeliveryStatus.SENT, 1, "", notice.pk)
        assert d.sent_at is not None and d.case_number == "TS-2026-000042"


def test_requester_without_account_gets_email_and_sms_but_no_notice(
    worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notices = notify(
            [{"email": "li@example.cn", "phone": "+86 139-0000-1111", "name": "李四"}],
            "case_received",
            "Case received",
            "Your tracking code is X.",
        )
    assert notices == []
    assert Notice.objects.count() == 0
    assert [m.to for m in mail.outbox] == [[formataddr(("李四", "li@example.cn"))]]
    assert list(SmsMessage.objects.values_list("phone", flat=True)) == ["13900001111"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert all(d.notice_id is None for d in Delivery.objects.all())


def test_user_without_addresses_gets_only_the_inbox_notice(world, worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify([world.users.staff_a], "case_assigned", "A case for you", "")
    assert Notice.objects.filter(recipient=world.users.staff_a).count() == 1
    assert Delivery.objects.count() == 0
    assert mail.outbox == []


def test_inactive_user_is_not_notified(person, worker, django_capture_on_commit_callbacks):
    person.is_active = False
    person.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert notify([person], "k", "Subject", "Body") == []
    assert Notice.objects.count() == 0 and Delivery.objects.count() == 0 and mail.outbox == []


def test_unusable_addresses_are_recorded_as_failed_and_never_tried(
    worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify([{"email": "not-an-address", "phone": "12345"}], "k", "Subject", "Body")
    rows = {d.channel: d for d in Delivery.objects.all()}
    assert rows[Channel.EMAIL].status == DeliveryStatus.FAILED
    assert rows[Channel.EMAIL].error == "Not a valid e-mail address."
    assert rows[Channel.SMS].status == DeliveryStatus.FAILED
    assert rows[Channel.SMS].error == "Not a mainland mobile number."
    assert all(d.attempts == 0 and d.next_attempt_at is None for d in rows.values())
    assert mail.outbox == [] and SmsMessage.objects.count() == 0


def test_same_address_twice_in_one_call_is_sent_once(person, worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify([person, {"email": "WANG@example.cn", "phone": "13800138000"}], "k", "Subject", "Body")
    assert len(mail.outbox) == 1
    assert SmsMessage.objects.count() == 1
    assert Delivery.objects.count() == 2


def test_a_key_makes_a_rerun_reach_nobody_twice(person, worker, django_capture_on_commit_callbacks):
    requester = {"email": "li@example.cn"}
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            notify([person, requester], "deadline_warning", "Due soon", "", key="warn:42:2026-11-25")
    assert Notice.objects.count() == 1
    assert Delivery.objects.count() == 3
    assert len(mail.outbox) == 2  # the user's address and the requester's, once each
    assert SmsMessage.objects.count() == 1
    # A different key is a different message.
    with django_capture_on_commit_callbacks(execute=True):
        notify([person], "deadline_warning", "Due soon", "", key="warn:42:2026-11-26")
    assert Notice.objects.count() == 2


def test_nothing_is_sent_inside_the_callers_transaction(person, worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([person], "k", "Subject", "Body")
    # The rows exist, but sending waits for the commit and then happens in the worker.
    assert Notice.objects.count() == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert mail.outbox == [] and SmsMessage.objects.count() == 0
    assert len(callbacks) == 1


def test_rolled_back_transaction_notifies_nobody(person, worker, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify_on_commit([person], "k", "Subject", "Body")
        raise RuntimeError("the case could not be saved")
    assert callbacks == []
    assert Notice.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert mail.outbox == [] and SmsMessage.objects.count() == 0


def test_notify_on_commit_sends_after_commit(person, worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify_on_commit([person], "k", "Subject", "Body", link="/x/")
        assert Notice.objects.count() == 0  # not yet: the transaction has not committed
    assert Notice.objects.get().link == "/x/"
    assert len(mail.outbox) == 1 and SmsMessage.objects.count() == 1


def test_a_queue_that_is_down_does_not_fail_the_caller(
    person, monkeypatch, django_capture_on_commit_callbacks
):
    from zhichan.notices import tasks

    def down(pk):
        raise ConnectionError("queue unavailable")

    monkeypatch.setattr(tasks, "send_delivery", down)
    monkeypatch.setattr(tasks, "send_deliveries", down)
    with django_capture_on_commit_callbacks(execute=True):
        notify([person], "k", "Subject", "Body")
    # The rows wait as pending; the periodic retry takes them up.
    assert Notice.objects.count() == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}


def test_bad_arguments_are_refused(person):
    with pytest.raises(TypeError):
        notify(["someone@example.cn"], "k", "Subject", "Body")
    with pytest.raises(ValueError):
        notify([person], "", "Subject", "Body")
    assert Notice.objects.count() == 0
