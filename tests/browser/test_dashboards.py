"""A visitor reads the open figures from the public menu; the city administrator opens the city
overview, whose county map is drawn by ECharts, and switches the indicator the map is coloured by."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.evaluation.dashboard_metrics import dashboard_metrics  # noqa: F401 - fixture
from tests.factories import PASSWORD
from zhichan.evaluation.dashboards import current_period
from zhichan.evaluation.metrics import get_metric
from zhichan.regions.models import RegionBoundary

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("dashboard_metrics")]


def square(lng, lat, size=0.15):
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_open_figures_then_the_city_overview_with_its_map(page, world, settings):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    settings.ZHICHAN_OPEN_METRICS = ["test_cases", "test_outlets"]
    RegionBoundary.objects.create(region=world.county_a, geometry=square(112.3, 37.3))
    RegionBoundary.objects.create(region=world.county_b, geometry=square(112.7, 37.6))
    cases = get_metric("test_cases")
    today = timezone.localdate()
    period = current_period(today).code
    cases.table.update(
        {
            (f"city:{world.city.pk}", str(today.year)): Decimal(25),
            (f"city:{world.city.pk}", f"{today.year}-{today.month:02d}"): Decimal(9),
            (f"county:{world.county_a.pk}", period): Decimal(3),
            (f"county:{world.county_b.pk}", period): Decimal(8),
        }
    )

    # The public page, from the menu, without logging in.
    page.goto("/")
    page.get_by_test_id("nav-open-figures").first.dispatch_event("click")
    page.wait_for_url("**/evaluation/open/")
    expect(page.locator('[data-testid="open-figure"][data-code="test_cases"]')).to_contain_text("25")
    expect(page.locator("#open-monthly canvas")).to_have_count(1)
    expect(page.locator("#open-map canvas")).to_have_count(1)
    page.get_by_test_id("open-metric").select_option(index=1)
    expect(page.get_by_test_id("open-map")).to_have_attribute("data-metric", "test_outlets")

    page.goto("/accounts/login/")
    page.fill("input[name=username]", "city_admin")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/")
    page.goto("/evaluation/?metric=test_cases")
    expect(page.locator("#eval-map canvas")).to_have_count(1)
    expect(page.get_by_test_id("eval-map")).to_have_attribute("data-metric", "test_cases")
    expect(page.locator("#eval-trend canvas")).to_have_count(1)
    rows = page.locator("#eval-rank-counties-body [data-testid=eval-rank-row]")
    expect(rows.first).to_have_attribute("data-scope", f"county:{world.county_b.pk}")

    # Another indicator: the map and the rankings follow without reloading the page.
    page.get_by_test_id("eval-metric").select_option("test_outlets")
    expect(page.get_by_test_id("eval-map")).to_have_attribute("data-metric", "test_outlets")
    expect(rows.first).to_have_attribute("data-scope", f"county:{world.county_a.pk}")
    expect(page.get_by_test_id("eval-metric-label")).to_contain_text("Operating outlets")
    assert "metric=test_outlets" in page.url
    # The map's canvas has been painted (not blank).
    painted = page.evaluate(
        """() => {
        const c = document.querySelector('#eval-map canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; }
        return false;
    }"""
    )
    assert painted
    # A figure leads to its records.
    page.locator(
        '[data-testid="eval-figure"][data-code="test_outlets"] [data-testid="eval-drilldown"]'
    ).click()
    expect(page.get_by_test_id("drilldown-row")).to_have_count(4)
    assert errors == []
