"""The daily reminder scan (once per deadline and lead time) and the custody API."""

import datetime as dt

import pytest

from tests.custody.conftest import fee_key
from zhichan.custody import services
from zhichan.custody.models import CustodyAction, CustodyReminder
from zhichan.custody.reminders import lead_due, send_reminders
from zhichan.notices.models import Notice

TODAY = dt.date.today


def test_lead_due_picks_the_shortest_lead_reached():
    from types import SimpleNamespace

    deadline = SimpleNamespace(due=dt.date(2026, 12, 31))
    leads = [90, 30, 7]
    assert lead_due(deadline, dt.date(2026, 9, 1), leads) is None  # 121 days
    assert lead_due(deadline, dt.date(2026, 10, 2), leads) == 90  # exactly 90
    assert lead_due(deadline, dt.date(2026, 12, 1), leads) == 30
    assert lead_due(deadline, dt.date(2026, 12, 31), leads) == 7
    assert lead_due(deadline, dt.date(2027, 1, 1), leads) is None  # passed


def test_scan_reminds_contacts_and_agency_staff_once(world, custody, contact):
    fee = fee_key(custody)  # due in about 40 days: the 90-day reminder
    sent = send_reminders()
    # The fee reaches its 90-day lead; the trademark renewal, 99 days away, not yet.
    assert sent == 1
    reminder = CustodyReminder.objects.get(deadline_key=fee.key)
    assert reminder.lead_days == 90 and reminder.due == fee.due
    recipients = set(
        Notice.objects.filter(kind="custody_deadline").values_list("recipient__username", flat=True)
    )
    assert recipients == {"firm_contact", "staff_a", "agency_admin_a"}
    assert send_reminders() == 0  # a rerun sends nothing
    assert Notice.objects.filter(kind="custody_deadline").count() == 3


def test_the_next_lead_time_sends_again(world, custody):
    fee = fee_key(custody)
    send_reminders()
    later = fee.due - dt.timedelta(days=7)
    assert send_reminders(later) >= 1
    assert set(CustodyReminder.objects.filter(deadline_key=fee.key).values_list("lead_days", flat=True)) == {
        90,
        7,
    }


def test_no_reminder_once_an_action_is_recorded(world, custody):
    fee = fee_key(custody)
    services.do_record_action(
        world.users.staff_a,
        custody,
        right_key=fee.right_key,
        deadline_key=fee.key,
        action="fee_paid",
        done_on=TODAY(),
    )
    send_reminders()
    assert not CustodyReminder.objects.filter(deadline_key=fee.key).exists()


def test_no_reminders_for_ended_custodies_or_without_leads(world, custody, settings):
    settings.ZHICHAN_CUSTODY_REMIND_DAYS = []
    assert send_reminders() == 0
    settings.ZHICHAN_CUSTODY_REMIND_DAYS = [90, 30, 7]
    services.do_end_custody(world.users.staff_a, custody, ends_on=TODAY())
    assert send_reminders() == 0


def test_command_runs_the_scan(world, custody):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("custody_reminders", stdout=out)
    assert "1 reminders sent" in out.getvalue()


# --- API ----------------------------------------------------------------------------------------


def test_api_needs_a_log_in(client, custody):
    assert client.get("/api/v1/custody/").status_code == 401


@pytest.mark.parametrize(
    ("role", "count"), [("staff_a", 1), ("staff_b", 0), ("county_admin_a", 1), ("city_admin", 1)]
)
def test_api_list_by_role(client, world, custody, role, count):
    client.force_login(getattr(world.users, role))
    data = client.get("/api/v1/custody/").json()
    assert data["count"] == count
    status = client.get(f"/api/v1/custody/{custody.pk}").status_code
    assert status == (200 if count else 404)


def test_api_calendar_and_actions(client, world, custody, contact):
    fee = fee_key(custody)
    client.force_login(contact)
    rows = client.get(f"/api/v1/custody/{custody.pk}/calendar").json()
    entry = next(r for r in rows if r["key"] == fee.key)
    assert entry["action"] is None and entry["due"] == fee.due.isoformat()
    payload = {
        "right_key": fee.right_key,
        "deadline_key": fee.key,
        "action": "fee_paid",
        "done_on": TODAY().isoformat(),
    }
    # The enterprise contact reads but may not record.
    assert (
        client.post(
            f"/api/v1/custody/{custody.pk}/actions", payload, content_type="application/json"
        ).status_code
        == 404
    )
    client.force_login(world.users.staff_a)
    response = client.post(f"/api/v1/custody/{custody.pk}/actions", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    again = client.post(f"/api/v1/custody/{custody.pk}/actions", payload, content_type="application/json")
    assert again.status_code == 422
    assert again.json()["detail"][0]["field"] == "deadline_key"
    assert CustodyAction.objects.count() == 1
    rows = client.get(f"/api/v1/custody/{custody.pk}/calendar").json()
    assert next(r for r in rows if r["key"] == fee.key)["action"] == "fee_paid"
    assert client.get(f"/api/v1/custody/{custody.pk}/actions").json()["count"] == 1


def test_api_refusals_name_the_field(client, world, custody):
    fee = fee_key(custody)
    client.force_login(world.users.staff_a)
    base = {
        "right_key": fee.right_key,
        "deadline_key": fee.key,
        "action": "fee_paid",
        "done_on": TODAY().isoformat(),
    }
    future = {**base, "done_on": (TODAY() + dt.timedelta(days=1)).isoformat()}
    stranger = {**base, "right_key": "trademark:00000000"}
    bad_kind = {**base, "action": "paid"}
    for payload, field in ((future, "done_on"), (stranger, "right_key"), (bad_kind, "action")):
        response = client.post(
            f"/api/v1/custody/{custody.pk}/actions", payload, content_type="application/json"
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == field
    assert not CustodyAction.objects.exists()
