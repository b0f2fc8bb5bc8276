"""Who sees which custody (every role), and the pages: list, detail, calendar, forms, feed, reports."""

import datetime as dt
import io

import pytest
from docx import Document
from icalendar import Calendar
from openpyxl import load_workbook

from tests.custody.conftest import fee_key
from zhichan.custody import services
from zhichan.custody.models import Custody, CustodyAction

TODAY = dt.date.today


SEES = {
    "anonymous": False,
    "public": False,
    "enterprise": False,  # an enterprise user who is not a contact
    "staff_a": True,
    "agency_admin_a": True,
    "staff_b": False,
    "agency_admin_b": False,
    "county_admin_a": True,
    "county_admin_b": False,
    "city_admin": True,
}


@pytest.mark.parametrize(("role", "sees"), SEES.items())
def test_restrict_by_role(world, custody, role, sees):
    assert Custody.objects.restrict(getattr(world.users, role)).filter(pk=custody.pk).exists() is sees


def test_the_enterprise_contact_sees_its_custody_but_cannot_change_it(world, custody, contact):
    assert list(Custody.objects.restrict(contact)) == [custody]
    assert not Custody.objects.restrict(contact, "change").exists()


@pytest.mark.parametrize(
    ("role", "changes"), [("staff_a", True), ("county_admin_a", False), ("city_admin", True)]
)
def test_change_by_role(world, custody, role, changes):
    assert Custody.objects.restrict(getattr(world.users, role), "change").exists() is changes


@pytest.mark.parametrize(("role", "sees"), SEES.items())
def test_detail_page_by_role(client, world, custody, role, sees):
    user = getattr(world.users, role)
    if role != "anonymous":
        client.force_login(user)
    response = client.get(f"/custody/{custody.pk}/")
    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if sees else 404)
    list_body = client.get("/custody/").content.decode()
    if role != "anonymous":
        assert (f'data-custody="{custody.pk}"' in list_body) is sees


def test_contact_reads_the_page_without_the_forms(client, custody, contact):
    client.force_login(contact)
    body = client.get(f"/custody/{custody.pk}/").content.decode()
    assert 'data-testid="deadline-list"' in body and 'data-testid="feed-url"' in body
    assert 'data-testid="action-form"' not in body and 'data-testid="rotate-token"' not in body
    assert client.post(f"/custody/{custody.pk}/token/").status_code == 404


def test_staff_record_an_action_through_the_page(client, world, custody):
    fee = fee_key(custody)
    client.force_login(world.users.staff_a)
    body = client.get(f"/custody/{custody.pk}/").content.decode()
    assert 'data-testid="action-form"' in body
    response = client.post(
        f"/custody/{custody.pk}/action/",
        {"deadline": f"{fee.right_key}|{fee.key}", "action": "fee_paid", "done_on": TODAY().isoformat()},
    )
    assert response.status_code == 302
    assert CustodyAction.objects.get().deadline_key == fee.key
    body = client.get(f"/custody/{custody.pk}/").content.decode()
    assert 'data-testid="action-row"' in body


def test_a_future_date_comes_back_as_a_field_error(client, world, custody):
    fee = fee_key(custody)
    client.force_login(world.users.staff_a)
    response = client.post(
        f"/custody/{custody.pk}/action/",
        {
            "deadline": f"{fee.right_key}|{fee.key}",
            "action": "fee_paid",
            "done_on": (TODAY() + dt.timedelta(days=3)).isoformat(),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="done_on"' in body and "cannot be in the future" in body
    assert not CustodyAction.objects.exists()


def test_create_through_the_page_and_overlap_error(client, world, portfolio):
    client.force_login(world.users.staff_a)
    assert client.get(f"/custody/new/?enterprise={portfolio['enterprise'].pk}").status_code == 200
    data = {
        "agency": world.centre_a.pk,
        "enterprise": portfolio["enterprise"].pk,
        "starts_on": TODAY().isoformat(),
    }
    response = client.post("/custody/new/", data)
    assert response.status_code == 302
    response = client.post("/custody/new/", data)  # the same again: refused, one custody
    assert response.status_code == 200 and 'data-field="starts_on"' in response.content.decode()
    assert Custody.objects.count() == 1


def test_county_admin_and_public_cannot_open_the_create_page(client, world):
    for role in ("county_admin_a", "public", "enterprise"):
        client.force_login(getattr(world.users, role))
        assert client.get("/custody/new/").status_code == 404


def test_rights_page_names_unknown_numbers(client, world, custody):
    client.force_login(world.users.staff_a)
    response = client.post(f"/custody/{custody.pk}/rights/", {"patents": "123", "trademarks": ""})
    assert 'data-field="patents"' in response.content.decode()
    assert custody.patents.count() == 2


def test_calendar_page_groups_by_month(client, world, custody):
    fee = fee_key(custody)
    client.force_login(world.users.county_admin_a)
    body = client.get(f"/custody/{custody.pk}/calendar/?year={fee.due.year}").content.decode()
    assert f'data-month="{fee.due.month}"' in body and f'data-key="{fee.key}"' in body
    assert client.get(f"/custody/{custody.pk}/calendar/?year=abc").status_code == 200


def test_ical_feed_by_token_without_log_in(client, world, custody):
    fee = fee_key(custody)
    response = client.get(f"/custody/feed/{custody.feed_token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    starts = {(str(e["uid"]), e.decoded("dtstart")) for e in events}
    assert (f"custody-{custody.pk}-{fee.right_key}-{fee.key}@zhichan", fee.due) in starts
    old = custody.feed_token
    services.do_rotate_feed_token(world.users.staff_a, custody)
    assert client.get(f"/custody/feed/{old}.ics").status_code == 404
    assert client.get("/custody/feed/guess.ics").status_code == 404


def test_reports_docx_and_xlsx(client, world, custody):
    fee = fee_key(custody)
    services.do_record_action(
        world.users.staff_a,
        custody,
        right_key=fee.right_key,
        deadline_key=fee.key,
        action="fee_paid",
        done_on=TODAY(),
    )
    client.force_login(world.users.staff_a)
    year = fee.due.year
    response = client.get(f"/custody/{custody.pk}/report/{year}.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    deadlines = list(book["Deadlines of the year"].iter_rows(values_only=True))
    row = next(r for r in deadlines if r[1] == str(fee.label))
    assert row[4] == "Met"
    response = client.get(f"/custody/{custody.pk}/report/{year}.docx")
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(cell.text for table in doc.tables for row in table.rows for cell in row.cells)
    assert fee.right_number in text and "Met" in text
    assert client.get(f"/custody/{custody.pk}/report/{year}.pdf").status_code == 404
    client.force_login(world.users.staff_b)
    assert client.get(f"/custody/{custody.pk}/report/{year}.xlsx").status_code == 404


def test_report_counts_a_missed_fee(world, custody):
    from zhichan.custody import reports

    # The year-4 fee fell due about 325 days ago, inside the custody, and its grace has passed.
    missed = next(d for _r, d in services.custody_deadlines(custody) if d.key == "annual_fee:4")
    built = reports.build(custody, missed.due.year)
    row = next(r for r in built.deadlines if r[1] == str(missed.label))
    assert row[4] == "Missed"
