"""The search API and the open statistics (JSON and CSV): public, and the figures add up."""

import csv
import datetime as dt
import io

import pytest

from tests.factories import RegionFactory
from zhichan.ipdata.models import Patent, Trademark
from zhichan.ipdata.search import service
from zhichan.regions.models import RegionKind

pytestmark = pytest.mark.django_db
BASE = "/api/v1/ipdata"


@pytest.fixture
def records(db, settings):
    city = RegionFactory(code="990100", name="测试市", kind=RegionKind.CITY)
    a = RegionFactory(code="990102", name="甲区", parent=city)
    b = RegionFactory(code="990103", name="乙县", parent=city)
    park = RegionFactory(code="990102-PARK", name="甲区开发区", kind=RegionKind.PARK, parent=a)
    settings.ZHICHAN_CITY_CODE = "990100"
    made = [
        Patent.objects.create(
            application_number="201510163325.6", title="一种锂离子电池", patent_type="invention",
            application_date=dt.date(2015, 4, 13), applicants=["华为技术有限公司"], legal_status="valid",
            main_ipc="H01M 10/0525", ipc_codes=["H01M 10/0525"], region=a,
        ),
        Patent.objects.create(
            application_number="201820123456.0", title="燃料电池系统", patent_type="utility",
            application_date=dt.date(2018, 6, 30), legal_status="invalid", region=park,
        ),
        Patent.objects.create(
            application_number="202030000001.2", title="LED灯具", patent_type="design", region=b,
            application_date=dt.date(2018, 1, 2),
        ),
    ]  # fmt: skip
    service.index_patents([p.id for p in made])
    Trademark.objects.create(registration_number="1001", name="甲", nice_class=30, status="registered")
    Trademark.objects.create(registration_number="1002", name="乙", nice_class=30, status="pending")
    Trademark.objects.create(registration_number="1003", name="丙", nice_class=9, status="registered")
    return made


def test_the_search_api_is_public_with_hits_total_and_facets(client, records):
    body = client.get(f"{BASE}/search", {"q": "电池", "sort": "newest"}).json()
    assert body["total"] == 2
    assert [h["application_number"] for h in body["hits"]] == ["201820123456.0", "201510163325.6"]
    first = body["hits"][1]
    assert first["applicants"] == ["华为技术有限公司"] and first["region_code"] == "990102"
    assert "<mark>电池</mark>" in first["highlights"]["title"]
    assert first["url"] == "/ipdata/patents/201510163325.6/"
    assert {f["value"]: f["count"] for f in body["facets"]["type"]} == {"invention": 1, "utility": 1}


def test_the_search_api_filters_and_pages(client, records):
    body = client.get(f"{BASE}/search?q=&type=utility&type=design&per_page=1&page=2&sort=newest").json()
    assert body["total"] == 2 and len(body["hits"]) == 1
    assert body["hits"][0]["application_number"] == "202030000001.2"


def test_a_malformed_query_is_a_422_naming_q(client, records):
    response = client.get(f"{BASE}/search", {"q": "TI=(电池"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "q"
    assert client.get(f"{BASE}/search", {"q": "", "type": "gadget"}).status_code == 422


def test_search_statistics_api_for_any_query_and_filters(client, records):
    body = client.get(
        f"{BASE}/search/statistics", {"q": "电池 NOT PA=华为", "type": ["utility", "design"]}
    ).json()
    assert body["query"] == "电池 NOT PA=华为"
    assert (
        body["total"]
        == 1
        == client.get(f"{BASE}/search", {"q": "电池 NOT PA=华为", "type": ["utility", "design"]}).json()[
            "total"
        ]
    )  # noqa: E501
    assert body["by_type"] == [{"key": "utility", "count": 1}]
    assert body["by_year"] == [{"year": 2018, "counts": {"utility": 1}}]
    assert body["by_legal_status"] == [{"key": "invalid", "count": 1}]
    # The park counts for its county; every county of the city is listed.
    assert body["by_county"] == [
        {"code": "990102", "name": "甲区", "count": 1},
        {"code": "990103", "name": "乙县", "count": 0},
    ]
    assert body["local_total"] == 1
    everything = client.get(f"{BASE}/search/statistics", {"q": "", "top": 1}).json()
    assert everything["total"] == 3 and everything["top_applicants"] == [
        {"key": "华为技术有限公司", "count": 1}
    ]
    assert everything["by_ipc"] == [{"key": "H01M", "count": 1}]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"q": "TI=(电池"}, "q"), ({"q": "", "year": "x"}, "year"), ({"q": "", "type": "gadget"}, "type"),
     ({"q": "", "top": 0}, "top"), ({"q": "", "top": 101}, "top")],
)  # fmt: skip
def test_search_statistics_api_refuses_bad_input_by_name(client, records, params, field):
    response = client.get(f"{BASE}/search/statistics", params)
    assert response.status_code == 422
    assert field in str(response.json())
    if field == "q":
        assert response.json()["detail"][0]["field"] == "q"
        assert "at 3" in response.json()["detail"][0]["errors"][0]


def test_open_statistics_count_every_record(client, records):
    body = client.get(f"{BASE}/open/statistics").json()
    patents = body["patents"]
    assert patents["total"] == 3
    assert patents["by_year"] == [{"key": "2015", "count": 1}, {"key": "2018", "count": 2}]
    assert patents["by_type"] == [
        {"key": "invention", "count": 1}, {"key": "utility", "count": 1}, {"key": "design", "count": 1}
    ]  # fmt: skip
    assert {c["key"]: c["count"] for c in patents["by_county"]} == {"990102": 2, "990103": 1}  # park -> 甲区
    statuses = {s["key"]: s["count"] for s in patents["by_legal_status"]}
    assert statuses == {"valid": 1, "invalid": 1, "unknown": 1}
    marks = body["trademarks"]
    assert marks["total"] == 3
    assert marks["by_class"] == [{"key": "9", "count": 1}, {"key": "30", "count": 2}]
    assert marks["by_status"] == [{"key": "pending", "count": 1}, {"key": "registered", "count": 2}]


def test_the_csv_has_the_same_figures(client, records):
    response = client.get("/ipdata/open/statistics.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["dataset", "dimension", "key", "name", "count"]
    assert ["patents", "total", "", "", "3"] in rows
    assert ["patents", "by_county", "990102", "甲区", "2"] in rows
    assert ["trademarks", "by_class", "30", "", "2"] in rows
