"""A recorded renewal moves the trademark term on; reminders in the grace period; fee amounts
beside deadlines on the page, in the calendar API and in the yearly report."""

import datetime as dt

from icalendar import Calendar

from tests.custody.conftest import fee_key
from tests.watch.conftest import number
from zhichan.custody import feed, reports, services
from zhichan.custody.models import CustodyReminder
from zhichan.custody.reminders import send_reminders
from zhichan.ipdata.models import Patent
from zhichan.notices.models import Notice
from zhichan.watch import deadlines as dl
from zhichan.watch import fees

TODAY = dt.date.today
D = dt.date


def renewals(custody):
    return [d for _r, d in services.custody_deadlines(custody) if d.kind == dl.TM_RENEWAL]


def renew(world, custody, deadline):
    return services.do_record_action(
        world.users.staff_a,
        custody,
        right_key=deadline.right_key,
        deadline_key=deadline.key,
        action="renewed",
        done_on=TODAY(),
    )


# --- renewal moves the term ----------------------------------------------------------------------


def test_next_term_is_ten_years_from_the_day_after_expiry_by_the_last_day_rule():
    assert dl.next_term_expiry(D(2030, 1, 6)) == D(2040, 1, 6)
    # The term ending 2026-02-28 is followed by one from 2026-03-01: it ends 2036-02-29.
    assert dl.next_term_expiry(D(2026, 2, 28)) == D(2036, 2, 29)
    assert dl.renewal_expiry(dl.renewal_key(D(2030, 1, 6))) == D(2030, 1, 6)
    assert dl.renewal_expiry("annual_fee:4") is None and dl.renewal_expiry("tm_renewal:x") is None


def test_renewed_moves_the_custody_to_the_next_term_without_touching_the_record(world, custody, portfolio):
    mark = portfolio["mark"]
    (current,) = renewals(custody)
    renew(world, custody, current)
    following = dl.next_term_expiry(current.statutory)
    keys = [d.key for d in renewals(custody)]
    assert keys == [current.key, dl.renewal_key(following)]
    mark.refresh_from_db()
    assert mark.expiry_date is None  # the imported register record is not overwritten
    # The next term's renewal takes actions too: renewing again moves on once more.
    nxt = renewals(custody)[1]
    renew(world, custody, nxt)
    assert renewals(custody)[-1].key == dl.renewal_key(dl.next_term_expiry(following))


def test_next_term_shows_in_calendar_api_feed_reminders_and_report(client, world, custody):
    (current,) = renewals(custody)
    renew(world, custody, current)
    nxt = renewals(custody)[1]
    client.force_login(world.users.staff_a)
    start, end = nxt.due - dt.timedelta(days=1), nxt.due + dt.timedelta(days=1)
    rows = client.get(f"/api/v1/custody/{custody.pk}/calendar?start={start}&end={end}").json()
    assert [r["key"] for r in rows] == [nxt.key]
    assert rows[0]["amount_yuan"] == 500 and rows[0]["online_amount_yuan"] == 450
    # The feed covers three years ahead: the next term (ten years on) is not in it yet, the renewed one is.
    ical = Calendar.from_ical(feed.build_calendar(custody))
    uids = {str(e["uid"]) for e in ical.walk("VEVENT")}
    assert f"custody-{custody.pk}-{current.right_key}-{current.key}@zhichan" in uids
    ical = Calendar.from_ical(feed.build_calendar(custody, nxt.due - dt.timedelta(days=100)))
    assert f"custody-{custody.pk}-{nxt.right_key}-{nxt.key}@zhichan" in {
        str(e["uid"]) for e in ical.walk("VEVENT")
    }
    # No reminder for the renewed term; the next term's when its time comes.
    send_reminders(current.due - dt.timedelta(days=5))
    assert not CustodyReminder.objects.filter(deadline_key=current.key).exists()
    send_reminders(nxt.due - dt.timedelta(days=80))
    assert CustodyReminder.objects.get(deadline_key=nxt.key).lead_days == 90
    built = reports.build(custody, nxt.due.year - 1)
    assert [row[0] for row in built.next_year if row[2] == nxt.due] == [nxt.right_number]
    assert [row[4] for row in built.next_year if row[2] == nxt.due] == [500]


def test_the_record_wins_once_an_import_moves_its_expiry(world, custody, portfolio):
    mark = portfolio["mark"]
    (current,) = renewals(custody)
    renew(world, custody, current)
    following = dl.next_term_expiry(current.statutory)
    mark.expiry_date = following  # the import brings the renewal
    mark.save()
    keys = [d.key for d in renewals(custody)]
    assert keys == [current.key, dl.renewal_key(following)]  # no duplicate, the renewed one kept
    mark.expiry_date = following + dt.timedelta(days=3)  # the register says otherwise: it wins
    mark.save()
    assert [d.key for d in renewals(custody)] == [current.key, dl.renewal_key(mark.expiry_date)]


def test_abandoned_renewal_does_not_move_the_term(world, custody):
    (current,) = renewals(custody)
    services.do_record_action(
        world.users.staff_a,
        custody,
        right_key=current.right_key,
        deadline_key=current.key,
        action="abandoned",
        done_on=TODAY(),
    )
    assert [d.key for d in renewals(custody)] == [current.key]


# --- grace-period reminders ----------------------------------------------------------------------


def stages(key):
    return set(CustodyReminder.objects.filter(deadline_key=key).values_list("stage", "lead_days"))


def test_grace_reminders_once_each_even_when_the_scan_runs_twice(world, custody):
    (renewal,) = renewals(custody)
    entered = renewal.due + dt.timedelta(days=1)
    send_reminders(entered)
    assert stages(renewal.key) == {("grace", 0)}
    notice = Notice.objects.filter(kind="custody_deadline", subject__contains=renewal.right_number).latest(
        "pk"
    )
    assert f"in grace, surcharge applies, last day {renewal.grace_ends.isoformat()}" in notice.subject
    assert "Surcharge if paid today: 250 yuan" in notice.body
    assert send_reminders(entered) == 0
    send_reminders(renewal.grace_ends - dt.timedelta(days=31))  # mid-grace: nothing new
    assert stages(renewal.key) == {("grace", 0)}
    near = renewal.grace_ends - dt.timedelta(days=30)
    send_reminders(near)
    assert stages(renewal.key) == {("grace", 0), ("grace_end", 30)}
    told = Notice.objects.filter(subject__contains=renewal.right_number)
    before = told.count()
    assert send_reminders(near) == 0
    send_reminders(renewal.grace_ends)
    send_reminders(renewal.grace_ends + dt.timedelta(days=1))  # passed: nothing more
    assert told.count() == before
    assert stages(renewal.key) == {("grace", 0), ("grace_end", 30)}


def test_a_scan_deep_in_grace_sends_only_the_last_reminder(world, custody, settings):
    settings.ZHICHAN_CUSTODY_GRACE_REMIND_DAYS = 10
    (renewal,) = renewals(custody)
    send_reminders(renewal.grace_ends - dt.timedelta(days=20))
    assert stages(renewal.key) == {("grace", 0)}
    CustodyReminder.objects.all().delete()
    send_reminders(renewal.grace_ends - dt.timedelta(days=10))
    assert stages(renewal.key) == {("grace_end", 10)}


def test_a_paid_fee_gets_no_reminder_before_or_in_grace(world, custody):
    fee = fee_key(custody)
    services.do_record_action(
        world.users.staff_a,
        custody,
        right_key=fee.right_key,
        deadline_key=fee.key,
        action="fee_paid",
        done_on=TODAY(),
    )
    for day in (fee.due - dt.timedelta(days=7), fee.due + dt.timedelta(days=1), fee.grace_ends):
        send_reminders(day)
    assert not CustodyReminder.objects.filter(deadline_key=fee.key).exists()


def test_an_unpaid_fee_in_grace_is_reminded_with_its_surcharge(world, custody):
    fee = fee_key(custody)
    day = fee.due + dt.timedelta(days=45)  # the second month late: 5 %
    send_reminders(day)
    assert stages(fee.key) == {("grace", 0)}
    notice = Notice.objects.filter(subject__contains=fee.right_number).latest("pk")
    amount = fees.schedule().annual_fee("invention", fee.year)
    month = fees.months_late(fee, day)
    assert f"Fee: {amount} yuan" in notice.body
    if month >= 2:
        assert f"Surcharge if paid today: {amount * (month - 1) * 5 // 100} yuan" in notice.body


# --- fee amounts beside deadlines ----------------------------------------------------------------


def late_patent(world, custody):
    """A utility model in the custody whose year-6 fee fell due 45 days ago: the second month late."""
    filed = dl.add_years(TODAY() - dt.timedelta(days=45), -5)
    patent = Patent.objects.create(
        application_number=number(f"{filed.year}20000009"),
        application_date=filed,
        grant_date=filed + dt.timedelta(days=200),
        patent_type="utility",
        title="一种逾期装置",
        legal_status="valid",
        region=world.county_a,
    )
    custody.patents.add(patent)
    return patent


def test_page_shows_fee_and_surcharge_beside_deadlines(client, world, custody):
    fee = fee_key(custody)
    late = late_patent(world, custody)
    client.force_login(world.users.staff_a)
    html = client.get(f"/custody/{custody.pk}/").content.decode()
    row = html.split(f'data-key="{fee.key}"', 1)[1].split("</tr>", 1)[0]
    assert f'data-testid="deadline-fee">{fees.schedule().annual_fee("invention", fee.year)}' in row
    late_row = html.split(f'data-right="patent:{late.application_number}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="deadline-surcharge"' in late_row and "+ surcharge 60 if paid today" in late_row
    renewal_row = html.split('data-kind="tm_renewal"', 1)[1].split("</tr>", 1)[0]
    assert "500" in renewal_row and "online 450" in renewal_row


def test_calendar_api_gives_amount_and_surcharge(client, world, custody):
    late = late_patent(world, custody)
    client.force_login(world.users.staff_a)
    start = TODAY() - dt.timedelta(days=120)
    rows = client.get(f"/api/v1/custody/{custody.pk}/calendar?start={start}").json()
    entry = next(
        r for r in rows if r["right_number"] == late.application_number and r["kind"] == "annual_fee"
    )
    assert entry["state"] == "grace" and entry["year"] == 6
    assert entry["amount_yuan"] == 1200 and entry["surcharge_yuan"] == 60  # the second month late
    renewal = next(r for r in rows if r["kind"] == "tm_renewal")
    assert renewal["amount_yuan"] == 500 and renewal["surcharge_yuan"] is None  # not in grace


def test_report_lists_the_fee_of_each_deadline(world, custody):
    fee = fee_key(custody)
    built = reports.build(custody, fee.due.year)
    row = next(r for r in built.deadlines if r[1] == str(fee.label))
    assert row[6] == fees.schedule().annual_fee("invention", fee.year)
    assert row[7] == ""  # not in grace today: no surcharge
