"""The city administrator defines a scorecard, runs it for a quarter, opens the run and the
city dashboard, and downloads the DOCX report (the ranking is in it)."""

import io

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from zhichan.evaluation.metrics import Scope
from zhichan.evaluation.models import Scorecard, ScorecardRun
from zhichan.evaluation.periods import Period
from zhichan.evaluation.scorecards import services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def figures():
    from tests.evaluation.scorecard_fixtures import HandMetric
    from zhichan.evaluation import metrics

    made = {"t_volume": HandMetric("t_volume"), "t_days": HandMetric("t_days", direction="lower")}
    for metric in made.values():
        metrics.register(metric)
    yield made
    for code in made:
        metrics.METRICS.pop(code, None)


def test_define_a_scorecard_run_it_and_download_the_report(page, world, figures, tmp_path):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    admin = world.users.city_admin
    services.do_create_indicator(
        admin,
        code="days",
        name="办理时长",
        dimension="quality",
        unit="days",
        direction="lower",
        source="computed",
        metric_code="t_days",
    )
    from django.utils import timezone

    quarter = Period.containing(timezone.localdate(), "quarter").previous()
    figures["t_volume"].put(quarter.code, Scope("county", world.county_a.pk), 40)
    figures["t_volume"].put(quarter.code, Scope("county", world.county_b.pk), 10)
    figures["t_days"].put(quarter.code, Scope("county", world.county_a.pk), 6)
    figures["t_days"].put(quarter.code, Scope("county", world.county_b.pk), 3)

    page.goto("/accounts/login/")
    page.fill("input[name=username]", "city_admin")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/")

    # A computed indicator from the metric list.
    page.goto("/evaluation/indicators/")
    page.get_by_test_id("indicator-new").click()
    page.fill("input[name=code]", "volume")
    page.fill("input[name=name]", "受理量")
    page.select_option("select[name=dimension]", "utilisation")
    page.select_option("select[name=unit]", "count")
    page.select_option("select[name=direction]", "higher")
    page.select_option("select[name=source]", "computed")
    page.select_option("select[name=metric_code]", "t_volume")
    page.get_by_test_id("indicator-submit").click()
    expect(page.locator('[data-testid="indicator-row"][data-code="volume"]')).to_be_visible()

    # The scorecard: weights that do not add up are refused at the form, then corrected.
    page.get_by_test_id("nav-scorecards").click()
    page.get_by_test_id("scorecard-new").click()
    page.fill("input[name=name]", "区县季度评价")
    page.select_option("select[name=level]", "county")
    page.select_option("select[name=period_kind]", "quarter")
    page.select_option("select[name=items-0-indicator]", label="受理量 (volume)")
    page.fill("input[name=items-0-weight]", "60")
    page.select_option("select[name=items-1-indicator]", label="办理时长 (days)")
    page.fill("input[name=items-1-weight]", "30")
    page.get_by_test_id("scorecard-submit").click()
    expect(page.get_by_test_id("scorecard-errors")).to_contain_text("100")
    page.fill("input[name=items-1-weight]", "40")
    page.get_by_test_id("scorecard-submit").click()
    expect(page.get_by_test_id("scorecard-name")).to_have_text("区县季度评价")
    card = Scorecard.objects.get(name="区县季度评价")
    assert [i.weight for i in card.items.all()] == [60, 40]

    # Run it for the last quarter and open the result.
    page.select_option("select[name=period]", quarter.code)
    page.get_by_test_id("run-submit").click()
    expect(page.get_by_test_id("run-period")).to_have_text(quarter.code)
    rows = page.get_by_test_id("run-row")
    expect(rows).to_have_count(2)
    # 甲区: volume 100 × .6 = 60, days 0 → 60; 乙县: 0 + 40 = 40.
    expect(rows.nth(0)).to_have_attribute("data-scope", f"county:{world.county_a.pk}")
    expect(rows.nth(0).get_by_test_id("total")).to_have_text("60.00")
    expect(rows.nth(1).get_by_test_id("total")).to_have_text("40.00")
    page.fill("textarea[name=findings]", "甲区受理量领先，办理时长仍需压缩。")
    page.get_by_test_id("findings-submit").click()
    page.get_by_test_id("run-publish").click()
    expect(page.get_by_test_id("run-status")).to_have_attribute("data-status", "published")

    # The drill-down of a figure opens its records.
    rows.nth(0).locator('[data-code="volume"] [data-testid="drilldown-link"]').click()
    expect(page.get_by_test_id("drilldown-table")).to_be_visible()
    page.go_back()

    # The city dashboard shows the same figure on the county map and in the ranking.
    run_url = page.url
    page.get_by_test_id("nav-evaluation").click()
    page.goto(f"/evaluation/?metric=t_volume&period={quarter.code}")
    expect(page.locator("#eval-map canvas")).to_have_count(1)
    expect(page.get_by_test_id("eval-map")).to_have_attribute("data-metric", "t_volume")
    expect(page.locator("#eval-rank-counties-body [data-testid=eval-rank-row]").first).to_have_attribute(
        "data-scope", f"county:{world.county_a.pk}"
    )
    page.goto(run_url)

    with page.expect_download() as info:
        page.get_by_test_id("run-docx").click()
    path = tmp_path / "report.docx"
    info.value.save_as(path)
    from docx import Document

    doc = Document(io.BytesIO(path.read_bytes()))
    ranking = doc.tables[0]
    assert [ranking.rows[1].cells[1].text, ranking.rows[2].cells[1].text] == ["甲区", "乙县"]
    assert "甲区受理量领先" in "\n".join(p.text for p in doc.paragraphs)
    assert ScorecardRun.objects.get().status == "published"
    assert errors == []
