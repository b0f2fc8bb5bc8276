"""Out-of-range ids and numbers answer 404 or 422, never a server error."""

import pytest

pytestmark = pytest.mark.django_db
BIG = "99999999999999999999999"
JSON = "application/json"


@pytest.mark.parametrize(
    "url",
    [
        f"/network/{BIG}/",
        f"/network/{BIG}/edit/",
        f"/network/{BIG}/status/",
        f"/network/{BIG}/history/",
        f"/api/v1/agencies/{BIG}",
        f"/api/v1/agencies/{BIG}/events",
    ],
)
def test_huge_ids_are_not_found(client, world, url):
    client.force_login(world.users.city_admin)
    assert client.get(url).status_code == 404


def test_huge_parent_id_is_a_field_error(client, world):
    client.force_login(world.users.city_admin)
    body = {
        "name": "x",
        "level": "county",
        "type": "workstation",
        "region_code": "990102",
        "parent_id": int(BIG),
    }
    response = client.post("/api/v1/agencies/", body, content_type=JSON)
    assert response.status_code == 422


def test_out_of_range_coordinates_are_field_errors(client, world):
    client.force_login(world.users.city_admin)
    response = client.patch(
        f"/api/v1/agencies/{world.centre_a.pk}", {"lng": 1e308, "lat": 1e308}, content_type=JSON
    )
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["detail"]} == {"lng", "lat"}
