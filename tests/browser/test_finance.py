"""An enterprise user applies for pledge financing against a patent; the bank's staff review,
approve and record the registration, and the patent's page then shows it pledged."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.watch.conftest import number
from zhichan.accounts.models import Role, User
from zhichan.agencies.models import Agency, AgencyType, Level
from zhichan.enterprises.models import Enterprise
from zhichan.finance import services
from zhichan.ipdata.models import Patent
from zhichan.regions.models import Region, RegionKind

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Pledge-journey-pass-2026"


def log_in(page, username, next_url):
    page.goto(f"/accounts/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"**{next_url}")


def test_enterprise_applies_and_the_bank_approves(page):
    city = Region.objects.create(code="990100", name="测试市", kind=RegionKind.CITY)
    county = Region.objects.create(code="990102", name="甲区", kind=RegionKind.COUNTY, parent=city)
    bank = Agency.objects.create(
        name="测试银行知识产权金融部",
        level=Level.CITY,
        type=AgencyType.FINANCIAL,
        region=city,
        status="operating",
    )
    banker = User.objects.create_user(
        username="banker", password=PASSWORD, role=Role.AGENCY_STAFF, agency=bank
    )
    product = services.do_save_product(
        banker,
        institution=bank,
        name="专利质押贷",
        amount_min=Decimal("100000"),
        amount_max=Decimal("5000000"),
        term_min_months=12,
        term_max_months=36,
        rate_min=Decimal("3.5"),
        rate_max=Decimal("4.5"),
        ip_types=["patent"],
        published=True,
    )
    firm = Enterprise.objects.create(name="甲区科技有限公司", normalized_name="甲区科技", region=county)
    User.objects.create_user(
        username="firm", password=PASSWORD, role=Role.ENTERPRISE, enterprise=firm, organisation=firm.name
    )
    filed = dt.date.today() - dt.timedelta(days=1500)
    patent = Patent.objects.create(
        application_number=number("202210000001"),
        application_date=filed,
        grant_date=filed + dt.timedelta(days=400),
        patent_type="invention",
        title="一种质押装置",
        legal_status="valid",
        region=county,
    )
    patent.enterprises.add(firm)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # The enterprise asks for a loan against its patent.
    log_in(page, "firm", "/finance/")
    page.get_by_test_id("finance-apply").click()
    page.wait_for_url("**/finance/applications/new/")
    page.check(f"input[name=patents][value='{patent.pk}']")
    page.fill("input[name=amount]", "1000000")
    page.fill("input[name=term_months]", "24")
    page.fill("textarea[name=purpose]", "购置生产设备")
    page.get_by_test_id("application-match").click()
    expect(page.get_by_test_id("matched-products")).to_contain_text("专利质押贷")
    page.check(f"input[name=product][value='{product.pk}']")
    page.get_by_test_id("application-submit").click()
    page.wait_for_url("**/finance/applications/*/")
    expect(page.get_by_test_id("application-status")).to_have_attribute("data-status", "submitted")
    application_url = page.url

    # The bank's staff find it in their list, review it, approve it and record the registration.
    page.context.clear_cookies()
    log_in(page, "banker", "/finance/applications/")
    expect(page.get_by_test_id("application-row")).to_have_count(1)
    page.get_by_test_id("application-row").locator("a").click()
    page.wait_for_url(application_url)
    page.get_by_test_id("action-review").click()
    expect(page.get_by_test_id("application-status")).to_have_attribute("data-status", "under_review")
    page.fill("[data-testid=application-actions] input[name=note] >> nth=0", "同意放款")
    page.get_by_test_id("action-approve").click()
    expect(page.get_by_test_id("application-status")).to_have_attribute("data-status", "approved")
    page.fill("input[name=registration_number]", "Y2026990000001")
    page.get_by_test_id("action-register").click()
    expect(page.get_by_test_id("application-status")).to_have_attribute("data-status", "registered")
    expect(page.get_by_test_id("event")).to_have_count(4)

    # The statistics count it, charted by the vendored ECharts.
    page.goto("/finance/statistics/")
    expect(page.locator("#chart-institution canvas")).to_have_count(1)
    expect(page.get_by_test_id("stat-table").first).to_contain_text("甲区")

    page.goto(f"/ipdata/patents/{patent.application_number}/")
    expect(page.get_by_test_id("pledge-flag")).to_have_count(1)
    assert errors == []
