"""The requester's identity: in full for the handling agency, masked for everyone else until
they reveal it, and every full view by staff in the append-only access log."""

import pytest

from tests.cases.conftest import file_case
from zhichan.cases.models import IdentityView

pytestmark = pytest.mark.django_db

JSON = "application/json"


def _page(client, user, case, **post):
    client.force_login(user)
    if post:
        return client.post(f"/cases/{case.pk}/", post)
    return client.get(f"/cases/{case.pk}/")


def test_handling_agency_sees_the_identity_and_the_view_is_logged_once_a_minute(client, world, case_a):
    page = _page(client, world.users.staff_a, case_a)
    assert page.status_code == 200
    assert "张三" in page.text and "13800000000" in page.text
    assert 'data-testid="reveal-identity"' not in page.text
    _page(client, world.users.staff_a, case_a)  # a reload within the minute
    views = list(IdentityView.objects.filter(case=case_a))
    assert [(v.user, v.revealed, v.channel) for v in views] == [(world.users.staff_a, False, "page")]


@pytest.mark.parametrize("role", ["county_admin_a", "city_admin"])
def test_administrators_see_it_masked_until_they_reveal_it(client, world, case_a, role):
    user = getattr(world.users, role)
    page = _page(client, user, case_a)
    assert page.status_code == 200
    assert "13800000000" not in page.text and "张三" not in page.text
    assert "138****0000" in page.text and "张*" in page.text
    assert not IdentityView.objects.exists()
    revealed = _page(client, user, case_a, action="reveal_identity")
    assert revealed.status_code == 200
    assert "13800000000" in revealed.text and "张三" in revealed.text
    assert IdentityView.objects.get().user == user
    assert IdentityView.objects.get().revealed is True
    assert case_a.events.count() == 1  # revealing changes nothing about the case


def test_reveal_of_a_case_outside_ones_reach_is_404_and_logs_nothing(client, world, case_a):
    assert _page(client, world.users.county_admin_b, case_a, action="reveal_identity").status_code == 404
    assert _page(client, world.users.staff_b, case_a, action="reveal_identity").status_code == 404
    assert not IdentityView.objects.exists()


def test_anonymous_case_shows_no_identity_and_logs_nothing(client, world, case_a):
    case = file_case(type="report", anonymous=True, requester_name="", requester_phone="")
    page = _page(client, world.users.city_admin, case)
    assert page.status_code == 200 and 'data-testid="reveal-identity"' not in page.text
    assert _page(client, world.users.city_admin, case, action="reveal_identity").status_code == 200
    assert not IdentityView.objects.filter(case=case).exists()


def test_api_masks_for_administrators_and_reveal_is_logged(client, world, case_a):
    client.force_login(world.users.city_admin)
    data = client.get(f"/api/v1/cases/{case_a.pk}").json()
    assert (data["requester_name"], data["requester_phone"]) == ("张*", "138****0000")
    listed = client.get("/api/v1/cases/").json()
    assert {c["requester_phone"] for c in listed["items"] if c["id"] == case_a.pk} == {"138****0000"}
    assert not IdentityView.objects.exists()
    revealed = client.post(f"/api/v1/cases/{case_a.pk}/identity", content_type=JSON)
    assert revealed.status_code == 200 and revealed.json()["requester_phone"] == "13800000000"
    view = IdentityView.objects.get()
    assert (view.user, view.revealed, view.channel) == (world.users.city_admin, True, "api")


def test_api_gives_the_handling_agency_the_identity_and_logs_it(client, world, case_a):
    client.force_login(world.users.staff_a)
    data = client.get(f"/api/v1/cases/{case_a.pk}").json()
    assert data["requester_phone"] == "13800000000"
    assert IdentityView.objects.get().channel == "api"


def test_access_log_is_for_the_city_administrators_only(client, world, case_a):
    _page(client, world.users.staff_a, case_a)
    client.force_login(world.users.city_admin)
    rows = client.get(f"/api/v1/cases/identity-views?case_number={case_a.number}").json()["items"]
    assert [(r["case_number"], r["user_id"], r["revealed"]) for r in rows] == [
        (case_a.number, world.users.staff_a.pk, False)
    ]
    page = client.get("/cases/identity-log/")
    assert page.status_code == 200 and case_a.number in page.text
    for role in ("staff_a", "agency_admin_a", "county_admin_a", "public"):
        client.force_login(getattr(world.users, role))
        assert client.get("/api/v1/cases/identity-views").json()["items"] == []
        assert client.get("/cases/identity-log/").status_code == 404
