"""Sending in the worker: failures recorded, retried with backoff, never sent twice."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from tests.factories import UserFactory
from tests.notices import gateways
from zhichan.notices import services
from zhichan.notices.models import Channel, Delivery, DeliveryStatus, SmsMessage
from zhichan.notices.services import backoff, deliver, notify, retry_due
from zhichan.notices.tasks import retry_deliveries, send_delivery

pytestmark = pytest.mark.django_db

BROKEN_SMS = "tests.notices.gateways.BrokenGateway"
FLAKY_SMS = "tests.notices.gateways.FlakyGateway"
BROKEN_MAIL = "tests.notices.gateways.BrokenMailBackend"


@pytest.fixture(autouse=True)
def _reset_gateways():
    gateways.SENT.clear()
    gateways.FAILURES["left"] = 0


def sms_to(phone, capture):
    with capture(execute=True):
        notify([{"phone": phone}], "k", "Subject", "Body")
    return Delivery.objects.get(channel=Channel.SMS, address=phone)


def make_due(delivery):
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_failure_is_recorded_with_the_next_try_after_the_backoff(
    settings, worker, django_capture_on_commit_callbacks
):
    settings.ZHICHAN_SMS_GATEWAY = BROKEN_SMS
    settings.ZHICHAN_DELIVERY_RETRY_SECONDS = 60
    before = timezone.now()
    delivery = sms_to("13800000001", django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert delivery.error == "SmsError: gateway answered 503"
    wait = timedelta(seconds=60)
    assert before + wait <= delivery.next_attempt_at <= timezone.now() + wait
    # Not due yet: the periodic retry leaves it alone, and so does a repeated task.
    assert retry_due() == 0
    assert deliver(delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_backoff_doubles():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]


def test_a_failed_delivery_is_sent_on_retry_once_the_gateway_works(
    settings, worker, django_capture_on_commit_callbacks
):
    settings.ZHICHAN_SMS_GATEWAY = FLAKY_SMS
    gateways.FAILURES["left"] = 1
    delivery = sms_to("13800000002", django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.FAILED and gateways.SENT == []
    make_due(delivery)
    assert retry_deliveries.call_local() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == (DeliveryStatus.SENT, 2, "")
    assert delivery.next_attempt_at is None and delivery.sent_at is not None
    assert gateways.SENT == [("13800000002", "Subject\nBody")]
    # Running the retry again sends nothing more.
    make_due(delivery)
    assert retry_due() == 0
    assert len(gateways.SENT) == 1


def test_retries_stop_after_the_maximum_number_of_attempts(
    settings, worker, django_capture_on_commit_callbacks
):
    settings.ZHICHAN_SMS_GATEWAY = BROKEN_SMS
    settings.ZHICHAN_DELIVERY_MAX_ATTEMPTS = 3
    delivery = sms_to("13800000003", django_capture_on_commit_callbacks)
    for _ in range(2):
        make_due(delivery)
        assert retry_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert delivery.next_attempt_at is None  # given up, and visible as failed
    assert retry_due(timezone.now() + timedelta(days=30)) == 0
    assert deliver(delivery.pk) is None


def test_email_failure_is_recorded(settings, worker, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = BROKEN_MAIL
    with django_capture_on_commit_callbacks(execute=True):
        notify([{"email": "zhao@example.cn"}], "k", "Subject", "Body")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "refused" in delivery.error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_due(delivery)
    assert retry_due() == 1
    assert [m.to for m in mail.outbox] == [["zhao@example.cn"]]


def test_a_sent_delivery_is_never_sent_again(worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify([{"email": "zhou@example.cn", "phone": "13800000004"}], "k", "Subject", "Body")
    assert len(mail.outbox) == 1 and SmsMessage.objects.count() == 1
    for delivery in Delivery.objects.all():
        # The queue may deliver a task twice; the second run finds the row sent.
        send_delivery(delivery.pk)
        assert deliver(delivery.pk) is None
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert len(mail.outbox) == 1 and SmsMessage.objects.count() == 1


def test_a_delivery_being_sent_is_not_taken_by_a_second_worker(worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notify([{"phone": "13800000005"}], "k", "Subject", "Body")
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, last_attempt_at=timezone.now()
    )
    assert deliver(delivery.pk) is None
    assert retry_due() == 0
    assert SmsMessage.objects.count() == 0


def test_a_delivery_left_sending_by_a_dead_worker_is_taken_up_later(
    worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        notify([{"phone": "13800000006"}], "k", "Subject", "Body")
    delivery = Delivery.objects.get()
    long_ago = timezone.now() - services.STALE_SENDING - timedelta(minutes=1)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, last_attempt_at=long_ago
    )
    assert retry_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert SmsMessage.objects.count() == 1


def test_a_pending_delivery_whose_task_was_lost_is_sent_by_the_periodic_retry(
    worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the enqueue never happens
        notify([{"phone": "13800000007"}], "k", "Subject", "Body")
    delivery = Delivery.objects.get()
    assert retry_due() == 0  # a fresh pending row belongs to its own task
    Delivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - services.STALE_SENDING - timedelta(minutes=1)
    )
    assert retry_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert SmsMessage.objects.get().phone == "13800000007"


def test_a_long_sms_is_cut_to_the_limit(worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify([{"phone": "13800000008"}], "k", "Subject", "长" * 1000)
    text = SmsMessage.objects.get().text
    assert len(text) == services.SMS_MAX_CHARS and text.endswith("…")


@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_one_delivery_send_it_once():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises them anyway")
    delivery = Delivery.objects.create(
        channel=Channel.SMS, address="13800000009", kind="k", subject="Subject", body="Body"
    )
    barrier = threading.Barrier(4)
    outcomes = []

    def work():
        try:
            barrier.wait()
            outcomes.append(deliver(delivery.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == [None, None, None, DeliveryStatus.SENT]
    assert SmsMessage.objects.filter(phone="13800000009").count() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


def test_retry_now_gives_a_given_up_delivery_one_more_attempt(
    settings, world, worker, django_capture_on_commit_callbacks
):
    settings.ZHICHAN_SMS_GATEWAY = BROKEN_SMS
    settings.ZHICHAN_DELIVERY_MAX_ATTEMPTS = 1
    delivery = sms_to("13800000010", django_capture_on_commit_callbacks)
    assert (delivery.status, delivery.next_attempt_at) == (DeliveryStatus.FAILED, None)
    for role in ("city_admin", "county_admin_a", "staff_a"):
        with pytest.raises(services.PermissionDenied):
            services.do_retry_now(getattr(world.users, role), Delivery.objects.all())
    delivery.refresh_from_db()
    assert delivery.next_attempt_at is None and delivery.attempts == 1

    settings.ZHICHAN_SMS_GATEWAY = "zhichan.notices.sms.LoggingSmsGateway"
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.do_retry_now(root, Delivery.objects.all()) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert SmsMessage.objects.get().phone == "13800000010"
    # A sent delivery is not touched by a second request.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.do_retry_now(root, Delivery.objects.all()) == 0
    assert SmsMessage.objects.count() == 1


def test_admin_action_retries_failed_deliveries(settings, client, worker, django_capture_on_commit_callbacks):
    settings.ZHICHAN_SMS_GATEWAY = BROKEN_SMS
    delivery = sms_to("13800000011", django_capture_on_commit_callbacks)
    settings.ZHICHAN_SMS_GATEWAY = "zhichan.notices.sms.LoggingSmsGateway"
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/notices/delivery/",
            {"action": "retry_now", "_selected_action": [delivery.pk]},
            follow=True,
        )
    assert "1 delivery will be retried." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert client.get("/admin/notices/delivery/").status_code == 200
    assert client.get(f"/admin/notices/delivery/{delivery.pk}/change/").status_code == 200


def test_retry_command_sends_what_is_due(settings, worker, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    settings.ZHICHAN_SMS_GATEWAY = BROKEN_SMS
    delivery = sms_to("13800000012", django_capture_on_commit_callbacks)
    settings.ZHICHAN_SMS_GATEWAY = "zhichan.notices.sms.LoggingSmsGateway"
    out = StringIO()
    call_command("retry_deliveries", stdout=out)
    assert out.getvalue().strip() == "0 deliveries tried"  # not due yet
    make_due(delivery)
    call_command("retry_deliveries", stdout=out)
    assert out.getvalue().strip().endswith("1 deliveries tried")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_a_long_sms_keeps_its_link_whole(worker, django_capture_on_commit_callbacks, settings):
    settings.ZHICHAN_SITE_URL = "https://ip.example.cn"
    with django_capture_on_commit_callbacks(execute=True):
        notify([{"phone": "13800000013"}], "k", "答复", "长" * 1000, link="/track/abcdef/")
    text = SmsMessage.objects.get().text
    assert len(text) == services.SMS_MAX_CHARS
    assert text.endswith("…\nhttps://ip.example.cn/track/abcdef/")
    assert text.startswith("答复\n长长")


def test_a_task_that_failed_with_the_database_is_tried_again(
    worker, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import OperationalError

    real = services.deliver
    calls = []

    def restarting(pk):
        calls.append(pk)
        if len(calls) == 1:
            raise OperationalError("the database system is shutting down")
        return real(pk)

    monkeypatch.setattr(services, "deliver", restarting)
    with django_capture_on_commit_callbacks(execute=True):
        notify([{"phone": "13800000009"}], "k", "Subject", "Body")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    # The retry waits in the worker's schedule (not ten minutes for retry_due).
    later = (timezone.now() + timedelta(seconds=60)).replace(tzinfo=None)
    due = worker.read_schedule(later)
    assert len(due) == 1
    worker.execute(due[0], timestamp=later)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert SmsMessage.objects.count() == 1 and len(calls) == 2


def test_a_pending_delivery_is_taken_up_after_the_pending_limit_not_the_stale_one(
    settings, worker, django_capture_on_commit_callbacks
):
    settings.ZHICHAN_DELIVERY_PENDING_SECONDS = 120
    settings.ZHICHAN_DELIVERY_STALE_SECONDS = 600
    with django_capture_on_commit_callbacks(execute=False):  # its task was lost with a killed worker
        notify([{"phone": "13800000010"}, {"phone": "13800000011"}], "k", "Subject", "Body")
    lost, claimed = Delivery.objects.order_by("pk")
    three_minutes_ago = timezone.now() - timedelta(minutes=3)
    Delivery.objects.filter(pk=lost.pk).update(created_at=three_minutes_ago)
    # Claimed three minutes ago by a worker that may still be sending: left alone.
    Delivery.objects.filter(pk=claimed.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, last_attempt_at=three_minutes_ago
    )
    assert retry_due() == 1
    lost.refresh_from_db()
    claimed.refresh_from_db()
    assert (lost.status, claimed.status) == (DeliveryStatus.SENT, DeliveryStatus.SENDING)
    assert list(SmsMessage.objects.values_list("phone", flat=True)) == ["13800000010"]
