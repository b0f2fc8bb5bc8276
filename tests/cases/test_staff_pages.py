"""The staff workspace: inbox with filters and bulk assignment, the case page and its actions."""

import datetime as dt

import pytest

from tests.cases.conftest import file_case
from zhichan.cases.models import Case, CaseEvent, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, world):
    client.force_login(world.users.staff_a)
    return client


def test_inbox_lists_own_cases_with_filters(staff, world, case_a):
    other = file_case(region="990103", subject="乙县的件")
    late = file_case(subject="超期件")
    Case.objects.filter(pk=late.pk).update(deadline=late.deadline - dt.timedelta(days=30))
    page = staff.get("/cases/")
    assert page.status_code == 200
    assert case_a.number in page.text and late.number in page.text and other.number not in page.text
    overdue = staff.get("/cases/?overdue=1")
    assert late.number in overdue.text and case_a.number not in overdue.text
    assert case_a.number not in staff.get("/cases/?q=超期").text
    assert staff.get("/cases/?status=bogus&q=%00").status_code == 200


@pytest.mark.parametrize("role", ["public", "enterprise"])
def test_inbox_is_for_staff(client, world, role):
    client.force_login(getattr(world.users, role))
    assert client.get("/cases/").status_code == 404


def test_anonymous_is_sent_to_login(client, world):
    response = client.get("/cases/")
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_bulk_assign_from_the_inbox(client, world, case_a):
    second = file_case(subject="第二件")
    client.force_login(world.users.agency_admin_a)
    response = client.post("/cases/", {"case": [case_a.pk, second.pk], "handler": world.users.staff_a.pk})
    assert response.status_code == 302
    assert set(Case.objects.values_list("handler_id", flat=True)) == {world.users.staff_a.pk}


def test_case_page_of_another_county_is_404(client, world, case_a):
    client.force_login(world.users.staff_b)
    assert client.get(f"/cases/{case_a.pk}/").status_code == 404
    assert client.post(f"/cases/{case_a.pk}/", {"action": "accept"}).status_code == 404
    case_a.refresh_from_db()
    assert case_a.status == Status.NEW


def test_handle_through_the_case_page(staff, world, case_a):
    url = f"/cases/{case_a.pk}/"
    page = staff.get(url)
    assert 'data-testid="action-accept"' in page.text and 'data-testid="action-reply"' not in page.text
    assert staff.post(url, {"action": "accept"}).status_code == 302
    again = staff.post(url, {"action": "accept"}, follow=True)
    assert "is Accepted and cannot become Accepted" in again.text
    empty = staff.post(url, {"action": "reply", "message": " "})
    assert empty.status_code == 200 and 'data-field="message"' in empty.text
    assert staff.post(url, {"action": "note", "note": "已电话联系"}).status_code == 302
    assert staff.post(url, {"action": "reply", "message": "已处理完毕"}).status_code == 302
    assert staff.post(url, {"action": "close"}).status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == Status.CLOSED
    kinds = list(CaseEvent.objects.filter(case=case_a).values_list("kind", flat=True))
    assert kinds == ["created", "accepted", "note", "reply", "closed"]
    assert staff.post(url, {"action": "explode"}).status_code == 404


def test_refer_away_returns_to_the_inbox(staff, world, case_a):
    url = f"/cases/{case_a.pk}/"
    missing = staff.post(url, {"action": "refer", "to_agency": world.city_centre.pk, "reason": ""})
    assert missing.status_code == 200 and 'data-field="reason"' in missing.text
    response = staff.post(url, {"action": "refer", "to_agency": world.city_centre.pk, "reason": "跨区案件"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    case_a.refresh_from_db()
    assert case_a.owner == world.city_centre
    assert staff.get(url).status_code == 404


def test_county_admin_supervises_from_the_page(client, world, case_a):
    Case.objects.filter(pk=case_a.pk).update(deadline=case_a.deadline - dt.timedelta(days=30))
    client.force_login(world.users.county_admin_a)
    url = f"/cases/{case_a.pk}/"
    assert 'data-testid="action-supervise"' in client.get(url).text
    assert client.post(url, {"action": "supervise", "note": "请今日办结"}).status_code == 302
    assert CaseEvent.objects.get(case=case_a, kind="supervised").data == {"level": "county"}
    client.force_login(world.users.staff_a)
    assert 'data-testid="action-supervise"' not in client.get(url).text
