import pytest

from zhichan.agencies.models import Agency, AgencyEvent

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.users.city_admin)
    return client


def test_get_one_agency(client, world):
    data = client.get(f"/api/v1/agencies/{world.outlet_a.pk}").json()
    assert data["name"] == "甲区开发区工作站"
    assert (data["region_code"], data["parent_id"], data["level"]) == (
        "990102-PARK",
        world.centre_a.pk,
        "park",
    )
    assert data["functions"] == ["consultation"] and data["services"] == ["TM-REG"]


def test_create_full(admin_client, world):
    response = admin_client.post(
        "/api/v1/agencies/",
        {
            "name": "乙县新窗口",
            "level": "county",
            "type": "tm_window",
            "region_code": "990103",
            "parent_id": world.centre_b.pk,
            "functions": ["consultation"],
            "services": ["TM-REG"],
            "lng": 112.8,
            "lat": 37.7,
            "status": "operating",
        },
        content_type=JSON,
    )
    assert response.status_code == 201
    data = response.json()
    assert (data["status"], data["parent_id"], data["services"]) == (
        "operating",
        world.centre_b.pk,
        ["TM-REG"],
    )
    assert Agency.objects.get(pk=data["id"]).events.get().kind == "created"


def test_create_validation_is_422_by_field(admin_client, world):
    before = Agency.objects.count()
    response = admin_client.post(
        "/api/v1/agencies/",
        {"name": "甲区知识产权服务中心", "level": "city", "type": "workstation", "region_code": "990102"},
        content_type=JSON,
    )
    assert response.status_code == 422
    fields = {d["field"]: d["errors"] for d in response.json()["detail"]}
    assert "already exists in 甲区" in fields["name"][0]
    assert "cannot lie in 甲区" in fields["level"][0]
    assert Agency.objects.count() == before


def test_malformed_body_is_422(admin_client, world):
    response = admin_client.post("/api/v1/agencies/", {"name": 5}, content_type=JSON)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


def test_double_create_makes_one(admin_client, world):
    body = {"name": "甲区重复提交站", "level": "county", "type": "workstation", "region_code": "990102"}
    first = admin_client.post("/api/v1/agencies/", body, content_type=JSON)
    second = admin_client.post("/api/v1/agencies/", body, content_type=JSON)
    assert (first.status_code, second.status_code) == (201, 422)
    assert Agency.objects.filter(name="甲区重复提交站").count() == 1


def test_patch_validation(admin_client, world):
    response = admin_client.patch(
        f"/api/v1/agencies/{world.centre_a.pk}", {"lng": 150.0, "lat": 10.0}, content_type=JSON
    )
    assert response.status_code == 422
    assert "km outside" in response.json()["detail"][0]["errors"][0]
    world.centre_a.refresh_from_db()
    assert world.centre_a.lng is None


def test_patch_agency_admin_restricted_fields(client, world):
    client.force_login(world.users.agency_admin_a)
    url = f"/api/v1/agencies/{world.centre_a.pk}"
    refused = client.patch(url, {"name": "改名"}, content_type=JSON)
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "name"
    allowed = client.patch(url, {"opening_hours": "周末也开"}, content_type=JSON)
    assert allowed.status_code == 200 and allowed.json()["opening_hours"] == "周末也开"


def test_status_transition_errors(admin_client, world):
    url = f"/api/v1/agencies/{world.closed_b.pk}/status"
    response = admin_client.post(url, {"status": "operating", "finding": "x"}, content_type=JSON)
    assert response.status_code == 409
    assert response.json()["detail"][0]["field"] == "status"
    world.closed_b.refresh_from_db()
    assert world.closed_b.status == "closed"
    missing = admin_client.post(
        f"/api/v1/agencies/{world.centre_a.pk}/status", {"status": "closed"}, content_type=JSON
    )
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "finding"


def test_double_status_submission_makes_one_event(admin_client, world):
    url = f"/api/v1/agencies/{world.centre_a.pk}/status"
    body = {"status": "rectifying", "finding": "投诉较多"}
    first = admin_client.post(url, body, content_type=JSON)
    second = admin_client.post(url, body, content_type=JSON)
    assert (first.status_code, second.status_code) == (200, 409)
    assert AgencyEvent.objects.filter(agency=world.centre_a, kind="status").count() == 1


def test_upgrade_and_events(admin_client, world):
    url = f"/api/v1/agencies/{world.centre_b.pk}"
    assert admin_client.post(f"{url}/upgrade", {"type": "library"}, content_type=JSON).status_code == 422
    response = admin_client.post(
        f"{url}/upgrade", {"type": "workstation", "finding": "验收合格"}, content_type=JSON
    )
    assert response.status_code == 200 and response.json()["type"] == "workstation"
    again = admin_client.post(f"{url}/upgrade", {"type": "service_centre"}, content_type=JSON)
    assert again.status_code == 409
    events = admin_client.get(f"{url}/events").json()
    assert [(e["kind"], e["from_state"], e["to_state"], e["actor"]) for e in events] == [
        ("upgrade", "tm_guidance_station", "workstation", "city_admin")
    ]


def test_openapi_declares_the_routes(client, world):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/agencies/",
        "/api/v1/agencies/coverage",
        "/api/v1/agencies/{agency_id}",
        "/api/v1/agencies/{agency_id}/status",
        "/api/v1/agencies/{agency_id}/upgrade",
        "/api/v1/agencies/{agency_id}/events",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/agencies/{agency_id}/status"]["post"]["responses"]) >= {
        "200",
        "404",
        "409",
        "422",
    }


def test_patch_needs_an_object(admin_client, world):
    response = admin_client.patch(f"/api/v1/agencies/{world.centre_a.pk}", [None, None], content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "body"


def test_huge_offset_is_422(client, world):
    assert client.get("/api/v1/agencies/?offset=10854587077716778942464").status_code == 422
    assert client.get("/api/v1/agencies/?limit=100000").status_code == 422
