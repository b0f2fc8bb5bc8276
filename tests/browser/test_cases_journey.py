"""A complaint from the public to the rating: filed on the web, handled by the county
centre's staff, supervised when overdue by the county administrator, rated through the
tracking link. Runs on the Jinzhong demo bundle (its routing sends consultations and complaints in 太谷区
to the county centre)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from zhichan.accounts.models import Role, User
from zhichan.agencies.models import Agency
from zhichan.cases.models import Case, CaseEvent, Rating
from zhichan.core.bundles import DEMO_BUNDLE, load_bundle
from zhichan.regions.models import Region

pytestmark = pytest.mark.django_db(transaction=True)

TAIGU = "140703"
PASSWORD = "Case-journey-pass-2024"


@pytest.fixture
def people():
    load_bundle(DEMO_BUNDLE, log=lambda *a: None)
    taigu = Region.objects.get(code=TAIGU)
    centre = Agency.objects.get(name="太谷区知识产权服务中心")
    staff = User.objects.create_user(
        username="taigu_staff",
        password=PASSWORD,
        role=Role.AGENCY_STAFF,
        agency=centre,
        display_name="窗口小李",
    )
    admin = User.objects.create_user(
        username="taigu_admin",
        password=PASSWORD,
        role=Role.COUNTY_ADMIN,
        region=taigu,
        display_name="太谷区管理员",
    )
    return staff, admin


def log_in(page, user):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("whoami")).to_contain_text(user.display_name)


def test_file_handle_supervise_and_rate(page, people):
    staff, admin = people

    # The public files a complaint about a service in 太谷区.
    page.goto("/")
    page.get_by_test_id("nav-request").first.click()
    page.wait_for_url("**/requests/new/")
    page.select_option("select[name=type]", "complaint")
    page.select_option("select[name=subtype]", "service")
    page.select_option("select[name=region]", TAIGU)
    page.fill("input[name=subject]", "窗口未告知商标续展办理方式")
    description = "我们的商标明年到期，到窗口咨询续展时未获一次性告知所需材料和费用。"
    page.fill("textarea[name=description]", description)
    page.fill("input[name=requester_name]", "赵六")
    page.fill("input[name=requester_phone]", "13600000000")
    page.get_by_test_id("intake-submit").click()
    page.wait_for_url("**/track/*/")
    expect(page.get_by_test_id("case-status")).to_have_attribute("data-status", "new")
    tracking_url = page.url
    case = Case.objects.get()
    assert case.owner.name == "太谷区知识产权服务中心"
    expect(page.locator("body")).to_contain_text(case.tracking_code)

    # Another filing that nobody handles in time.
    late = Case.objects.create(
        number="ZC-2000-000001",
        tracking_token="late-token-xyz-0123456789abcdef",
        tracking_code="ABCDEFGH",
        type="complaint",
        subject="逾期未办的投诉",
        description="…",
        owner=case.owner,
        deadline=case.deadline - dt.timedelta(days=60),
    )

    # The county centre's staff accept and reply.
    log_in(page, staff)
    page.get_by_test_id("nav-cases").first.click()
    page.wait_for_url("**/cases/")
    page.locator(f"[data-testid=case-row][data-number='{case.number}'] a").click()
    page.get_by_test_id("action-accept").click()
    expect(page.get_by_test_id("case-status")).to_have_attribute("data-status", "accepted")
    page.fill("textarea[name=message]", "续展可在到期前十二个月内提出，可到区中心窗口办理。")
    page.get_by_test_id("action-reply").click()
    expect(page.get_by_test_id("case-status")).to_have_attribute("data-status", "replied")

    # The county administrator finds the overdue case and supervises it.
    log_in(page, admin)
    page.goto("/cases/")
    page.get_by_test_id("filter-overdue").click()
    row = page.locator(f"[data-testid=case-row][data-number='{late.number}']")
    expect(row).to_be_visible()
    expect(page.locator(f"[data-testid=case-row][data-number='{case.number}']")).to_have_count(0)
    row.locator("a").click()
    page.fill("textarea[name=note]  >> nth=-1", "请今日内办结并报告。")
    page.get_by_test_id("action-supervise").click()
    expect(page.get_by_test_id("case-timeline").locator("[data-kind=supervised]")).to_have_count(1)

    # The requester, without an account, rates through the tracking link.
    page.context.clear_cookies()
    page.goto(tracking_url)
    expect(page.get_by_test_id("case-timeline").locator("[data-kind=reply]")).to_contain_text("续展")
    page.locator("[data-testid=rate-form] input[value=satisfied]").check()
    page.locator("[data-testid=rate-form] button[type=submit]").click()
    expect(page.get_by_test_id("rate-form")).to_have_count(0)
    assert Rating.objects.get(case=case).level == "satisfied"
    assert CaseEvent.objects.filter(case=late, kind="supervised").count() == 1
