"""Fair registry writes over the API."""

import datetime as dt

import pytest
from django.utils import timezone

from zhichan.fairs.models import Fair

pytestmark = pytest.mark.django_db
JSON = "application/json"


def body(world, **overrides):
    now = timezone.now()
    data = {
        "name": "乙县商标节",
        "starts_at": (now + dt.timedelta(days=1)).isoformat(),
        "ends_at": (now + dt.timedelta(days=2)).isoformat(),
        "region_code": "990103",
        "workstation_id": world.centre_b.pk,
        "staff_ids": [world.users.staff_b.pk],
        "accept_hours": 2,
        "decide_hours": 24,
    }
    data.update(overrides)
    return data


def test_city_admin_creates_and_patches(client, world):
    client.force_login(world.users.city_admin)
    response = client.post("/api/v1/fairs/", body(world), content_type=JSON)
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["region_code"] == "990103" and out["staff_ids"] == [world.users.staff_b.pk]
    fair = Fair.objects.get(pk=out["id"])
    response = client.patch(f"/api/v1/fairs/{fair.pk}", {"venue": "乙县体育馆"}, content_type=JSON)
    assert response.status_code == 200 and response.json()["venue"] == "乙县体育馆"
    fair.refresh_from_db()
    assert fair.venue == "乙县体育馆" and fair.name == "乙县商标节"
    assert list(fair.staff.all()) == [world.users.staff_b]


def test_validation_names_api_fields(client, world):
    client.force_login(world.users.city_admin)
    cases = [
        ({"ends_at": body(world)["starts_at"]}, "ends_at"),
        ({"region_code": "nowhere"}, "region_code"),
        ({"workstation_id": world.centre_a.pk}, "workstation_id"),
        ({"workstation_id": 999999}, "workstation_id"),
        ({"staff_ids": [world.users.staff_a.pk]}, "staff_ids"),
    ]
    for overrides, field in cases:
        response = client.post("/api/v1/fairs/", body(world, **overrides), content_type=JSON)
        assert response.status_code == 422, overrides
        assert field in [e["field"] for e in response.json()["detail"]], response.json()
    assert not Fair.objects.exists()


def test_patch_end_before_start_is_refused(client, world, fairs):
    client.force_login(world.users.county_admin_a)
    fair = fairs["running_a"]
    past = (fair.starts_at - dt.timedelta(hours=1)).isoformat()
    response = client.patch(f"/api/v1/fairs/{fair.pk}", {"ends_at": past}, content_type=JSON)
    assert response.status_code == 422
    fair.refresh_from_db()
    assert fair.ends_at > fair.starts_at


def test_county_admin_limited_to_own_county(client, world, fairs):
    client.force_login(world.users.county_admin_a)
    response = client.post("/api/v1/fairs/", body(world), content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "region_code"
    other = fairs["upcoming_b"]
    assert client.patch(f"/api/v1/fairs/{other.pk}", {"name": "x"}, content_type=JSON).status_code == 404
    other.refresh_from_db()
    assert other.name == "乙县农博会"
    assert Fair.objects.count() == 3


@pytest.mark.parametrize("role", ["public", "staff_a", "agency_admin_a"])
def test_others_are_refused(client, world, fairs, role):
    client.force_login(getattr(world.users, role))
    assert client.post("/api/v1/fairs/", body(world), content_type=JSON).status_code == 404
    fair = fairs["running_a"]
    assert client.patch(f"/api/v1/fairs/{fair.pk}", {"name": "x"}, content_type=JSON).status_code == 404
    fair.refresh_from_db()
    assert fair.name == "甲区博览会" and Fair.objects.count() == 3


def test_anonymous_writes_need_login(client, world):
    assert client.post("/api/v1/fairs/", body(world), content_type=JSON).status_code == 401
    assert not Fair.objects.exists()


def test_reads_stay_open(client, world, fairs):
    items = client.get("/api/v1/fairs/").json()["items"]
    assert {i["id"] for i in items} == {f.pk for f in fairs.values()}


def test_superuser_may_write(client, world):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    assert client.post("/api/v1/fairs/", body(world), content_type=JSON).status_code == 201
    assert client.get("/fairs/new/").status_code == 200
    assert client.get("/cases/rules/").status_code == 200
