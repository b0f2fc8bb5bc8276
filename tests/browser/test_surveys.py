"""An anonymous visitor answers a satisfaction survey from the menu (a missing answer is named at
its question), cannot answer twice, and reads the published good practice; the city
administrator sees the results drawn as charts."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import PASSWORD
from zhichan.practices import services as practices
from zhichan.surveys.models import Option, Question, Response, Survey

pytestmark = pytest.mark.django_db(transaction=True)


def make_survey(world):
    today = timezone.localdate()
    survey = Survey.objects.create(
        title="网点服务满意度调查",
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=10),
        audience="everyone",
        region=world.city,
        ask_county=True,
        status="open",
    )
    channel = Question.objects.create(survey=survey, order=1, kind="single", text="您通过什么渠道办理？")
    for n, text in enumerate(["窗口", "网上"], start=1):
        Option.objects.create(question=channel, order=n, text=text)
    Question.objects.create(survey=survey, order=2, kind="scale", text="总体满意度")
    Question.objects.create(survey=survey, order=3, kind="text", text="建议", required=False)
    return survey


def test_an_anonymous_visitor_answers_a_survey_and_reads_good_practice(page, world):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    survey = make_survey(world)
    practice = practices.do_create_practice(
        world.users.staff_a,
        title="工作站延伸服务网络",
        summary="在园区设立工作站，基本服务就近可办。",
        body="第一段。\n\n第二段。",
        county=world.county_a,
        agency=world.centre_a,
        category="network_building",
    )
    practices.do_submit_practice(world.users.staff_a, practice)
    practices.do_approve_practice(world.users.county_admin_a, practice)

    page.goto("/")
    page.get_by_test_id("nav-surveys").first.click()
    page.wait_for_url("**/surveys/")
    page.locator(f'[data-testid="survey-card"][data-survey="{survey.pk}"] a').click()
    page.wait_for_url(f"**/surveys/{survey.pk}/")
    channel, scale, text = survey.questions.order_by("order")

    # The satisfaction question left out: refused, named at that question, nothing stored.
    page.get_by_label("网上").check()
    page.get_by_test_id("survey-submit").click()
    expect(page.locator(f'[data-testid="field-error"][data-field="q{scale.pk}"]')).to_contain_text(
        "总体满意度"
    )
    assert not Response.objects.exists()
    page.locator(f'input[name="q{scale.pk}"][value="4"]').check()
    page.locator(f'textarea[name="q{text.pk}"]').fill("希望延长服务时间")
    page.select_option("select[name=county]", str(world.county_b.pk))
    page.get_by_test_id("survey-submit").click()
    expect(page.get_by_test_id("survey-answered")).to_be_visible()
    response = Response.objects.get()
    assert response.county == world.county_b and response.answers.get(question=scale).scale == 4

    # Back to the page later: already answered, no form.
    page.goto(f"/surveys/{survey.pk}/")
    expect(page.get_by_test_id("survey-answered")).to_be_visible()
    expect(page.get_by_test_id("survey-form")).to_have_count(0)

    page.get_by_test_id("nav-practices").first.click()
    page.wait_for_url("**/practices/")
    card = page.locator(f'[data-testid="practice-card"][data-practice="{practice.pk}"]')
    expect(card).to_contain_text("工作站延伸服务网络")
    card.get_by_role("link").click()
    expect(page.get_by_test_id("practice-body")).to_contain_text("第二段。")
    assert errors == []


def test_results_draw_their_charts(page, world):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    survey = make_survey(world)
    from zhichan.surveys import services

    channel, scale, _text = survey.questions.order_by("order")
    for n, value in enumerate([5, 3]):
        services.do_submit(
            survey, {channel.pk: channel.options.first().pk, scale.pk: value}, browser_token=f"t{n}"
        )
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "city_admin")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/")
    page.goto(f"/surveys/{survey.pk}/results/")
    expect(page.locator(f"#chart-q{channel.pk} canvas")).to_have_count(1)
    expect(page.locator(f"#chart-q{scale.pk} canvas")).to_have_count(1)
    expect(page.get_by_test_id("survey-results-rate")).to_have_text("50.0%")
    assert errors == []
