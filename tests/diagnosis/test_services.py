"""Submitting, drafts, the enterprise's records, asking for help: diagnosis/services.py."""

import pytest
from django.core.exceptions import ValidationError

from tests.diagnosis.conftest import uscc
from tests.diagnosis.helpers import answer_all
from zhichan.cases.models import Case, CaseType, Channel, RoutingRule
from zhichan.core.permissions import PermissionDenied
from zhichan.diagnosis import services
from zhichan.diagnosis.models import Diagnosis, DiagnosisEvent, DiagnosisStatus

pytestmark = pytest.mark.django_db


def submit(user, questionnaire, pick="first", key=None, **overrides):
    profile = {"enterprise_name": overrides.pop("enterprise_name", "甲区某某科技有限公司")}
    profile.update({k: overrides.pop(k) for k in ("uscc", "region") if k in overrides})
    answers = answer_all(questionnaire.definition, pick, **overrides)
    return services.do_submit(user, answers=answers, submission_key=key, **profile)


def test_signed_in_submission_is_stored_with_its_result_and_event(questionnaire, world):
    user = world.users.enterprise
    diagnosis = submit(user, questionnaire, region="990102")
    assert diagnosis.pk and diagnosis.status == DiagnosisStatus.SUBMITTED and diagnosis.user == user
    assert diagnosis.region == world.county_a and diagnosis.enterprise is None
    assert diagnosis.risk_level == diagnosis.result["level"] == "low" and diagnosis.risk_index < 20
    assert list(diagnosis.events.values_list("kind", "to_state")) == [("submitted", "submitted")]


def test_worst_answers_give_a_high_risk_with_findings_by_severity(questionnaire, world):
    diagnosis = submit(
        world.users.enterprise, questionnaire, pick="last", rd_activity="own", export="exporting"
    )
    result = diagnosis.result
    assert result["level"] == "high" and result["index"] >= 40
    severities = [f["severity"] for f in result["findings"]]
    assert severities == sorted(severities, key=["high", "medium", "low", "info"].index)
    assert "TM-SEARCH" in [s["code"] for s in result["services"]]
    assert all(d["index"] is not None for d in result["dimensions"])


def test_anonymous_result_is_not_stored(questionnaire, world):
    diagnosis = submit(world.users.anonymous, questionnaire, pick="last", enterprise_name="")
    assert diagnosis.pk is None and diagnosis.result["findings"]
    assert not Diagnosis.objects.exists()


def test_double_submission_creates_one_diagnosis(questionnaire, world):
    user = world.users.enterprise
    first = submit(user, questionnaire, key="form-token-1")
    again = submit(user, questionnaire, key="form-token-1", pick="last")
    assert again.pk == first.pk and Diagnosis.objects.count() == 1
    with pytest.raises(ValidationError) as exc:
        submit(world.users.public, questionnaire, key="form-token-1")
    assert "submission_key" in exc.value.message_dict


def test_refusal_names_every_field_and_saves_nothing(questionnaire, world):
    answers = answer_all(questionnaire.definition)
    answers.pop("fto")
    answers["main_class"] = 46
    answers["export"] = "mars"
    with pytest.raises(ValidationError) as exc:
        services.do_submit(world.users.enterprise, answers=answers, enterprise_name="", uscc="123")
    errors = exc.value.message_dict
    assert set(errors) == {"fto", "main_class", "export", "enterprise_name", "uscc"}
    assert "answer this question" in errors["fto"][0] and "新产品上市" in errors["fto"][0]
    assert "from 1 to 45" in errors["main_class"][0]
    assert "mars" in errors["export"][0]
    assert not Diagnosis.objects.exists()


def test_draft_is_saved_resumed_and_becomes_the_diagnosis(questionnaire, world):
    user = world.users.enterprise
    draft = services.do_save_draft(user, answers={"rd_activity": "own"}, enterprise_name="甲企业")
    again = services.do_save_draft(
        user, answers={"rd_activity": "own", "export": "none"}, enterprise_name="甲企业"
    )
    assert again.pk == draft.pk and again.answers == {"rd_activity": "own", "export": "none"}
    assert services.draft_of(user) == again
    diagnosis = submit(user, questionnaire)
    assert diagnosis.pk == draft.pk and diagnosis.status == DiagnosisStatus.SUBMITTED
    assert services.draft_of(user) is None
    assert list(diagnosis.events.values_list("kind", "from_state", "to_state")) == [
        ("draft", "", "draft"),
        ("submitted", "draft", "submitted"),
    ]


def test_drafts_need_an_account_and_valid_answers(questionnaire, world):
    with pytest.raises(PermissionDenied):
        services.do_save_draft(world.users.anonymous, answers={"export": "none"})
    with pytest.raises(ValidationError) as exc:
        services.do_save_draft(world.users.public, answers={"export": "sometimes"})
    assert "export" in exc.value.message_dict and not Diagnosis.objects.exists()


def test_discarding_a_draft_is_for_its_owner(questionnaire, world):
    draft = services.do_save_draft(world.users.public, answers={"export": "none"})
    with pytest.raises(PermissionDenied):
        services.do_discard_draft(world.users.city_admin, draft)
    services.do_discard_draft(world.users.public, draft)
    assert not Diagnosis.objects.exists()


def test_no_questionnaire_loaded_is_a_clear_refusal(world):
    with pytest.raises(ValidationError) as exc:
        services.do_submit(world.users.public, answers={})
    assert "questionnaire" in exc.value.message_dict


# --- the enterprise's records -------------------------------------------------------------------


def test_enterprise_found_by_code_or_unique_name(enterprise):
    assert services.find_enterprise(uscc=enterprise.uscc) == enterprise
    assert services.find_enterprise(name="甲区老陈醋有限责任公司") == enterprise
    assert services.find_enterprise(name="乙县某公司") is None


def test_records_prefill_a_draft(questionnaire, enterprise, world):
    draft = services.do_save_draft(
        world.users.enterprise, answers={"rd_activity": "own"}, uscc=enterprise.uscc, enterprise_name=""
    )
    assert draft.enterprise == enterprise and draft.enterprise_name == enterprise.name
    assert draft.region == world.county_a
    # A trademark registered: "mark_status" registered; a patent on file: has_patents yes.
    assert draft.answers["mark_status"] == "registered" and draft.answers["has_patents"] == "yes"
    # What the person answered stays.
    answered = services.do_save_draft(
        world.users.enterprise, answers={"rd_activity": "own", "mark_status": "unsure"}, uscc=enterprise.uscc
    )
    assert answered.answers["mark_status"] == "unsure"


def test_system_checks_on_the_enterprise_records(questionnaire, enterprise, world):
    diagnosis = submit(world.users.enterprise, questionnaire, uscc=enterprise.uscc, main_class=33)
    fired = {f["key"]: f for f in diagnosis.result["findings"] if f["source"] == "system"}
    assert set(fired) == {"sys_no_mark_in_main_class", "sys_lapsed_patents", "sys_marks_expiring"}
    assert "class 33" in fired["sys_no_mark_in_main_class"]["detail"]
    assert "201910000001.1" in fired["sys_lapsed_patents"]["detail"]
    # The expired class-35 mark is past the grace period: only the class-30 mark is named.
    assert "10000001" in fired["sys_marks_expiring"]["detail"]
    assert "10000002" not in fired["sys_marks_expiring"]["detail"]
    assert diagnosis.result["enterprise_checked"] is True


def test_main_class_with_a_live_mark_is_not_flagged(questionnaire, enterprise, world, settings):
    settings.ZHICHAN_DIAGNOSIS_RENEWAL_MONTHS = 1  # the class-30 mark expires in 100 days: not yet
    diagnosis = submit(world.users.enterprise, questionnaire, uscc=enterprise.uscc, main_class=30)
    keys = {f["key"] for f in diagnosis.result["findings"]}
    assert "sys_no_mark_in_main_class" not in keys and "sys_marks_expiring" not in keys
    assert "sys_lapsed_patents" in keys


def test_without_a_registry_match_nothing_is_checked(questionnaire, world):
    diagnosis = submit(world.users.enterprise, questionnaire, uscc=uscc("91990103MA0K0001"), main_class=33)
    assert diagnosis.enterprise is None and diagnosis.result["enterprise_checked"] is False
    assert not [f for f in diagnosis.result["findings"] if f["source"] == "system"]


# --- asking for help ----------------------------------------------------------------------------


@pytest.fixture
def risky(questionnaire, world):
    RoutingRule.objects.create(
        case_type=CaseType.SERVICE_APPLICATION, region=world.county_a, agency=world.centre_a
    )
    return submit(world.users.enterprise, questionnaire, pick="last", region="990102")


def test_asking_for_help_opens_one_routed_case(risky, world):
    user = world.users.enterprise
    case = services.do_open_case(user, risky, service_item="TM-SEARCH", note="想了解如何查询")
    assert case.type == CaseType.SERVICE_APPLICATION and case.service_item.code == "TM-SEARCH"
    assert case.owner == world.centre_a and case.channel == Channel.WEB and case.requester_user == user
    assert f"/diagnosis/{risky.pk}/" in case.description and "想了解如何查询" in case.description
    again = services.do_open_case(user, risky, service_item="TM-SEARCH")
    assert again.pk == case.pk and Case.objects.count() == 1
    assert list(risky.cases.all()) == [case]
    event = DiagnosisEvent.objects.get(diagnosis=risky, kind="case_opened")
    assert event.data == {"case": case.pk, "number": case.number, "service": "TM-SEARCH"}


def test_only_recommended_services_and_only_the_owner(risky, world):
    with pytest.raises(ValidationError) as exc:
        services.do_open_case(world.users.enterprise, risky, service_item="A-LOCAL")
    assert "service_item" in exc.value.message_dict
    for other in (world.users.public, world.users.staff_a, world.users.city_admin):
        with pytest.raises(PermissionDenied):
            services.do_open_case(other, risky, service_item="TM-SEARCH")
    with pytest.raises(PermissionDenied):
        services.do_open_case(world.users.anonymous, risky, service_item="TM-SEARCH")
    assert not Case.objects.exists()


def test_staff_diagnosis_opens_a_window_case_for_the_enterprise(questionnaire, world):
    diagnosis = submit(world.users.staff_a, questionnaire, pick="last", enterprise_name="乙县酒厂")
    case = services.do_open_case(
        world.users.staff_a, diagnosis, service_item="TM-SEARCH", requester_phone="0354-1"
    )
    assert case.channel == Channel.WINDOW and case.requester_user is None
    assert case.requester_name == "乙县酒厂"
