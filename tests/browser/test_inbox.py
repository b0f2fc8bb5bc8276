"""The inbox on a phone: the badge counts unread notices, reading them clears it."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory
from zhichan.notices.models import Notice

pytestmark = pytest.mark.django_db(transaction=True)

NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_read_notices_on_a_phone(phone_page):
    page = phone_page
    user = UserFactory(username="zhang_inbox", display_name="张三")
    Notice.objects.create(
        recipient=user,
        kind="case_replied",
        subject="您的投诉 TS-2026-000001 已答复",
        body="请通过查询码查看答复内容，如不满意可在规定期限内申请重新办理。",
        case_number="TS-2026-000001",
        link="/services/",
    )
    Notice.objects.create(recipient=user, kind="case_received", subject="您的投诉已受理")

    page.goto("/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/")

    page.locator(".navbar-toggler").click()

    page.locator("#mainnav.show").wait_for()  # the menu has finished opening
    expect(page.get_by_test_id("nav-inbox-count")).to_contain_text("2")
    page.get_by_test_id("nav-inbox").click()
    page.wait_for_url("**/inbox/")
    expect(page.get_by_test_id("notice")).to_have_count(2)
    assert page.evaluate(NO_OVERFLOW)

    # Opening the answered complaint marks it read and follows its link.
    page.get_by_test_id("notice-open").click()
    page.wait_for_url("**/services/")
    page.goto("/inbox/")
    expect(page.locator('[data-testid="notice"][data-unread="1"]')).to_have_count(1)

    page.get_by_test_id("inbox-read-all").click()
    page.wait_for_url("**/inbox/")
    expect(page.locator('[data-testid="notice"][data-unread="1"]')).to_have_count(0)
    expect(page.get_by_test_id("nav-inbox-count")).to_have_count(0)
    assert not Notice.objects.filter(recipient=user, read_at__isnull=True).exists()
