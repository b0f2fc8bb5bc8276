import pytest

from zhichan.regions.models import RegionBoundary

pytestmark = pytest.mark.django_db


def test_list_and_filter(client, world):
    data = client.get("/api/v1/regions/?kind=county").json()
    assert [r["code"] for r in data] == ["990102", "990103"]
    parks = client.get("/api/v1/regions/?parent=990102").json()
    assert [r["code"] for r in parks] == ["990102-PARK"]


def test_one_region_and_missing(client, world):
    assert client.get("/api/v1/regions/990102").json()["parent_code"] == "990100"
    assert client.get("/api/v1/regions/000000").status_code == 404


def test_map_is_a_feature_collection(client, world):
    RegionBoundary.objects.create(
        region=world.county_a,
        geometry={
            "type": "Polygon",
            "coordinates": [[[112, 37], [113, 37], [113, 38], [112, 37]]],
        },
    )
    data = client.get("/api/v1/regions/map").json()
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in data["features"]] == ["990102"]


def test_regions_are_read_only_over_the_api(client, world):
    client.force_login(world.users.city_admin)
    assert client.post("/api/v1/regions/", {}).status_code == 405
