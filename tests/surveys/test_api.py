"""Surveys over the API: open surveys, one survey, anonymous answers once, results for admins."""

import pytest

from tests.surveys.conftest import good_answers, qs
from zhichan.surveys.models import Response

pytestmark = pytest.mark.django_db


def payload(survey, scale=5):
    return {"answers": {str(k): v for k, v in good_answers(survey, scale).items()}}


def test_list_and_detail(client, world, make):
    shown = make()
    draft = make(status="draft")
    listed = client.get("/api/v1/surveys/").json()
    assert [s["id"] for s in listed["items"]] == [shown.pk]
    detail = client.get(f"/api/v1/surveys/{shown.pk}").json()
    assert [q["kind"] for q in detail["questions"]] == ["single", "multiple", "scale", "text"]
    assert len(detail["questions"][0]["options"]) == 3 and detail["accepting"] is True
    assert client.get(f"/api/v1/surveys/{draft.pk}").status_code == 404


def test_answer_anonymously_once(client, world, survey):
    first = client.post(
        f"/api/v1/surveys/{survey.pk}/responses", payload(survey), content_type="application/json"
    )
    assert first.status_code == 201, first.content
    assert f"zc_survey_{survey.pk}" in first.cookies
    again = client.post(
        f"/api/v1/surveys/{survey.pk}/responses", payload(survey), content_type="application/json"
    )
    assert again.status_code == 422
    assert again.json()["detail"][0]["field"] == "survey"
    assert Response.objects.count() == 1


def test_invalid_answers_name_the_question(client, world, survey):
    single, multiple, scale, text = qs(survey)
    body = {"answers": {str(single.pk): 999999, str(scale.pk): 0}}
    response = client.post(f"/api/v1/surveys/{survey.pk}/responses", body, content_type="application/json")
    assert response.status_code == 422
    fields = {d["field"]: d["errors"] for d in response.json()["detail"]}
    assert set(fields) == {f"q{single.pk}", f"q{scale.pk}"}
    assert "Question 1" in fields[f"q{single.pk}"][0]
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "role, status",
    [("anonymous", 401), ("public", 404), ("staff_a", 404), ("county_admin_b", 404), ("county_admin_a", 200),
     ("city_admin", 200)],
)  # fmt: skip
def test_results_by_role(client, world, make, role, status):
    survey = make(region=world.county_a)
    client.post(f"/api/v1/surveys/{survey.pk}/responses", payload(survey, 4), content_type="application/json")
    if role != "anonymous":
        client.force_login(getattr(world.users, role))
    response = client.get(f"/api/v1/surveys/{survey.pk}/results")
    assert response.status_code == status
    if status == 200:
        data = response.json()
        assert data["responses"] == 1 and data["satisfaction_rate"] == 100.0
        assert data["questions"][2]["mean"] == 4.0 and data["questions"][3]["texts"] == ["窗口服务很好"]
