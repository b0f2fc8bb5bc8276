"""The Content-Security-Policy in a real browser: pages with scripts, charts and htmx cause no
violation, and the behaviour that used to be inline handlers (print buttons, selects that submit
their form) still works."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def watch_violations(page):
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.on("pageerror", lambda exc: violations.append(str(exc)))
    return violations


def test_public_and_staff_pages_cause_no_violation(page, world):
    violations = watch_violations(page)
    for url in ("/", "/network/", "/network/coverage/", "/evaluation/open/", "/services/TM-REG/print/"):
        response = page.goto(url)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "city_admin")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/")
    staff_pages = ["/training/statistics/", "/finance/statistics/", "/evaluation/"]
    staff_pages += ["/ipdata/imports/", "/cases/"]
    for url in staff_pages:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    assert violations == []


def test_the_language_select_submits_and_print_buttons_print(page, world):
    violations = watch_violations(page)
    # window.print would open a dialog; the page's own script calls it, which is what is checked.
    page.add_init_script("window.print = function () { document.body.dataset.printed = 'yes'; };")
    page.goto("/")
    page.locator("select[name=language]").select_option("en")
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/services/TM-REG/print/")
    page.locator("[data-print]").click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
    assert violations == []
