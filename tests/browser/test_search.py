"""The public searches patents, opens a record, the statistics of the result set, and downloads
the result as XLSX; the navbar keeps the search link on one line at 1280px in English."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory
from tests.ipdata.conftest import insert_patents, make_jinzhong
from zhichan.accounts.models import Role
from zhichan.ipdata.models import Patent
from zhichan.ipdata.search import search_patents, service

pytestmark = pytest.mark.django_db(transaction=True)


def test_search_record_statistics_and_export(page):
    _city, counties, park = make_jinzhong()
    insert_patents(200, 5, counties, park)
    service.index_patents(list(Patent.objects.values_list("pk", flat=True)))
    total = search_patents("IPC=A01").total
    assert total > 0
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto("/")
    page.get_by_test_id("nav-search").click()
    page.wait_for_url("**/ipdata/search/")
    page.get_by_test_id("search-q").fill("IPC=A01")
    page.get_by_test_id("search-submit").click()
    expect(page.get_by_test_id("search-total")).to_contain_text(str(total))
    first = page.get_by_test_id("search-results").locator("li").first
    number = first.get_attribute("data-number")
    first.locator("a").first.click()
    page.wait_for_url(f"**/ipdata/patents/{number}/")
    page.go_back()

    page.get_by_test_id("search-statistics").click()
    page.wait_for_url("**/ipdata/search/statistics/**")
    expect(page.locator("[data-figure=total]")).to_have_text(str(total))
    for chart in ("chart-trend", "chart-types", "chart-status", "chart-ipc", "chart-counties"):
        expect(page.locator(f"#{chart} canvas")).to_have_count(1)
    with page.expect_download() as info:
        page.get_by_test_id("statistics-export").click()
    with open(info.value.path(), "rb") as handle:
        overview = load_workbook(io.BytesIO(handle.read())).worksheets[0]
    assert total in [row[1] for row in overview.iter_rows(values_only=True)]
    page.go_back()

    with page.expect_download() as info:
        page.get_by_test_id("search-export").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    with open(info.value.path(), "rb") as handle:
        rows = list(load_workbook(io.BytesIO(handle.read())).active.iter_rows(values_only=True))
    assert len(rows) == 1 + total
    assert number in {row[0] for row in rows[1:]}
    assert errors == []


LAYOUT = """() => {
  const box = el => el.getBoundingClientRect();
  const links = [...document.querySelectorAll('#mainnav .nav-link')].map(box);
  return {
    tops: [...new Set(links.map(r => Math.round(r.top)))],
    right: Math.max(...links.map(r => r.right)),
    brandRight: box(document.querySelector('.navbar-brand')).right,
    firstLeft: Math.min(...links.map(r => r.left)),
    width: window.innerWidth,
  };
}"""


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_navbar_has_the_search_without_overflow_at_1280px(browser, live_server, signed_in, locale):
    context = browser.new_context(
        base_url=live_server.url, locale=locale, viewport={"width": 1280, "height": 800}
    )
    page = context.new_page()
    try:
        if signed_in:
            user = UserFactory(username="city_admin_nav", role=Role.CITY_ADMIN)
            page.goto("/accounts/login/")
            page.fill("input[name=username]", user.username)
            page.fill("input[name=password]", PASSWORD)
            page.get_by_test_id("login-submit").click()
            page.wait_for_url("**/")
        page.goto("/")
        toggler = page.locator(".navbar-toggler")
        if locale == "en-US":
            # The English labels do not fit one line at 1280px: the bar is a menu there.
            expect(toggler).to_be_visible()
            toggler.click()
            expect(page.get_by_test_id("nav-search")).to_be_visible()
            return
        expect(toggler).to_be_hidden()
        expect(page.get_by_test_id("nav-search")).to_be_visible()
        layout = page.evaluate(LAYOUT)
        assert len(layout["tops"]) == 1, layout
        assert layout["right"] <= layout["width"], layout
        assert layout["brandRight"] <= layout["firstLeft"], layout
    finally:
        context.close()
