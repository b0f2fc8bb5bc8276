"""The two drill-down pages (a dashboard figure's and a scorecard run's) share one table template,
with the same rows, links and paging; each keeps its own URL and access rule."""

import pytest
from django.urls import reverse

from tests.evaluation.dashboard_metrics import dashboard_metrics  # noqa: F401 - fixture
from zhichan.evaluation.scorecards import services

pytestmark = pytest.mark.django_db

SHARED = "evaluation/_drilldown_table.html"


def templates(response):
    return [t.name for t in response.templates]


@pytest.fixture
def county_run(world, hand_metrics):
    admin = world.users.city_admin
    volume = services.do_create_indicator(
        admin, code="volume", name="服务量", dimension="utilisation", unit="count",
        direction="higher", source="computed", metric_code="t_volume",
    )  # fmt: skip
    card = services.do_create_scorecard(
        admin, name="区县季度评价", level="county", period_kind="quarter",
        items=[{"indicator": volume, "weight": "100"}],
    )  # fmt: skip
    for county, value in ((world.county_a, 3), (world.county_b, 1)):
        hand_metrics["t_volume"].put("2026Q1", services.Scope("county", county.pk), value)
    run = services.do_run(admin, card, "2026Q1")
    services.do_publish_run(admin, run)
    return run


def test_a_run_drilldown_pages_through_the_shared_table(client, world, county_run, settings):
    settings.ZHICHAN_EVALUATION_DRILLDOWN_PAGE = 2
    row = county_run.results.get(scope_id=world.county_a.pk)
    url = reverse("evaluation:run_drilldown", args=[county_run.pk, row.pk, "volume"])
    client.force_login(world.users.city_admin)
    first = client.get(url)
    assert first.status_code == 200 and SHARED in templates(first)
    html = first.content.decode()
    assert html.count('data-testid="drilldown-row"') == 2
    assert 'data-testid="drilldown-next" href="?page=2"' in html
    second = client.get(url + "?page=2")
    assert second.content.decode().count('data-testid="drilldown-row"') == 1  # county A's three agencies
    assert first.context["table"]["count"] == 3
    # Its access rule: the county's own administrator, not the other county's.
    client.force_login(world.users.county_admin_a)
    assert client.get(url).status_code == 200
    client.force_login(world.users.county_admin_b)
    assert client.get(url).status_code == 404


@pytest.mark.usefixtures("dashboard_metrics")
def test_a_dashboard_drilldown_uses_the_same_table(client, world):
    url = (
        reverse("evaluation:drilldown")
        + f"?metric=test_outlets&scope=county:{world.county_a.pk}&period=2026Q2"
    )
    client.force_login(world.users.county_admin_a)
    response = client.get(url)
    assert response.status_code == 200 and SHARED in templates(response)
    assert 'data-testid="drilldown-table"' in response.content.decode()
    client.force_login(world.users.county_admin_b)
    assert client.get(url).status_code == 404
