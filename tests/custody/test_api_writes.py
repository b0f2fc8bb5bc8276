"""The custody API's writes: create, set the rights, end; the page services, the same permissions."""

import datetime as dt

import pytest

from zhichan.custody.models import Custody, CustodyEvent, CustodyStatus

TODAY = dt.date.today
JSON = "application/json"


def create_payload(world, portfolio, **changes):
    return {
        "agency_id": world.centre_a.pk,
        "enterprise_id": portfolio["enterprise"].pk,
        "starts_on": TODAY().isoformat(),
        "note": "托管协议 2026-01",
        **changes,
    }


def post(client, url, payload):
    return client.post(url, payload, content_type=JSON)


def fields(response):
    return [item["field"] for item in response.json()["detail"]]


def test_create_takes_the_linked_rights_and_a_double_submission_gives_one(client, world, portfolio):
    client.force_login(world.users.staff_a)
    payload = create_payload(world, portfolio)
    response = post(client, "/api/v1/custody/", payload)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["agency_id"] == world.centre_a.pk and data["status"] == "active"
    assert data["patents"] == sorted(
        [portfolio["invention"].application_number, portfolio["lapsed"].application_number]
    )
    assert data["trademarks"] == [portfolio["mark"].registration_number]
    custody = Custody.objects.get()
    assert CustodyEvent.objects.filter(custody=custody, kind="created").count() == 1
    again = post(client, "/api/v1/custody/", payload)
    assert again.status_code == 422 and fields(again) == ["starts_on"]
    assert Custody.objects.count() == 1


def test_create_with_given_rights(client, world, portfolio):
    client.force_login(world.users.city_admin)  # the city administrator, for any agency
    payload = create_payload(
        world, portfolio, patents=[portfolio["invention"].application_number], trademarks=[]
    )
    response = post(client, "/api/v1/custody/", payload)
    assert response.status_code == 201, response.content
    assert response.json()["patents"] == [portfolio["invention"].application_number]
    assert response.json()["trademarks"] == []


@pytest.mark.parametrize("role", ["enterprise", "county_admin_a", "public"])
def test_create_refused_to_those_who_manage_no_agency(client, world, portfolio, role):
    client.force_login(getattr(world.users, role))
    assert post(client, "/api/v1/custody/", create_payload(world, portfolio)).status_code == 404
    assert not Custody.objects.exists()


def test_create_refused_for_another_agency(client, world, portfolio):
    client.force_login(world.users.staff_b)
    response = post(client, "/api/v1/custody/", create_payload(world, portfolio))
    assert response.status_code == 422 and fields(response) == ["agency_id"]
    assert not Custody.objects.exists()


def test_create_needs_a_log_in(client, world, portfolio):
    assert post(client, "/api/v1/custody/", create_payload(world, portfolio)).status_code == 401


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"enterprise_id": 2**31 - 1}, "enterprise_id"),
        ({"agency_id": 2**31 - 1}, "agency_id"),
        ({"ends_on": (TODAY() - dt.timedelta(days=1)).isoformat()}, "ends_on"),
        ({"starts_on": "2026-13-01"}, "starts_on"),
        ({"patents": ["not-a-number"]}, "patents"),
        ({"trademarks": ["00000000"]}, "trademarks"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_create_bad_input_names_the_field(client, world, portfolio, changes, field):
    client.force_login(world.users.staff_a)
    response = post(client, "/api/v1/custody/", create_payload(world, portfolio, **changes))
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert not Custody.objects.exists()


def test_create_without_a_required_field(client, world, portfolio):
    client.force_login(world.users.staff_a)
    payload = create_payload(world, portfolio)
    del payload["agency_id"]
    response = post(client, "/api/v1/custody/", payload)
    assert response.status_code == 422 and fields(response) == ["agency_id"]


def test_set_rights(client, world, custody, portfolio):
    url = f"/api/v1/custody/{custody.pk}/rights"
    body = {"patents": [portfolio["invention"].application_number], "trademarks": []}
    client.force_login(world.users.staff_a)
    response = client.put(url, body, content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["patents"] == [portfolio["invention"].application_number]
    assert response.json()["trademarks"] == []
    event = CustodyEvent.objects.filter(custody=custody, kind="rights").get()
    assert portfolio["mark"].registration_number in event.data["removed"]


def test_set_rights_refusals(client, world, custody, portfolio):
    url = f"/api/v1/custody/{custody.pk}/rights"
    body = {"patents": [], "trademarks": []}
    for role in ("enterprise", "staff_b", "county_admin_a"):
        client.force_login(getattr(world.users, role))
        assert client.put(url, body, content_type=JSON).status_code == 404
    client.force_login(world.users.staff_a)
    bad = client.put(url, {"patents": [], "trademarks": ["99999999"]}, content_type=JSON)
    assert bad.status_code == 422 and fields(bad) == ["trademarks"]
    assert "99999999" in bad.json()["detail"][0]["errors"][0]
    missing = client.put(url, {"patents": []}, content_type=JSON)
    assert missing.status_code == 422 and fields(missing) == ["trademarks"]
    assert custody.trademarks.count() == 1 and custody.patents.count() == 2
    assert not CustodyEvent.objects.filter(custody=custody, kind="rights").exists()


def test_end(client, world, custody, contact):
    url = f"/api/v1/custody/{custody.pk}/end"
    for user in (contact, world.users.staff_b):
        client.force_login(user)
        assert post(client, url, {}).status_code == 404
    client.force_login(world.users.staff_a)
    early = post(client, url, {"ends_on": (custody.starts_on - dt.timedelta(days=1)).isoformat()})
    assert early.status_code == 422 and fields(early) == ["ends_on"]
    custody.refresh_from_db()
    assert custody.status == CustodyStatus.ACTIVE
    response = post(client, url, {"ends_on": TODAY().isoformat(), "note": "合同到期"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ended" and response.json()["ends_on"] == TODAY().isoformat()
    event = CustodyEvent.objects.get(custody=custody, kind="ended")
    assert event.note == "合同到期" and event.actor == world.users.staff_a
    again = post(client, url, {})
    assert again.status_code == 409 and fields(again) == ["status"]


def test_schema_names_are_prefixed(client):
    names = set(client.get("/api/v1/openapi.json").json()["components"]["schemas"])
    for name in ("CustodyCreateIn", "CustodyRightsIn", "CustodyEndIn", "CustodyActionIn", "CustodyActionOut"):
        assert name in names
    assert "ActionIn" not in names and "CalendarFilter" not in names
