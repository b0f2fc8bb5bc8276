"""The diagnosis API: questionnaire, submit (anonymous or stored), drafts, reading, asking for help."""

import pytest

from tests.diagnosis.helpers import answer_all
from zhichan.cases.models import Case, CaseType, RoutingRule
from zhichan.diagnosis.models import Diagnosis, DiagnosisStatus

pytestmark = pytest.mark.django_db
JSON = "application/json"
URL = "/api/v1/diagnosis/diagnoses"


def body(questionnaire, pick="last", **overrides):
    data = {"answers": answer_all(questionnaire.definition, pick), "enterprise_name": "甲区某某科技有限公司"}
    data.update(overrides)
    return data


def test_questionnaire_definition(client, questionnaire):
    out = client.get("/api/v1/diagnosis/questionnaire").json()
    assert out["version"] == 1 and out["levels"] == {"high": 40, "medium": 20}
    questions = {q["key"]: q for s in out["sections"] for q in s["questions"]}
    assert questions["mark_owner"]["when"] == {"question": "mark_status", "any_of": ["registered", "pending"]}
    assert questions["main_class"]["min"] == 1 and questions["main_class"]["choices"] == []
    assert [c["label"] for c in questions["secret_inventory"]["choices"]] == ["Yes", "No"]
    assert "findings" not in str(out)


def test_questionnaire_missing_is_404(client, world):
    assert client.get("/api/v1/diagnosis/questionnaire").status_code == 404


def test_anonymous_gets_the_result_without_storing(client, questionnaire):
    response = client.post(URL, body(questionnaire), content_type=JSON)
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["id"] is None and out["level"] == "high" and out["findings"]
    assert out["findings"][0]["severity"] == "high" and out["services"]
    assert not Diagnosis.objects.exists()


def test_signed_in_submission_is_stored_once_per_key(client, world, questionnaire):
    client.force_login(world.users.enterprise)
    first = client.post(URL, body(questionnaire, submission_key="abc"), content_type=JSON)
    assert first.status_code == 201
    again = client.post(URL, body(questionnaire, submission_key="abc"), content_type=JSON)
    assert again.json()["id"] == first.json()["id"] and Diagnosis.objects.count() == 1
    read = client.get(f"{URL}/{first.json()['id']}").json()
    assert read["level"] == first.json()["level"] and len(read["dimensions"]) == 8


def test_errors_name_the_question(client, world, questionnaire):
    answers = answer_all(questionnaire.definition)
    answers.pop("nda")
    answers.update(main_class=0, export="mars", colour="red")
    response = client.post(URL, {"answers": answers, "uscc": "nope"}, content_type=JSON)
    assert response.status_code == 422
    fields = {e["field"]: e["errors"] for e in response.json()["detail"]}
    assert set(fields) == {"nda", "main_class", "export", "colour", "uscc"}
    assert "answer this question" in fields["nda"][0]


def test_drafts_over_the_api(client, world, questionnaire):
    response = client.post(URL, {"answers": {"export": "none"}, "draft": True}, content_type=JSON)
    assert response.status_code == 401 and not Diagnosis.objects.exists()
    client.force_login(world.users.public)
    response = client.post(URL, {"answers": {"export": "none"}, "draft": True}, content_type=JSON)
    assert response.status_code == 200 and response.json()["status"] == "draft"
    mine = client.get(f"{URL}?mine=true&status=draft").json()["items"]
    assert [d["answers"] for d in mine] == [{"export": "none"}]
    done = client.post(URL, body(questionnaire), content_type=JSON).json()
    assert done["id"] == mine[0]["id"] and done["status"] == "submitted"
    assert Diagnosis.objects.get().status == DiagnosisStatus.SUBMITTED


def test_asking_for_help_over_the_api(client, world, questionnaire):
    RoutingRule.objects.create(
        case_type=CaseType.SERVICE_APPLICATION, region=world.county_b, agency=world.centre_b
    )
    client.force_login(world.users.enterprise)
    out = client.post(URL, body(questionnaire, region_code="990103"), content_type=JSON).json()
    response = client.post(f"{URL}/{out['id']}/cases", {"service_item_code": "TM-SEARCH"}, content_type=JSON)
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert response.json()["number"] == case.number and case.owner == world.centre_b
    refused = client.post(f"{URL}/{out['id']}/cases", {"service_item_code": "A-LOCAL"}, content_type=JSON)
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "service_item_code"
    assert client.get(f"{URL}/{out['id']}").json()["case_numbers"] == [case.number]
    client.force_login(world.users.public)
    other = client.post(f"{URL}/{out['id']}/cases", {"service_item_code": "TM-SEARCH"}, content_type=JSON)
    assert other.status_code == 404
