import pytest

from zhichan.agencies.coverage import compute_coverage
from zhichan.agencies.services import do_change_status

pytestmark = pytest.mark.django_db

ALL = [
    "protection",
    "rights_defence",
    "mediation",
    "consultation",
    "information",
    "operation_finance",
    "training",
]


def cells(row):
    return {c.function: [o.level for o in c.outlets] for c in row.cells if c.covered}


def test_coverage_of_the_world(world):
    coverage = compute_coverage(world.city)
    assert [r.region.code for r in coverage.rows] == ["990102", "990102-PARK", "990103"]
    county_a, park_a, county_b = coverage.rows
    # A county counts its parks' outlets; the planned outlet does not count.
    assert cells(county_a) == {"consultation": ["county", "park"], "information": ["county"]}
    assert county_a.missing == [f for f in ALL if f not in ("consultation", "information")]
    assert cells(park_a) == {"consultation": ["park"]}
    assert cells(county_b) == {"consultation": ["county"]}
    # City-level agencies are reported apart and fill no county gap.
    assert cells(coverage.city_row) == {
        "protection": ["city"],
        "rights_defence": ["city"],
        "mediation": ["city"],
    }
    assert (coverage.covered, coverage.total, coverage.percent) == (4, 21, 19.0)


def test_only_operating_outlets_cover(world):
    do_change_status(world.users.city_admin, world.centre_b, "rectifying", "整改")
    coverage = compute_coverage(world.city)
    assert coverage.rows[2].missing == ALL
    assert coverage.covered == 3


def test_coverage_without_a_city():
    coverage = compute_coverage()
    assert (coverage.rows, coverage.total, coverage.percent) == ([], 0, 0.0)


def test_coverage_page(client, world):
    response = client.get("/network/coverage/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "19.0%" in page
    assert page.count('data-testid="coverage-row"') == 3
    assert page.count('data-testid="coverage-missing"') == 21 - 4 + 7 - 3


def test_coverage_api(client, world):
    data = client.get("/api/v1/agencies/coverage").json()
    assert (data["covered_cells"], data["total_cells"], data["percent"]) == (4, 21, 19.0)
    assert data["city_code"] == "990100"
    by_code = {r["region_code"]: r for r in data["regions"]}
    assert by_code["990102-PARK"]["parent_code"] == "990102"
    consultation = next(f for f in by_code["990102"]["functions"] if f["function"] == "consultation")
    assert {o["name"] for o in consultation["outlets"]} == {"甲区知识产权服务中心", "甲区开发区工作站"}
    assert data["city"]["missing"] == ["consultation", "information", "operation_finance", "training"]
    assert client.get("/api/v1/agencies/coverage?city=990100").json()["percent"] == 19.0
    assert client.get("/api/v1/agencies/coverage?city=990102").status_code == 404


def test_coverage_cell_shows_levels_with_counts(client, world):
    page = client.get("/network/coverage/").content.decode()
    row = page.split('data-region="990102"')[1].split("</tr>")[0]
    consultation = row.split('data-function="consultation"')[1].split("</td>")[0]
    assert 'data-level="county"' in consultation and 'data-level="park"' in consultation
    assert "甲区知识产权服务中心" in consultation  # outlet names in the cell's title
