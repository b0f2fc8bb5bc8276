"""Dashboard data: figures with change, rankings by direction, monthly trends, the map's data,
and who may see which scope. Metrics are test-only (tests/evaluation/dashboard_metrics.py)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from tests.evaluation.dashboard_metrics import dashboard_metrics  # noqa: F401 - fixture
from zhichan.evaluation import dashboards
from zhichan.evaluation.dashboards import MonthPeriod
from zhichan.evaluation.metrics import Scope, get_metric
from zhichan.evaluation.periods import Period

pytestmark = pytest.mark.usefixtures("dashboard_metrics")

Q2 = Period.parse("2026Q2")


def city(world):
    return Scope("city", world.city.pk)


def county(region):
    return Scope("county", region.pk)


def test_month_periods_cross_the_year():
    december = MonthPeriod.of(2025, 12)
    assert (december.start, december.end, december.code) == (
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        "2025-12",
    )
    assert MonthPeriod.of(2026, 1).previous() == december
    months = dashboards.last_months(dt.date(2026, 3, 20), 12)
    assert [m.code for m in months][:2] == ["2025-04", "2025-05"] and months[-1].code == "2026-03"
    assert len(months) == 12
    with pytest.raises(ValueError):
        MonthPeriod.of(2026, 13)


def test_parse_period_defaults_to_the_current_quarter_and_refuses_nonsense():
    assert dashboards.parse_period("", dt.date(2026, 8, 1)) == Period.parse("2026Q3")
    assert dashboards.parse_period("2025H2") == Period.parse("2025H2")
    with pytest.raises(Http404):
        dashboards.parse_period("2026Q9")


def test_figures_give_value_previous_and_change_by_direction(world):
    cases, days = get_metric("test_cases"), get_metric("test_days")
    key = city(world).key
    cases.table.update({(key, "2026Q2"): Decimal(120), (key, "2026Q1"): Decimal(100)})
    days.table.update({(key, "2026Q2"): Decimal("4.25"), (key, "2026Q1"): Decimal("3.5")})
    rows = {r["code"]: r for r in dashboards.figures(city(world), Q2)}
    assert set(rows) == {"test_cases", "test_days", "test_outlets"}
    assert (rows["test_cases"]["value"], rows["test_cases"]["previous"], rows["test_cases"]["change"]) == (
        120,
        100,
        20,
    )
    assert rows["test_cases"]["better"] is True and rows["test_cases"]["change_display"] == "+20"
    # Handling days went up: worse, since lower is better.
    assert rows["test_days"]["change"] == 0.75 and rows["test_days"]["better"] is False
    assert rows["test_days"]["display"] == "4.3"
    # The outlets metric counts the hand-built world: 4 operating agencies in the city.
    assert rows["test_outlets"]["value"] == 4 and rows["test_outlets"]["change"] == 0
    assert rows["test_outlets"]["better"] is None
    # Only metrics with records link to a drill-down.
    assert rows["test_cases"]["drilldown_url"] is None
    assert "metric=test_outlets" in rows["test_outlets"]["drilldown_url"]
    assert f"scope=city%3A{world.city.pk}" in rows["test_outlets"]["drilldown_url"]


def test_figures_without_data_show_a_dash(world):
    rows = {r["code"]: r for r in dashboards.figures(county(world.county_a), Q2)}
    assert rows["test_cases"]["value"] is None and rows["test_cases"]["display"] == "–"
    assert rows["test_cases"]["change"] is None


def test_ranking_follows_the_direction_shares_ties_and_puts_unknown_last(world):
    days = get_metric("test_days")
    a, b, c = world.centre_a, world.centre_b, world.city_centre
    days.table.update({(f"agency:{a.pk}", "2026Q2"): Decimal(5), (f"agency:{b.pk}", "2026Q2"): Decimal(2)})
    entries = [(Scope("agency", x.pk), x.name, f"/x/{x.pk}") for x in (a, b, c)]
    rows = dashboards.ranking(days, entries, Q2)
    assert [(r["id"], r["rank"]) for r in rows] == [(b.pk, 1), (a.pk, 2), (c.pk, None)]
    cases = get_metric("test_cases")
    cases.table.update({(f"agency:{x.pk}", "2026Q2"): Decimal(v) for x, v in ((a, 7), (b, 9), (c, 7))})
    rows = dashboards.ranking(cases, entries, Q2)
    assert [r["rank"] for r in rows] == [1, 2, 2]
    assert rows[0]["id"] == b.pk


def test_trend_has_twelve_months_of_each_metric(world):
    cases = get_metric("test_cases")
    key = city(world).key
    cases.table.update({(key, "2026-06"): Decimal(12), (key, "2025-07"): Decimal(3)})
    data = dashboards.trend(city(world), ["test_cases"], until=dt.date(2026, 6, 30))
    assert data["months"][0] == "2025-07" and data["months"][-1] == "2026-06"
    (series,) = data["series"]
    assert series["code"] == "test_cases" and series["values"][0] == 3 and series["values"][-1] == 12
    assert series["values"][1:-1] == [None] * 10


def test_map_and_rankings_name_counties_as_the_boundary_file(world, english):
    world.county_a.name_en = "Jia District"
    world.county_a.save()
    data = dashboards.map_and_rankings(world.users.city_admin, world.city, get_metric("test_outlets"), Q2)
    by_name = {row["name"]: row for row in data["map"]}
    # County a: centre_a and its park outlet operate; county b: the guidance station.
    assert by_name["甲区"]["value"] == 2 and by_name["甲区"]["label"] == "Jia District"
    assert by_name["乙县"]["value"] == 1
    assert [r["name"] for r in data["counties"]] == ["Jia District", "乙县"]
    assert data["metric"]["code"] == "test_outlets" and data["period"] == "2026Q2"
    # Agencies ranked: the operating ones (planned and closed agencies have no figures).
    ids = {r["id"] for r in data["agencies"]}
    assert world.planned_a.pk not in ids and world.closed_b.pk not in ids and world.centre_b.pk in ids


@pytest.mark.parametrize(
    ("role", "city_", "county_a", "county_b", "agency_a", "agency_b"),
    [
        ("anonymous", False, False, False, False, False),
        ("public", False, False, False, False, False),
        ("enterprise", False, False, False, False, False),
        ("staff_a", False, False, False, True, False),
        ("agency_admin_a", False, False, False, True, False),
        ("county_admin_a", False, True, False, True, False),
        ("county_admin_b", False, False, True, False, True),
        ("city_admin", True, True, True, True, True),
    ],
)
def test_who_sees_which_scope(world, role, city_, county_a, county_b, agency_a, agency_b):
    user = getattr(world.users, role)
    assert dashboards.can_see_scope(user, city(world)) is city_
    assert dashboards.can_see_scope(user, county(world.county_a)) is county_a
    assert dashboards.can_see_scope(user, county(world.county_b)) is county_b
    assert dashboards.can_see_scope(user, Scope("agency", world.centre_a.pk)) is agency_a
    assert dashboards.can_see_scope(user, Scope("agency", world.centre_b.pk)) is agency_b


def test_a_county_admin_sees_the_agencies_of_its_parks(world):
    assert dashboards.can_see_scope(world.users.county_admin_a, Scope("agency", world.outlet_a.pk))
    assert not dashboards.can_see_scope(world.users.agency_admin_a, Scope("agency", world.outlet_a.pk))


def test_a_superuser_sees_the_first_city(world):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True)
    assert dashboards.can_see_scope(root, city(world))
    assert dashboards.can_see_scope(root, county(world.county_b))
    assert not dashboards.can_see_scope(root, county(world.park_a))  # a park is not a county
