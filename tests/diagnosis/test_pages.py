"""The diagnosis pages: questionnaire, drafts, anonymous result, report, print, DOCX, asking for help."""

import io

import pytest
from docx import Document

from tests.diagnosis.helpers import answer_all
from zhichan.cases.models import Case, CaseType, RoutingRule
from zhichan.diagnosis import services
from zhichan.diagnosis.models import Diagnosis, DiagnosisStatus

pytestmark = pytest.mark.django_db


def form_data(questionnaire, pick="last", action="submit", **overrides):
    data = {
        "enterprise_name": "甲区某某科技有限公司",
        "region": "990102",
        "submission_key": "k-1",
        "action": action,
    }
    data.update(answer_all(questionnaire.definition, pick, **overrides))
    return data


def test_links_lead_to_the_diagnosis(client, world, questionnaire):
    assert 'href="/diagnosis/"' in client.get("/").content.decode()
    client.force_login(world.users.staff_a)
    page = client.get("/accounts/profile/").content.decode()
    assert 'data-testid="nav-diagnoses"' in page and 'data-testid="profile-diagnoses"' in page


def test_index_without_a_questionnaire_says_so(client, world):
    page = client.get("/diagnosis/")
    assert 'data-testid="diagnosis-unavailable"' in page.content.decode()
    assert client.get("/diagnosis/take/").status_code == 503


def test_questionnaire_page_shows_every_section_and_question(client, questionnaire):
    page = client.get("/diagnosis/take/").content.decode()
    for section in questionnaire.definition["sections"]:
        assert section["title"] in page
        for q in section["questions"]:
            assert f'data-question="{q["key"]}"' in page
    assert 'data-testid="anonymous-note"' in page and 'data-testid="diagnosis-draft"' not in page
    assert 'data-when-question="mark_status"' in page and 'data-exclusive="1"' in page


def test_anonymous_result_is_shown_and_not_stored(client, questionnaire):
    response = client.post("/diagnosis/take/", form_data(questionnaire, enterprise_name=""))
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="not-stored"' in page
    assert 'data-testid="finding"' in page and 'data-level="high"' in page
    # "Ask for help" is the request form, pre-filled with the service.
    assert "/requests/new/?type=service_application&amp;service_item=" in page
    assert not Diagnosis.objects.exists()


def test_errors_name_the_question_and_keep_the_answers(client, world, questionnaire):
    client.force_login(world.users.enterprise)
    data = form_data(questionnaire, main_class="99")
    data.pop("fto")
    page = client.post("/diagnosis/take/", data).content.decode()
    assert 'data-testid="error-summary"' in page
    assert 'data-field="fto"' in page and "answer this question" in page
    assert 'data-field="main_class"' in page
    assert 'value="99"' in page
    assert not Diagnosis.objects.exists()


def test_signed_in_submission_redirects_to_the_stored_report_once(client, world, questionnaire):
    client.force_login(world.users.enterprise)
    first = client.post("/diagnosis/take/", form_data(questionnaire))
    diagnosis = Diagnosis.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/diagnosis/{diagnosis.pk}/"
    again = client.post("/diagnosis/take/", form_data(questionnaire))
    assert again["Location"] == first["Location"] and Diagnosis.objects.count() == 1
    page = client.get(first["Location"]).content.decode()
    assert 'data-testid="docx-link"' in page and 'data-testid="help-form"' in page
    assert "甲区某某科技有限公司" in page
    index = client.get("/diagnosis/").content.decode()
    assert f'href="/diagnosis/{diagnosis.pk}/"' in index


def test_draft_saved_resumed_and_discarded(client, world, questionnaire):
    client.force_login(world.users.enterprise)
    response = client.post(
        "/diagnosis/take/",
        {"action": "draft", "enterprise_name": "甲企业", "export": "exporting", "main_class": "30"},
    )
    assert response.status_code == 302
    draft = Diagnosis.objects.get(status=DiagnosisStatus.DRAFT)
    assert draft.answers == {"export": "exporting", "main_class": 30}
    page = client.get("/diagnosis/take/").content.decode()
    assert (
        'data-testid="draft-note"' in page
        and 'value="exporting" class="form-check-input" id="id_export_0" checked' in page
    )
    client.post("/diagnosis/take/", {"action": "discard"})
    assert not Diagnosis.objects.exists()


def test_enterprise_page_link_prefills_from_the_records(client, world, questionnaire, enterprise):
    page = client.get(f"/enterprises/{enterprise.pk}/").content.decode()
    assert f"/diagnosis/take/?enterprise={enterprise.pk}" in page
    client.force_login(world.users.staff_a)
    page = client.get(f"/diagnosis/take/?enterprise={enterprise.pk}").content.decode()
    assert f'value="{enterprise.uscc}"' in page and 'value="甲区老陈醋有限公司"' in page
    assert 'value="registered" class="form-check-input" id="id_mark_status_0" checked' in page


@pytest.fixture
def stored(questionnaire, world):
    RoutingRule.objects.create(
        case_type=CaseType.SERVICE_APPLICATION, region=world.county_a, agency=world.centre_a
    )
    answers = answer_all(questionnaire.definition, "last", rd_activity="own", export="exporting")
    return services.do_submit(
        world.users.enterprise, answers=answers, enterprise_name="甲区某某科技有限公司", region="990102"
    )


def test_report_lists_findings_dimensions_and_services(client, world, stored):
    client.force_login(world.users.enterprise)
    page = client.get(f"/diagnosis/{stored.pk}/").content.decode()
    for finding in stored.result["findings"]:
        assert f'data-key="{finding["key"]}"' in page
    assert page.count("data-dimension=") == 8
    assert "/services/TM-SEARCH/" in page
    # Legal basis links to the article in the knowledge base.
    assert "/knowledge/articles/" in page or "/laws/" in page


def test_printable_page_stands_alone(client, world, stored):
    client.force_login(world.users.enterprise)
    page = client.get(f"/diagnosis/{stored.pk}/print/").content.decode()
    assert "data-print" in page and 'data-testid="workspace-nav"' not in page
    assert stored.result["findings"][0]["title"] in page


def test_docx_holds_the_report(client, world, stored):
    client.force_login(world.users.enterprise)
    response = client.get(f"/diagnosis/{stored.pk}/report.docx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    tables = "\n".join(cell.text for t in doc.tables for row in t.rows for cell in row.cells)
    assert "IP risk diagnosis report" in text and "甲区某某科技有限公司" in text
    for finding in stored.result["findings"]:
        assert finding["title"] in text
    assert "High risk" in text
    assert "商标与品牌" in tables and "出口与海外" in tables
    assert "《商标法 第四条》" in text
    assert "企业的主要品牌（字号、产品名称或标识）是否已在中国注册商标？" in text


def test_asking_for_help_from_the_report(client, world, stored):
    client.force_login(world.users.enterprise)
    data = {"service_item": "TM-SEARCH", "note": "请联系我", "requester_phone": "13900000000"}
    response = client.post(f"/diagnosis/{stored.pk}/help/", data)
    case = Case.objects.get()
    assert response["Location"] == f"/track/{case.tracking_token}/"
    client.post(f"/diagnosis/{stored.pk}/help/", data)
    assert Case.objects.count() == 1
    page = client.get(f"/diagnosis/{stored.pk}/").content.decode()
    assert case.number in page
    # The agency handling the case reads the diagnosis.
    client.force_login(world.users.staff_a)
    assert client.get(f"/diagnosis/{stored.pk}/").status_code == 200


def test_help_with_a_service_not_recommended_is_refused(client, world, stored):
    client.force_login(world.users.enterprise)
    response = client.post(f"/diagnosis/{stored.pk}/help/", {"service_item": "A-LOCAL"}, follow=True)
    assert "Select a valid choice" in response.content.decode()
    assert not Case.objects.exists()
    client.force_login(world.users.public)
    assert client.post(f"/diagnosis/{stored.pk}/help/", {"service_item": "TM-SEARCH"}).status_code == 404


def test_staff_list_filters_by_level(client, world, stored):
    client.force_login(world.users.county_admin_a)
    page = client.get("/diagnosis/?level=high").content.decode()
    assert f'href="/diagnosis/{stored.pk}/"' in page
    page = client.get("/diagnosis/?level=low").content.decode()
    assert f'href="/diagnosis/{stored.pk}/"' not in page
