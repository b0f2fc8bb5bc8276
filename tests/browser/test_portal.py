"""The portal in a real browser: default language, switching language, phone-sized screens."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_home_is_chinese_and_switches_to_english(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("main")).to_contain_text("查找服务网点")

    # The language select submits its form on change.
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("Find an outlet")

    page.goto("/")  # the choice sticks (language cookie)
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.parametrize("path", ["/", "/network/"])
def test_phone_screen_has_no_horizontal_overflow(phone_page, path):
    response = phone_page.goto(path)
    assert response.status == 200
    phone_page.wait_for_load_state("load")
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert phone_page.evaluate(NO_OVERFLOW), f"{path} is {width}px wide on a 390px screen"
    # The menu collapses behind the toggler on a phone.
    expect(phone_page.locator(".navbar-toggler")).to_be_visible()
