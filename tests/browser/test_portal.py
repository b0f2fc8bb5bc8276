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


def test_sign_up_on_a_phone_as_an_enterprise(phone_page):
    from zhichan.accounts.models import Role, User

    page = phone_page
    page.goto("/")
    page.locator(".navbar-toggler").click()
    page.locator("#mainnav.show").wait_for()  # the menu has finished opening
    page.get_by_test_id("nav-signup").click()
    page.wait_for_url("**/accounts/signup/")
    assert page.evaluate(NO_OVERFLOW)

    page.fill("input[name=username]", "jinzhong_tea")
    page.fill("input[name=display_name]", "李经理")
    page.fill("input[name=email]", "li@example.com")
    page.check("input[name=role][value=enterprise]")
    page.fill("input[name=password1]", "Pingyao-ancient-city-1997")
    page.fill("input[name=password2]", "Pingyao-ancient-city-1997")
    page.get_by_test_id("signup-submit").click()
    # The organisation is required for enterprises: the form comes back with the error there.
    expect(page.get_by_test_id("error-organisation")).to_be_visible()
    assert not User.objects.filter(username="jinzhong_tea").exists()

    page.fill("input[name=organisation]", "晋中示例茶业有限公司")
    page.fill("input[name=password1]", "Pingyao-ancient-city-1997")
    page.fill("input[name=password2]", "Pingyao-ancient-city-1997")
    page.get_by_test_id("signup-submit").click()
    page.wait_for_url(lambda url: url.rstrip("/").count("/") == 2)  # back on the home page
    user = User.objects.get(username="jinzhong_tea")
    assert (user.role, user.organisation) == (Role.ENTERPRISE, "晋中示例茶业有限公司")
    page.locator(".navbar-toggler").click()
    page.locator("#mainnav.show").wait_for()  # the menu has finished opening
    expect(page.get_by_test_id("whoami")).to_contain_text("李经理")
