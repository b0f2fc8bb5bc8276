"""A staff member opens an industry's landscape (the charts draw, no script errors), builds its
navigation report and downloads it."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory
from tests.ipdata.conftest import insert_patents, make_jinzhong
from zhichan.accounts.models import Role
from zhichan.agencies.models import Agency
from zhichan.ipdata.models import IndustryDefinition, NavigationReport
from zhichan.ipdata.search import service

pytestmark = pytest.mark.django_db(transaction=True)


def test_landscape_charts_then_a_report_to_download(page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _city, counties, park = make_jinzhong()
    insert_patents(300, 3, counties, park)
    service.rebuild(workers=1)  # the landscape counts through the search engine
    agency = Agency.objects.create(
        name="太谷区知识产权服务中心", region=counties["140703"], level="county", type="service_centre"
    )
    user = UserFactory(username="li_staff", role=Role.AGENCY_STAFF, agency=agency)
    definition = IndustryDefinition.objects.create(name="现代农业", ipc_codes=["A01", "A23L"], shared=True)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/")
    page.get_by_test_id("nav-industries").click()
    page.get_by_role("link", name="现代农业").click()
    page.wait_for_url(f"**/ipdata/industries/{definition.pk}/")
    for chart in ("chart-trend", "chart-types", "chart-status", "chart-ipc", "chart-counties"):
        expect(page.locator(f"#{chart} canvas")).to_have_count(1)
    # The figures are what searching for the definition's query finds.
    expect(page.locator("[data-figure=total]")).to_have_text(
        str(service.search_patents(definition.to_query()).total)
    )
    assert errors == []

    page.get_by_test_id("request-report").click()
    page.wait_for_url("**/ipdata/reports/*/")
    # The worker runs the build at once here (tasks are immediate in tests).
    expect(page.get_by_test_id("report-progress")).to_have_attribute("data-status", "done", timeout=60_000)
    with page.expect_download() as info:
        page.get_by_test_id("download-docx").click()
    assert info.value.suggested_filename.endswith(".docx") and "现代农业" in info.value.suggested_filename
    assert NavigationReport.objects.get().requested_by == user
