"""Who sees and who changes which agency, on the pages and over the API."""

import pytest

from zhichan.agencies.forms import initial_for
from zhichan.agencies.models import Agency

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "public",
    "enterprise",
    "staff_a",
    "agency_admin_a",
    "agency_admin_b",
    "county_admin_a",
    "county_admin_b",
    "city_admin",
]
# Which roles may view each agency of the world (operating ones are public).
VIEWERS = {
    "centre_a": set(ROLES),
    "planned_a": {"county_admin_a", "city_admin"},
    "closed_b": {"county_admin_b", "city_admin"},
}
# Which roles may edit centre_a's details, and change its status.
EDITORS = {"agency_admin_a", "county_admin_a", "city_admin"}
STATUS_CHANGERS = {"county_admin_a", "city_admin"}


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world.users, role))
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", sorted(VIEWERS))
def test_detail_page_and_api_visibility(client, world, role, target):
    agency = getattr(world, target)
    login(client, world, role)
    expected = 200 if role in VIEWERS[target] else 404
    assert client.get(f"/network/{agency.pk}/").status_code == expected
    assert client.get(f"/api/v1/agencies/{agency.pk}").status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_api_list_is_restricted(client, world, role):
    login(client, world, role)
    data = client.get("/api/v1/agencies/?limit=100").json()
    names = {a["name"] for a in data["items"]}
    assert data["count"] == len(names)
    user = getattr(world.users, role)
    expected = set(Agency.objects.restrict(user, "view").values_list("name", flat=True))
    assert names == expected
    for target, viewers in VIEWERS.items():
        assert (getattr(world, target).name in names) == (role in viewers)


def test_missing_agency_is_404(client, world):
    client.force_login(world.users.city_admin)
    assert client.get("/network/999999/").status_code == 404
    assert client.get("/api/v1/agencies/999999").json() == {"detail": "Not Found"}
    assert client.patch("/api/v1/agencies/999999", {}, content_type="application/json").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_edit_page_per_role(client, world, role):
    login(client, world, role)
    url = f"/network/{world.centre_a.pk}/edit/"
    response = client.get(url)
    if role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == (200 if role in EDITORS else 404)
    data = {k: v for k, v in initial_for(world.centre_a).items() if v not in (None, "")}
    data["phone"] = "0354-9999999"
    response = client.post(url, data)
    world.centre_a.refresh_from_db()
    if role in EDITORS:
        assert response.status_code == 302
        assert world.centre_a.phone == "0354-9999999"
    else:
        assert response.status_code in (302, 404) and world.centre_a.phone == "0000-1234567"
        assert not world.centre_a.events.exists()


def test_agency_admin_edit_form_has_only_own_fields(client, world):
    client.force_login(world.users.agency_admin_a)
    page = client.get(f"/network/{world.centre_a.pk}/edit/").content.decode()
    assert 'name="phone"' in page and 'name="services"' in page
    assert 'name="name"' not in page and 'name="region"' not in page and 'name="level"' not in page


@pytest.mark.parametrize("role", ROLES)
def test_api_patch_per_role(client, world, role):
    login(client, world, role)
    response = client.patch(
        f"/api/v1/agencies/{world.centre_a.pk}", {"phone": "0354-9999999"}, content_type="application/json"
    )
    world.centre_a.refresh_from_db()
    if role in EDITORS:
        assert response.status_code == 200 and response.json()["phone"] == "0354-9999999"
        assert world.centre_a.phone == "0354-9999999"
    else:
        assert response.status_code == (401 if role == "anonymous" else 404)
        assert world.centre_a.phone == "0000-1234567"


@pytest.mark.parametrize("role", ROLES)
def test_status_page_per_role(client, world, role):
    login(client, world, role)
    url = f"/network/{world.centre_a.pk}/status/"
    get = client.get(url)
    response = client.post(url, {"status": "rectifying", "finding": "服务不达标"})
    world.centre_a.refresh_from_db()
    if role in STATUS_CHANGERS:
        assert get.status_code == 200
        assert response.status_code == 302 and response["Location"] == f"/network/{world.centre_a.pk}/"
        assert world.centre_a.status == "rectifying"
    else:
        assert get.status_code in (302, 404)
        assert response.status_code in (302, 404)
        assert world.centre_a.status == "operating" and not world.centre_a.events.exists()


@pytest.mark.parametrize("role", ROLES)
def test_api_status_per_role(client, world, role):
    login(client, world, role)
    response = client.post(
        f"/api/v1/agencies/{world.centre_a.pk}/status",
        {"status": "rectifying", "finding": "服务不达标"},
        content_type="application/json",
    )
    world.centre_a.refresh_from_db()
    if role in STATUS_CHANGERS:
        assert response.status_code == 200 and response.json()["status"] == "rectifying"
    else:
        assert response.status_code == (401 if role == "anonymous" else 404)
        assert world.centre_a.status == "operating"


@pytest.mark.parametrize("role", ROLES)
def test_api_create_per_role(client, world, role):
    login(client, world, role)
    before = Agency.objects.count()
    response = client.post(
        "/api/v1/agencies/",
        {"name": "甲区新站", "level": "county", "type": "workstation", "region_code": "990102"},
        content_type="application/json",
    )
    if role in ("county_admin_a", "city_admin"):
        assert response.status_code == 201 and response.json()["status"] == "planned"
        assert Agency.objects.count() == before + 1
    else:
        assert response.status_code in (401, 404, 422)
        assert Agency.objects.count() == before


@pytest.mark.parametrize("role", ROLES)
def test_history_per_role(client, world, role):
    login(client, world, role)
    expected = 200 if role in EDITORS else 404
    assert client.get(f"/api/v1/agencies/{world.centre_a.pk}/events").status_code == expected
    page = client.get(f"/network/{world.centre_a.pk}/history/")
    assert page.status_code == (302 if role == "anonymous" else expected)


@pytest.mark.parametrize("role", ROLES)
def test_manage_links_on_detail_only_for_managers(client, world, role):
    login(client, world, role)
    page = client.get(f"/network/{world.centre_a.pk}/").content.decode()
    assert ('data-testid="agency-change-status"' in page) == (role in STATUS_CHANGERS)
    assert ('data-testid="agency-edit"' in page) == (role in EDITORS)


def test_upgrade_link_only_on_guidance_stations(client, world):
    client.force_login(world.users.city_admin)
    assert 'data-testid="agency-upgrade"' in client.get(f"/network/{world.centre_b.pk}/").content.decode()
    assert 'data-testid="agency-upgrade"' not in client.get(f"/network/{world.centre_a.pk}/").content.decode()
    assert client.get(f"/network/{world.centre_a.pk}/upgrade/").status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("public", None),
        ("staff_a", None),
        ("agency_admin_a", {"甲区知识产权服务中心", "甲区开发区工作站"}),
        ("county_admin_a", {"甲区知识产权服务中心", "甲区开发区工作站", "甲区筹建网点"}),
        ("county_admin_b", {"乙县商标品牌指导站", "乙县已撤销网点"}),
    ],
)
def test_manage_page_lists_what_the_user_may_change(client, world, role, expected):
    client.force_login(getattr(world.users, role))
    response = client.get("/network/manage/")
    if expected is None:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    names = {a.name for a in response.context["page"]}
    assert names == expected


def test_manage_page_status_filter(client, world):
    client.force_login(world.users.city_admin)
    names = {a.name for a in client.get("/network/manage/?status=planned").context["page"]}
    assert names == {"甲区筹建网点"}


def test_anonymous_manage_redirects_to_login(client, world):
    response = client.get("/network/manage/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


AGENCIES = ["city_centre", "centre_a", "outlet_a", "planned_a", "centre_b", "closed_b"]
# (role) -> agencies whose details they may change / whose status they may change.
MAY_EDIT = {
    "anonymous": set(),
    "public": set(),
    "enterprise": set(),
    "staff_a": set(),
    "agency_admin_a": {"centre_a", "outlet_a"},
    "agency_admin_b": {"centre_b"},
    "county_admin_a": {"centre_a", "outlet_a", "planned_a"},
    "county_admin_b": {"centre_b", "closed_b"},
    "city_admin": set(AGENCIES),
}
MAY_MOVE = {**MAY_EDIT, "agency_admin_a": set(), "agency_admin_b": set()}


@pytest.mark.parametrize("role", ROLES)
def test_change_rights_for_every_agency(world, role):
    from zhichan.agencies.services import can_change_status, editable_fields

    user = getattr(world.users, role)
    edit = {name for name in AGENCIES if editable_fields(user, getattr(world, name))}
    move = {
        name
        for name in AGENCIES
        if editable_fields(user, getattr(world, name)) and can_change_status(user, getattr(world, name))
    }
    assert edit == MAY_EDIT[role]
    assert move == MAY_MOVE[role]


def test_parent_link_hidden_when_parent_not_visible(client, world):
    world.outlet_a.parent = world.planned_a
    world.outlet_a.save()
    page = client.get(f"/network/{world.outlet_a.pk}/").content.decode()
    assert world.planned_a.name not in page
    client.force_login(world.users.county_admin_a)
    assert world.planned_a.name in client.get(f"/network/{world.outlet_a.pk}/").content.decode()
