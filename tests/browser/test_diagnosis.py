"""The risk diagnosis on a phone: conditional questions appear as earlier answers need them, the
report comes back with its level, and "Ask for help" files a request."""

import pytest
from playwright.sync_api import expect

from tests.diagnosis.conftest import questionnaire  # noqa: F401 - the fixture
from tests.factories import PASSWORD
from zhichan.cases.models import Case
from zhichan.diagnosis.models import Diagnosis

pytestmark = pytest.mark.django_db(transaction=True)

NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"
# The last choice of every visible question, in page order (each answer may reveal the next).
ANSWER_VISIBLE = """() => {
  for (const box of document.querySelectorAll('.question')) {
    if (box.hidden) continue;
    const inputs = [...box.querySelectorAll('input.form-check-input')];
    if (inputs.length) {
      const choice = inputs.filter(i => !i.hasAttribute('data-exclusive')).pop();
      if (!choice.checked) { choice.click(); }
    } else {
      const number = box.querySelector('input[type=number]');
      if (number && !number.value) { number.value = '30'; }
    }
  }
}"""


def test_take_the_diagnosis_and_ask_for_help(phone_page, world, questionnaire):  # noqa: F811
    page = phone_page
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "enterprise")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/")
    page.get_by_test_id("home-diagnosis").click()
    page.get_by_test_id("diagnosis-start").click()
    page.wait_for_url("**/diagnosis/take/")

    owner = page.locator('.question[data-question="mark_owner"]')
    expect(owner).to_be_hidden()
    page.locator('input[name="mark_status"][value="registered"]').check()
    expect(owner).to_be_visible()
    page.locator('input[name="mark_status"][value="not_applied"]').check()
    expect(owner).to_be_hidden()

    # "None of these" clears the other measures.
    page.locator('input[name="secret_measures"][value="access"]').check()
    page.locator('input[name="secret_measures"][value="none"]').check()
    expect(page.locator('input[name="secret_measures"][value="access"]')).not_to_be_checked()

    page.fill("input[name=enterprise_name]", "甲区某某科技有限公司")
    for _round in range(4):
        page.evaluate(ANSWER_VISIBLE)
    assert page.evaluate(NO_OVERFLOW)
    page.get_by_test_id("diagnosis-submit").click()
    page.wait_for_url("**/diagnosis/*/")
    expect(page.get_by_test_id("risk-level")).to_have_attribute("data-level", "high")
    expect(page.get_by_test_id("finding").first).to_be_visible()
    assert page.evaluate(NO_OVERFLOW)

    page.locator('input[name="service_item"]').first.check()
    page.fill("input[name=requester_phone]", "13900000000")
    page.get_by_test_id("help-submit").click()
    page.wait_for_url("**/track/**")
    case = Case.objects.get()
    assert Diagnosis.objects.get().cases.get() == case and case.requester_user.username == "enterprise"
