import json

import pytest

from zhichan.catalog.models import GuideStatus, ServiceItem
from zhichan.catalog.services import draft_of

pytestmark = pytest.mark.django_db

BASE = "/api/v1/catalog/items"


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world.users, role))
    return client


def send(client, method, url, body=None):
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json")


def error_fields(response):
    """Fields named by a 422: service errors carry "field", schema errors a "loc" path."""
    found = set()
    for error in response.json()["detail"]:
        if "field" in error:
            found.add(error["field"])
        else:
            found.add([p for p in error["loc"] if p not in ("body", "payload", "query", "path")][0])
    return found


def codes(response):
    return {i["code"] for i in response.json()["items"]}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", {"TM-REG"}),
        ("public", {"TM-REG"}),
        ("staff_a", {"TM-REG"}),
        ("county_admin_a", {"TM-REG", "A-LOCAL"}),
        ("county_admin_b", {"TM-REG"}),
        ("city_admin", {"TM-REG", "A-LOCAL"}),
    ],
)
def test_list_is_restricted(client, world, role, expected):
    response = login(client, world, role).get(BASE)
    assert response.status_code == 200 and codes(response) == expected


def test_list_filters_and_paginates(client, world):
    client.force_login(world.users.city_admin)
    assert codes(client.get(BASE, {"category": "government"})) == {"TM-REG"}
    assert codes(client.get(BASE, {"q": "甲区"})) == {"A-LOCAL"}
    page = client.get(BASE, {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    assert client.get(BASE, {"category": "nonsense"}).status_code == 422


def test_item_detail_includes_guide_in_force(client, world):
    data = client.get(f"{BASE}/TM-REG").json()
    assert data["current_version"] == 1 and data["current"]["time_limit_days"] == 10
    assert data["current"]["materials"][0]["name"] == "申请书"


@pytest.mark.parametrize("role", ["anonymous", "public", "agency_admin_a", "county_admin_b"])
def test_unpublished_item_and_draft_are_hidden(client, world, role):
    login(client, world, role)
    assert client.get(f"{BASE}/A-LOCAL").status_code == 404
    assert client.get(f"{BASE}/A-LOCAL/draft").status_code == 404
    assert client.get(f"{BASE}/A-LOCAL/versions").status_code == 404
    assert client.get(f"{BASE}/NOPE").status_code == 404


def test_create_item_by_county_admin(client, world):
    client.force_login(world.users.county_admin_a)
    response = send(client, "post", BASE, {"code": "A-TWO", "name": "甲区第二项", "category": "training"})
    assert response.status_code == 201, response.content
    assert response.json()["owner_region"] == "990102" and response.json()["published"] is False
    again = send(client, "post", BASE, {"code": "A-TWO", "name": "甲区第二项", "category": "training"})
    assert again.status_code == 409
    assert again.json()["detail"][0]["field"] == "code"
    assert ServiceItem.objects.filter(code="A-TWO").count() == 1


@pytest.mark.parametrize("role", ["public", "staff_a", "agency_admin_a"])
def test_create_refused_for_non_admins(client, world, role):
    login(client, world, role)
    response = send(client, "post", BASE, {"code": "X-ONE", "name": "x", "category": "training"})
    assert response.status_code == 404
    assert not ServiceItem.objects.filter(code="X-ONE").exists()


def test_create_requires_login(client, world):
    response = send(client, "post", BASE, {"code": "X-ONE", "name": "x", "category": "training"})
    assert response.status_code == 401
    assert not ServiceItem.objects.filter(code="X-ONE").exists()


def test_patch_item(client, world):
    client.force_login(world.users.city_admin)
    response = send(client, "patch", f"{BASE}/TM-REG", {"summary": "窗口受理"})
    assert response.status_code == 200 and response.json()["summary"] == "窗口受理"
    bad = send(client, "patch", f"{BASE}/TM-REG", {"name": " "})
    assert bad.status_code == 422 and error_fields(bad) == {"name"}
    assert send(client, "patch", f"{BASE}/TM-REG", {"colour": "red"}).status_code == 422
    world.item.refresh_from_db()
    assert world.item.name == "商标注册申请受理"


@pytest.mark.parametrize("role", ["public", "county_admin_a", "county_admin_b"])
def test_patch_refused_for_city_item(client, world, role):
    login(client, world, role)
    assert send(client, "patch", f"{BASE}/TM-REG", {"name": "改"}).status_code == 404
    world.item.refresh_from_db()
    assert world.item.name == "商标注册申请受理"


def test_draft_publish_cycle(client, world):
    client.force_login(world.users.city_admin)
    assert client.get(f"{BASE}/TM-REG/draft").status_code == 404
    response = send(client, "put", f"{BASE}/TM-REG/draft", {"time_limit_days": 3, "fees": "免费"})
    assert response.status_code == 200
    assert response.json()["number"] is None and response.json()["steps"] == ["提交申请", "审核", "办结"]
    assert client.get(f"{BASE}/TM-REG/draft").json()["fees"] == "免费"
    published = send(client, "post", f"{BASE}/TM-REG/publish", {"change_note": "缩短时限"})
    assert published.status_code == 200 and published.json()["number"] == 2
    again = send(client, "post", f"{BASE}/TM-REG/publish", {"change_note": "缩短时限"})
    assert again.status_code == 409
    versions = client.get(f"{BASE}/TM-REG/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[1]["status"] == GuideStatus.SUPERSEDED
    assert client.get(f"{BASE}/TM-REG/versions/1").json()["time_limit_days"] == 10
    assert client.get(f"{BASE}/TM-REG/versions/9").status_code == 404


def test_draft_validation_errors_name_the_field(client, world):
    client.force_login(world.users.city_admin)
    response = send(client, "put", f"{BASE}/TM-REG/draft", {"time_limit_days": 400, "channels": ["fax"]})
    assert response.status_code == 422
    assert error_fields(response) == {"time_limit_days", "channels"}
    assert draft_of(world.item) is None


def test_new_item_draft_without_time_limit_is_refused_with_the_reason(client, world):
    client.force_login(world.users.city_admin)
    assert (
        send(client, "post", BASE, {"code": "NEW-ONE", "name": "新", "category": "training"}).status_code
        == 201
    )
    response = send(client, "put", f"{BASE}/NEW-ONE/draft", {"steps": ["申请"], "channels": ["window"]})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "time_limit_days", "errors": ["A guide needs a time limit in working days."]}
    ]
    assert not ServiceItem.objects.get(code="NEW-ONE").versions.exists()


def test_county_admin_b_cannot_change_county_a_draft(client, world):
    client.force_login(world.users.county_admin_b)
    assert send(client, "put", f"{BASE}/A-LOCAL/draft", {"time_limit_days": 9}).status_code == 404
    assert send(client, "post", f"{BASE}/A-LOCAL/publish", {}).status_code == 404
    assert draft_of(world.draft_a).time_limit_days == 3
    world.draft_a.refresh_from_db()
    assert not world.draft_a.published


def test_county_admin_a_publishes_own_item(client, world):
    client.force_login(world.users.county_admin_a)
    response = send(client, "post", f"{BASE}/A-LOCAL/publish", {})
    assert response.status_code == 200 and response.json()["number"] == 1
    assert client.get(f"{BASE}/A-LOCAL/versions/1").status_code == 200
    client.logout()
    assert client.get(f"{BASE}/A-LOCAL").json()["current_version"] == 1


def test_openapi_declares_the_catalogue_paths(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/catalog/items",
        "/api/v1/catalog/items/{code}",
        "/api/v1/catalog/items/{code}/draft",
        "/api/v1/catalog/items/{code}/publish",
        "/api/v1/catalog/items/{code}/versions",
        "/api/v1/catalog/items/{code}/versions/{number}",
    ):
        assert path in paths
    assert set(paths["/api/v1/catalog/items/{code}/publish"]["post"]["responses"]) >= {"200", "404", "409"}


def test_nul_characters_are_bad_input_not_errors(client, world):
    client.force_login(world.users.city_admin)
    response = send(client, "put", f"{BASE}/TM-REG/draft", {"steps": ["a\x00b"], "fees": "x\x00"})
    assert response.status_code == 422
    assert error_fields(response) == {"steps", "fees"}
    response = send(client, "post", BASE, {"code": "NUL-ONE", "name": "\x00", "category": "training"})
    assert response.status_code == 422
    assert client.get(BASE, {"q": "商标\x00"}).status_code == 200
    assert client.get(f"{BASE}/TM%00REG").status_code == 404
    assert client.get("/services/TM%00REG/").status_code == 404
