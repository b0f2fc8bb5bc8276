import json

import pytest

from tests.factories import AgencyFactory, ServiceItemFactory
from zhichan.agencies.models import Level
from zhichan.regions.models import RegionBoundary

pytestmark = pytest.mark.django_db


def names(response):
    return {a.name for a in response.context["page"]}


def test_finder_lists_public_outlets(client, world):
    response = client.get("/network/")
    assert response.status_code == 200
    assert names(response) == {
        "测试市知识产权保护中心",
        "甲区知识产权服务中心",
        "甲区开发区工作站",
        "乙县商标品牌指导站",
    }
    page = response.content.decode()
    assert page.count('data-testid="agency-result"') == 4
    assert f'href="/network/{world.centre_a.pk}/"' in page
    assert 'id="agency-map"' in page and 'data-testid="filter-submit"' in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("region=990102", {"甲区知识产权服务中心", "甲区开发区工作站"}),  # a county includes its parks
        ("region=990102-PARK", {"甲区开发区工作站"}),
        ("region=990103", {"乙县商标品牌指导站"}),
        ("region=000000", set()),
        ("type=tm_guidance_station", {"乙县商标品牌指导站"}),
        ("function=information", {"甲区知识产权服务中心"}),
        ("function=protection", {"测试市知识产权保护中心"}),
        ("q=开发区", {"甲区开发区工作站"}),
        ("region=990102&function=consultation&type=workstation", {"甲区开发区工作站"}),
    ],
)
def test_finder_filters(client, world, query, expected):
    assert names(client.get(f"/network/?{query}")) == expected
    api = client.get(f"/api/v1/agencies/?{query}").json()
    assert {a["name"] for a in api["items"]} == expected


def test_service_filter(client, world):
    other = ServiceItemFactory(code="MEDIATE")
    world.outlet_a.services.add(other)
    assert names(client.get("/network/?service=MEDIATE")) == {"甲区开发区工作站"}
    assert len(names(client.get("/network/?service=TM-REG"))) == 4


def test_finder_map_data_has_points_and_boundaries(client, world):
    RegionBoundary.objects.create(
        region=world.county_a,
        geometry={
            "type": "Polygon",
            "coordinates": [[[112, 37], [113, 37], [113, 38], [112, 37]]],
        },
    )
    world.centre_a.lng, world.centre_a.lat = 112.41, 37.41
    world.centre_a.save()
    response = client.get("/network/")
    embedded = response.content.decode().split('id="agency-map-data" type="application/json">')[1]
    data = json.loads(embedded.split("</script>")[0])
    # The page names where the boundaries are; the browser fetches (and caches) them.
    geo = client.get(data["geo_url"])
    assert [f["id"] for f in geo.json()["features"]] == ["990102"]
    assert "max-age" in geo["Cache-Control"]
    [point] = data["points"]  # only outlets with coordinates are drawn
    assert point.pop("type_label")
    assert point == {
        "id": world.centre_a.pk,
        "name": "甲区知识产权服务中心",
        "type": "service_centre",
        "value": [112.41, 37.41],
        "url": f"/network/{world.centre_a.pk}/",
    }


def test_finder_paginates(client, world):
    for n in range(25):
        AgencyFactory(name=f"批量网点{n:02d}", region=world.county_b, level=Level.COUNTY)
    first = client.get("/network/?region=990103")
    assert len(first.context["page"]) == 20 and first.context["page"].paginator.count == 26
    second = client.get("/network/?region=990103&page=2")
    assert len(second.context["page"]) == 6
    assert "region=990103&amp;page=2" in first.content.decode()
    api = client.get("/api/v1/agencies/?region=990103&limit=10&offset=20").json()
    assert api["count"] == 26 and len(api["items"]) == 6


def test_finder_tolerates_odd_input(client, world):
    assert client.get("/network/?q=%00&region=%00&page=abc").status_code == 200
    assert client.get("/api/v1/agencies/?q=%00").status_code == 200


def test_detail_page_shows_the_outlet(client, world):
    page = client.get(f"/network/{world.centre_a.pk}/").content.decode()
    assert 'data-testid="agency-status"' in page
    assert 'href="/services/TM-REG/" data-testid="agency-service"' in page
    assert world.outlet_a.name in page  # its outlets
    assert world.city_centre.name in page  # its parent
    assert "周一至周五 9:00-17:00" in page


def test_home_links_the_finder(client, world):
    assert 'data-testid="nav-finder"' in client.get("/").content.decode()
