"""Survey pages: the public list and answer page (anonymous, once per browser), setup, results
and their XLSX export, by role."""

import html
import io
import re

import pytest
from openpyxl import load_workbook

from tests.surveys.conftest import good_answers, qs
from zhichan.surveys import services
from zhichan.surveys.models import Response, Survey

pytestmark = pytest.mark.django_db
FIELD_ERROR = re.compile(r'data-testid="field-error" data-field="(\w+)">([^<]*)<')
ROLES = ["anonymous", "public", "enterprise", "staff_a", "agency_admin_a", "county_admin_a",
         "county_admin_b", "city_admin"]  # fmt: skip


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world.users, role))


def form_data(survey, scale=5):
    data = {}
    for pk, value in good_answers(survey, scale).items():
        data[f"q{pk}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


@pytest.mark.parametrize("role", ROLES)
def test_the_list_shows_open_surveys_only(client, world, make, role):
    shown = make()
    draft = make(status="draft", title="草稿问卷")
    closed = make(status="closed", title="已结束问卷")
    login(client, world, role)
    body = client.get("/surveys/").content.decode()
    assert f'data-survey="{shown.pk}"' in body
    assert f'data-survey="{draft.pk}"' not in body and f'data-survey="{closed.pk}"' not in body
    assert 'data-testid="nav-surveys"' in body
    manages = role in ("county_admin_a", "county_admin_b", "city_admin")
    assert client.get(f"/surveys/{draft.pk}/").status_code == (200 if role == "city_admin" else 404)
    assert client.get(f"/surveys/{closed.pk}/").status_code == (200 if role == "city_admin" else 404)
    assert client.get("/surveys/manage/").status_code == (
        200 if manages else 302 if role == "anonymous" else 404
    )


def test_an_anonymous_visitor_answers_once(client, world, survey):
    page = client.get(f"/surveys/{survey.pk}/")
    assert page.status_code == 200 and f"zc_survey_{survey.pk}" in page.cookies
    assert 'data-testid="survey-form"' in page.content.decode()
    answered = client.post(f"/surveys/{survey.pk}/", form_data(survey), follow=True)
    assert 'data-testid="survey-answered"' in answered.content.decode()
    again = client.post(f"/surveys/{survey.pk}/", form_data(survey, scale=1))
    assert again.status_code == 422 and "already answered" in again.content.decode()
    assert Response.objects.count() == 1
    assert Response.objects.get().answers.get(question=qs(survey)[2]).scale == 5


def test_a_first_visit_that_posts_gets_its_cookie_and_is_not_counted_twice(client, world, survey):
    # No page view first (the cookie is set by the answer itself), then a second post.
    client.post(f"/surveys/{survey.pk}/", form_data(survey))
    client.post(f"/surveys/{survey.pk}/", form_data(survey))
    assert Response.objects.count() == 1


def test_a_forged_cookie_is_ignored(client, world, survey):
    client.cookies[f"zc_survey_{survey.pk}"] = "not-signed"
    response = client.post(f"/surveys/{survey.pk}/", form_data(survey))
    assert response.status_code == 302 and Response.objects.count() == 1


def test_errors_appear_at_each_question(client, world, survey):
    single, multiple, scale, text = qs(survey)
    response = client.post(f"/surveys/{survey.pk}/", {f"q{scale.pk}": "9", f"q{text.pk}": "好"})
    assert response.status_code == 422
    errors = dict(FIELD_ERROR.findall(response.content.decode()))
    assert (
        html.unescape(errors[f"q{single.pk}"]) == "Question 1 (“您通过什么渠道了解到服务？”) needs an answer."
    )
    assert "give a whole number from 1 to 5" in html.unescape(errors[f"q{scale.pk}"])
    assert 'value="好"' not in response.content.decode() and ">好</textarea>" in response.content.decode()
    assert not Response.objects.exists()


def test_an_enterprise_survey_asks_to_log_in(client, world, make):
    survey = make(audience="enterprises")
    body = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert 'data-testid="survey-login"' in body and 'data-testid="survey-form"' not in body
    client.force_login(world.users.enterprise)
    client.post(f"/surveys/{survey.pk}/", form_data(survey))
    assert Response.objects.count() == 1


@pytest.mark.parametrize(
    "role, city_survey, county_a_survey",
    [
        ("anonymous", 302, 302),
        ("public", 404, 404),
        ("enterprise", 404, 404),
        ("staff_a", 404, 404),
        ("agency_admin_a", 404, 404),
        ("county_admin_a", 404, 200),
        ("county_admin_b", 404, 404),
        ("city_admin", 200, 200),
    ],
)
def test_results_by_role(client, world, make, role, city_survey, county_a_survey):
    city = make()
    county = make(region=world.county_a)
    login(client, world, role)
    for survey, expected in ((city, city_survey), (county, county_a_survey)):
        assert client.get(f"/surveys/{survey.pk}/results/").status_code == expected
        assert client.get(f"/surveys/{survey.pk}/results/export/").status_code == expected
        assert client.get(f"/surveys/{survey.pk}/setup/").status_code == expected


def test_results_page_and_xlsx(client, world, make):
    survey = make(ask_county=True)
    single, multiple, scale, text = qs(survey)
    for n, value in enumerate([5, 4, 2, 1, 4]):
        answers = good_answers(survey, scale=value)
        answers[text.pk] = f"建议{n}"
        services.do_submit(
            survey, answers, browser_token=f"b{n}", county=world.county_a.pk if n < 2 else None
        )
    client.force_login(world.users.city_admin)
    body = client.get(f"/surveys/{survey.pk}/results/").content.decode()
    assert 'data-testid="survey-results-count">5<' in body
    assert 'data-testid="survey-results-rate">60.0%<' in body
    assert 'data-testid="survey-result-mean">3.20<' in body
    assert "建议3" in body and 'id="survey-chart-data"' in body and "surveys/results.js" in body
    assert "<script>" not in body.split('id="survey-chart-data"')[0].rsplit("</main>", 1)[-1]
    export = client.get(f"/surveys/{survey.pk}/results/export/")
    book = load_workbook(io.BytesIO(export.content))
    summary = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert summary[2][:2] == ["Responses", 5] and summary[3][:2] == ["Satisfaction rate (%)", 60.0]
    rows = {(r[1], r[2]): r[3] for r in summary[6:]}
    assert rows[(single.text, "网站")] == 5 and rows[(single.text, "窗口")] == 0
    assert rows[(scale.text, "4")] == 2 and rows[(scale.text, "5")] == 1
    assert rows[(multiple.text, "专利申请")] == 5
    satisfaction = list(book.worksheets[1].iter_rows(values_only=True))
    assert satisfaction[1][2:] == (5, 3.2, 60.0)
    texts = [r[2] for r in book.worksheets[2].iter_rows(min_row=2, values_only=True)]
    assert texts == [f"建议{n}" for n in range(5)]
    counties = dict(book.worksheets[3].iter_rows(min_row=2, values_only=True))
    assert counties == {world.county_a.name: 2, "Not given": 3}


def test_setup_through_the_pages(client, world):
    client.force_login(world.users.county_admin_a)
    response = client.post(
        "/surveys/new/",
        {"title": "甲区企业满意度", "opens_on": "2026-01-01", "closes_on": "2099-12-31",
         "audience": "everyone", "region": world.county_a.pk},
    )  # fmt: skip
    survey = Survey.objects.get()
    assert response.status_code == 302 and survey.region == world.county_a
    bad = client.post(
        f"/surveys/{survey.pk}/questions/", {"kind": "single", "text": "渠道", "options": "只有一个"}
    )
    assert bad.status_code == 422 and 'data-field="options"' in bad.content.decode()
    client.post(f"/surveys/{survey.pk}/questions/", {"kind": "scale", "text": "总体满意度", "required": "on"})
    client.post(f"/surveys/{survey.pk}/open/")
    survey.refresh_from_db()
    assert survey.status == "open" and survey.questions.get().required
    body = client.get(f"/surveys/{survey.pk}/setup/").content.decode()
    assert "Survey opened" in body and 'data-status="open"' in body
    client.post(f"/surveys/{survey.pk}/close/")
    survey.refresh_from_db()
    assert survey.status == "closed"
    # Another county's administrator cannot move it.
    client.force_login(world.users.county_admin_b)
    assert client.post(f"/surveys/{survey.pk}/open/").status_code == 404
