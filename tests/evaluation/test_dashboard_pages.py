"""The dashboard pages, the drill-down page and the open figures: what each role gets."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.evaluation.dashboard_metrics import dashboard_metrics  # noqa: F401 - fixture
from zhichan.evaluation import open as open_figures
from zhichan.evaluation.metrics import get_metric

pytestmark = pytest.mark.usefixtures("dashboard_metrics")

ROLES = [
    "anonymous",
    "public",
    "enterprise",
    "staff_a",
    "agency_admin_a",
    "staff_b",
    "agency_admin_b",
    "county_admin_a",
    "county_admin_b",
    "city_admin",
]


def client_as(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world.users, role))
    return client


@pytest.mark.parametrize("role", ROLES)
def test_city_overview_access(client, world, role):
    response = client_as(client, world, role).get(reverse("evaluation:overview"))
    if role == "city_admin":
        assert response.status_code == 200
    elif role == "anonymous":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role.startswith("county_admin"):
        county = world.county_a if role.endswith("_a") else world.county_b
        assert response.status_code == 302
        assert response["Location"] == reverse("evaluation:county", args=[county.pk])
    elif role.startswith(("staff", "agency_admin")):
        agency = world.centre_a if role.endswith("_a") else world.centre_b
        assert response.status_code == 302
        assert response["Location"] == reverse("evaluation:agency", args=[agency.pk])
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_county_page_access(client, world, role):
    response = client_as(client, world, role).get(reverse("evaluation:county", args=[world.county_a.pk]))
    if role in ("city_admin", "county_admin_a"):
        assert response.status_code == 200
    elif role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_agency_page_access(client, world, role):
    response = client_as(client, world, role).get(reverse("evaluation:agency", args=[world.centre_a.pk]))
    if role in ("city_admin", "county_admin_a", "staff_a", "agency_admin_a"):
        assert response.status_code == 200
    elif role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_overview_data_access(client, world, role):
    url = reverse("evaluation:overview_data") + "?metric=test_outlets&period=2026Q2"
    response = client_as(client, world, role).get(url)
    if role == "city_admin":
        assert response.status_code == 200
        data = response.json()
        assert data["metric"]["code"] == "test_outlets"
        assert {row["name"]: row["value"] for row in data["map"]} == {"甲区": 2, "乙县": 1}
    elif role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


def test_missing_things_are_404(client, world):
    client.force_login(world.users.city_admin)
    assert client.get(reverse("evaluation:county", args=[world.park_a.pk])).status_code == 404
    assert client.get(reverse("evaluation:county", args=[999999])).status_code == 404
    assert client.get(reverse("evaluation:agency", args=[999999])).status_code == 404
    assert client.get(reverse("evaluation:overview") + "?period=2026Q7").status_code == 404
    assert client.get(reverse("evaluation:overview_data") + "?metric=nope&period=2026Q2").status_code == 404


def test_overview_shows_figures_rankings_and_the_chosen_metric(client, world, english):
    cases = get_metric("test_cases")
    cases.table.update(
        {
            (f"city:{world.city.pk}", "2026Q2"): Decimal(30),
            (f"city:{world.city.pk}", "2026Q1"): Decimal(20),
            (f"county:{world.county_a.pk}", "2026Q2"): Decimal(10),
            (f"county:{world.county_b.pk}", "2026Q2"): Decimal(20),
        }
    )
    client.force_login(world.users.city_admin)
    response = client.get(reverse("evaluation:overview") + "?period=2026Q2&metric=test_cases")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-code="test_cases"' in html and "+10" in html
    counties = response.context["switchable"]["counties"]
    assert [(r["name"], r["rank"]) for r in counties] == [("乙县", 1), ("甲区", 2)]
    data = json.loads(re.search(r'id="eval-dashboard-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert data["switchable"]["metric"]["code"] == "test_cases"
    assert len(data["trend"]["months"]) == 12
    assert data["geo_url"].startswith("/api/v1/regions/map")
    # No inline script: code comes from static files, data as JSON.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_county_page_ranks_its_own_agencies_only(client, world):
    client.force_login(world.users.county_admin_a)
    response = client.get(
        reverse("evaluation:county", args=[world.county_a.pk]) + "?period=2026Q2&metric=test_outlets"
    )
    ids = {row["id"] for row in response.context["agencies"]}
    assert ids == {world.centre_a.pk, world.outlet_a.pk}
    assert {f["code"] for f in response.context["figures"]} == {"test_cases", "test_days", "test_outlets"}


# --- drill-down ----------------------------------------------------------------------------


def drill(scope, metric="test_outlets", period="2026Q2"):
    return reverse("evaluation:drilldown") + f"?metric={metric}&scope={scope}&period={period}"


@pytest.mark.parametrize("role", ROLES)
def test_drilldown_of_a_county_follows_the_scope_rule(client, world, role):
    response = client_as(client, world, role).get(drill(f"county:{world.county_a.pk}"))
    if role in ("city_admin", "county_admin_a"):
        assert response.status_code == 200
        names = [row["cells"][0] for row in response.context["table"]["rows"]]
        assert names == sorted([world.centre_a.name, world.outlet_a.name])
    elif role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_drilldown_of_an_agency(client, world, role):
    response = client_as(client, world, role).get(drill(f"agency:{world.centre_b.pk}"))
    expected = 200 if role in ("city_admin", "county_admin_b", "staff_b", "agency_admin_b") else 404
    assert response.status_code == (302 if role == "anonymous" else expected)


def test_drilldown_refuses_what_does_not_resolve(client, world):
    client.force_login(world.users.city_admin)
    scope = f"county:{world.county_a.pk}"
    for url in (
        drill(scope, metric="nope"),
        drill("county:abc"),
        drill("region:1"),
        drill(scope, period="2026Q5"),
        drill(scope, period=""),
        drill(scope, metric="test_cases"),  # no records behind it
        drill("county:999999"),
    ):
        assert client.get(url).status_code == 404, url


def test_drilldown_table_is_paginated(client, world, settings):
    from tests.factories import AgencyFactory

    settings.ZHICHAN_EVALUATION_DRILLDOWN_PAGE = 5  # the setting governs the dashboards' pages too
    for n in range(5 + 3):  # and two of the world's
        AgencyFactory(name=f"分站{n:03d}", region=world.county_a)
    client.force_login(world.users.city_admin)
    first = client.get(drill(f"county:{world.county_a.pk}"))
    assert len(first.context["table"]["rows"]) == 5
    assert first.context["table"]["count"] == 5 + 5
    second = client.get(drill(f"county:{world.county_a.pk}") + "&page=2")
    assert len(second.context["table"]["rows"]) == 5
    assert client.get(drill(f"county:{world.county_a.pk}") + "&page=zzz").status_code == 200


# --- open figures ----------------------------------------------------------------------------


@pytest.fixture
def open_setup(settings, world):
    settings.ZHICHAN_OPEN_METRICS = ["test_cases", "test_outlets", "not_registered"]
    cases = get_metric("test_cases")
    year = timezone.localdate().year
    key = f"city:{world.city.pk}"
    cases.table.update(
        {
            (key, str(year)): Decimal(40),
            (key, str(year - 1)): Decimal(90),
            (key, f"{year}-01"): Decimal(7),
            (key, f"{year - 1}-12"): Decimal(11),
        }
    )
    return {"cases": cases}


@pytest.mark.parametrize("role", ROLES)
def test_open_page_is_for_everyone(client, world, open_setup, role):
    response = client_as(client, world, role).get(reverse("evaluation:open"))
    assert response.status_code == 200
    assert [f["code"] for f in response.context["open"]["figures"]] == ["test_cases", "test_outlets"]


def test_open_figures_hold_only_open_totals(client, world, open_setup):
    response = client.get("/api/v1/evaluation/open")
    assert response.status_code == 200
    data = response.json()
    year = timezone.localdate().year
    figures = {f["code"]: f for f in data["figures"]}
    assert set(figures) == {"test_cases", "test_outlets"}  # test_days is not open
    assert (figures["test_cases"]["this_year"], figures["test_cases"]["last_year"]) == (40, 90)
    assert figures["test_outlets"]["this_year"] == 4
    series = {(s["code"], s["year"]): s["values"] for s in data["monthly"]["series"]}
    # Volumes by month: counts of utilisation only (outlets are construction).
    assert set(series) == {("test_cases", year - 1), ("test_cases", year)}
    assert series[("test_cases", year)][0] == 7 and series[("test_cases", year - 1)][11] == 11
    assert len(series[("test_cases", year)]) == 12
    assert [c["name"] for c in data["counties"]["rows"]] == ["甲区", "乙县"]
    # Never records nor people: no agency, user or contact appears anywhere.
    text = json.dumps(data, ensure_ascii=False)
    for secret in (world.centre_a.name, world.users.staff_a.username, world.centre_a.phone, "city_admin"):
        assert secret not in text
    page = client.get(reverse("evaluation:open")).content.decode()
    for secret in (world.centre_a.name, world.centre_b.name, world.centre_a.phone):
        assert secret not in page


def test_open_figures_are_cached(client, world, open_setup):
    cases = open_setup["cases"]
    client.get("/api/v1/evaluation/open")
    calls = cases.calls
    assert calls > 0
    client.get("/api/v1/evaluation/open")
    client.get(reverse("evaluation:open"))
    assert cases.calls == calls


def test_open_figures_without_a_city(db, settings):
    settings.ZHICHAN_OPEN_METRICS = "a,b"
    data = open_figures.compute(None, dt.date(2026, 5, 1))
    assert data["figures"] == [] and data["counties"]["rows"] == []
    assert open_figures.open_codes() == ["a", "b"]


def test_the_public_menu_links_to_the_open_figures(client, world):
    html = client.get("/").content.decode()
    assert reverse("evaluation:open") in html
