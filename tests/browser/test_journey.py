"""The main public journey, then a county administrator putting an outlet under rectification.

Runs on the Jinzhong demo bundle. Relies on the pages of the shared contract: the finder
(/network/), an outlet's page, a service guide, and the status form.
"""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from zhichan.accounts.models import Role, User
from zhichan.agencies.models import Agency, Status
from zhichan.core.bundles import DEMO_BUNDLE, load_bundle
from zhichan.regions.models import Region

pytestmark = pytest.mark.django_db(transaction=True)

TAIGU = "140703"
PASSWORD = "Taigu-admin-pass-2024"


@pytest.fixture
def demo_data():
    load_bundle(DEMO_BUNDLE, log=lambda *a: None)
    taigu = Region.objects.get(code=TAIGU)
    admin = User.objects.create_user(
        username="taigu_admin",
        password=PASSWORD,
        role=Role.COUNTY_ADMIN,
        region=taigu,
        display_name="太谷区管理员",
    )
    return taigu, admin


def service_link(page):
    # The guide of TM-REG (the service searched for), else the outlet's first service.
    links = page.locator("a[data-testid=agency-service], [data-testid=agency-service] a")
    expect(links.first).to_be_visible()
    tm_reg = page.locator(
        "a[data-testid=agency-service][href*='/services/TM-REG/'], "
        "[data-testid=agency-service] a[href*='/services/TM-REG/']"
    )
    return tm_reg.first if tm_reg.count() else links.first


def test_find_an_outlet_read_a_guide_then_rectify_an_outlet(page, demo_data):
    taigu, admin = demo_data

    # A member of the public looks for a trademark registration window in 太谷区.
    page.goto("/")
    page.get_by_test_id("nav-finder").first.click()
    page.wait_for_url("**/network/")
    page.select_option("select[name=region]", TAIGU)
    page.select_option("select[name=service]", "TM-REG")
    page.get_by_test_id("filter-submit").click()
    page.wait_for_url("**/network/?*")
    results = page.get_by_test_id("agency-result")
    expect(results.first).to_be_visible()
    results.first.locator("a").first.click()
    page.wait_for_url("**/network/*/")
    expect(page.get_by_test_id("agency-status")).to_be_visible()

    service_link(page).click()
    page.wait_for_url("**/services/TM-REG/")
    expect(page.get_by_test_id("guide-title")).not_to_be_empty()
    expect(page.get_by_test_id("guide-time-limit")).not_to_be_empty()

    # The county administrator logs in and puts one of the county's outlets under rectification.
    page.goto("/accounts/login/")
    page.fill("input[name=username]", admin.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("whoami")).to_contain_text("太谷区管理员")

    outlet = (
        Agency.objects.filter(region_id__in=taigu.subtree_ids(), status=Status.OPERATING)
        .order_by("pk")
        .first()
    )
    assert outlet is not None, "the demo data has no operating outlet in 太谷区"
    page.goto(f"/network/{outlet.pk}/")
    page.get_by_test_id("agency-change-status").click()
    page.wait_for_url(f"**/network/{outlet.pk}/status/")
    page.select_option("select[name=status]", Status.RECTIFYING.value)
    page.fill("textarea[name=finding]", "窗口无人值守，限期整改")
    page.get_by_test_id("status-submit").click()
    page.wait_for_url(f"**/network/{outlet.pk}/")

    with translation.override("zh-hans"):
        label = str(Status.RECTIFYING.label)
    expect(page.get_by_test_id("agency-status")).to_contain_text(label)
    outlet.refresh_from_db()
    assert outlet.status == Status.RECTIFYING
