"""The questionnaire engine: answers checked per question, findings and risk levels."""

import pytest
from django.core.exceptions import ValidationError

from tests.diagnosis.helpers import small_definition
from zhichan.diagnosis.questionnaire import clean_answers, evaluate, level_of

LOW_RISK = {
    "mark": "yes",
    "mark_owner_ok": "yes",
    "nda": "yes",
    "measures": ["access", "marking"],
    "staff": 50,
}


def test_clean_answers_keeps_valid_ones_in_the_questionnaire_order():
    d = small_definition()
    cleaned = clean_answers(d, {**LOW_RISK, "measures": ["marking", "access"], "staff": "50"})
    assert cleaned["measures"] == ["access", "marking"]
    assert cleaned["staff"] == 50


def test_each_bad_answer_is_named_with_its_question_and_reason():
    d = small_definition()
    with pytest.raises(ValidationError) as exc:
        clean_answers(
            d,
            {"mark": "maybe", "nda": "", "measures": ["none", "access"], "staff": 0, "colour": "red"},
        )
    errors = exc.value.message_dict
    assert "是否注册商标？" in errors["mark"][0] and "not one of the choices" in errors["mark"][0]
    assert errors["nda"] == ["「签了保密协议吗？」: answer this question."]
    assert "cannot be chosen together" in errors["measures"][0]
    assert "from 1 to 1000" in errors["staff"][0]
    assert errors["colour"] == ["There is no such question."]
    # The conditional question is not asked when "mark" is not yes, so it is not required.
    assert "mark_owner_ok" not in errors


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("3.5", "whole number"),
        ("abc", "give a number"),
        (float("nan"), "give a number"),
        (True, "give a number"),
    ],
)
def test_numbers_must_be_whole_and_finite(value, reason):
    with pytest.raises(ValidationError) as exc:
        clean_answers(small_definition(), {**LOW_RISK, "staff": value})
    assert reason in exc.value.message_dict["staff"][0]


def test_conditional_question_is_required_only_when_asked_and_dropped_otherwise():
    d = small_definition()
    with pytest.raises(ValidationError) as exc:
        clean_answers(d, {k: v for k, v in LOW_RISK.items() if k != "mark_owner_ok"})
    assert list(exc.value.message_dict) == ["mark_owner_ok"]
    cleaned = clean_answers(d, {**LOW_RISK, "mark": "no"})
    assert "mark_owner_ok" not in cleaned


def test_a_draft_may_leave_questions_open_but_not_give_wrong_answers():
    d = small_definition()
    assert clean_answers(d, {"nda": "no"}, partial=True) == {"nda": "no"}
    with pytest.raises(ValidationError):
        clean_answers(d, {"nda": "perhaps"}, partial=True)


def test_no_findings_means_low_risk_and_zero_index():
    d = small_definition()
    result = evaluate(d, clean_answers(d, LOW_RISK))
    assert result["findings"] == [] and result["index"] == 0 and result["level"] == "low"
    assert [dim["index"] for dim in result["dimensions"]] == [0, 0]


def test_points_over_the_scale_of_the_asked_questions():
    d = small_definition()
    # brand scale: mark (worst 10) + mark_owner_ok asked (5) = 15; secret: nda 5 + access 2 + staff 3 = 10
    answers = clean_answers(d, {**LOW_RISK, "mark_owner_ok": "no", "nda": "no"})
    result = evaluate(d, answers)
    brand, secret = result["dimensions"]
    assert (brand["points"], brand["max"], brand["index"]) == (5, 15, 33)
    assert (secret["points"], secret["max"], secret["index"]) == (5, 10, 50)
    assert result["index"] == 40 and result["points"] == 10 and result["max"] == 25


def test_not_asked_questions_leave_the_scale():
    d = small_definition()
    answers = clean_answers(d, {**LOW_RISK, "mark": "no"})  # mark_owner_ok not asked
    brand = evaluate(d, answers)["dimensions"][0]
    assert (brand["points"], brand["max"]) == (10, 10)


def test_unselected_choices_and_number_bands_give_findings():
    d = small_definition()
    result = evaluate(d, clean_answers(d, {**LOW_RISK, "measures": ["none"], "staff": 5}))
    assert {f["key"] for f in result["findings"]} == {"no_access", "few_staff"}


def test_a_finding_given_by_two_answers_counts_once():
    d = small_definition()
    result = evaluate(d, clean_answers(d, {**LOW_RISK, "mark": "unsure"}))
    assert [f["key"] for f in result["findings"]] == ["mark_unknown"]
    assert result["dimensions"][0]["points"] == 5


@pytest.mark.parametrize(
    ("index", "level"),
    [(0, "low"), (19.9, "low"), (20, "medium"), (49.9, "medium"), (50, "high"), (100, "high")],
)
def test_level_thresholds_from_the_data(index, level):
    assert level_of(index, {"high": 50, "medium": 20}) == level


def test_each_level_reached_by_answers():
    d = small_definition(high_finding_floor="")
    low = evaluate(d, clean_answers(d, {**LOW_RISK, "staff": 5}))  # 3 of 25 points
    medium = evaluate(d, clean_answers(d, {**LOW_RISK, "mark_owner_ok": "no", "nda": "no"}))  # 10 of 25
    high = evaluate(d, clean_answers(d, {**LOW_RISK, "mark": "no", "nda": "no", "measures": ["none"]}))
    assert (low["index"], low["level"]) == (12, "low")
    assert (medium["index"], medium["level"]) == (40, "medium")
    assert high["index"] == round(100 * 17 / 20) and high["level"] == "high"


def test_a_high_finding_lifts_a_low_index_to_the_floor():
    answers = {**LOW_RISK, "mark": "no", "staff": 500}
    d = small_definition(levels={"high": 90, "medium": 60})
    floored = evaluate(d, clean_answers(d, answers))  # 10 of 20 points
    assert floored["index"] == 50 and floored["level"] == "medium"
    assert [dim["level"] for dim in floored["dimensions"]] == ["high", "low"]
    plain = small_definition(levels={"high": 90, "medium": 60}, high_finding_floor="")
    assert evaluate(plain, clean_answers(plain, answers))["level"] == "low"


def test_findings_sorted_by_severity_and_services_by_their_most_severe_reason():
    d = small_definition()
    answers = clean_answers(
        d, {**LOW_RISK, "mark": "no", "measures": ["marking"], "loan": "yes", "nda": "no"}
    )
    result = evaluate(d, answers)
    assert [f["severity"] for f in result["findings"]] == ["high", "medium", "low", "info"]
    assert [s["code"] for s in result["services"]] == ["TM-REG", "TRAINING", "PLEDGE-FIN"]


def test_an_opportunity_adds_no_points():
    d = small_definition()
    result = evaluate(d, clean_answers(d, {**LOW_RISK, "loan": "yes"}))
    assert [f["key"] for f in result["findings"]] == ["loan"] and result["index"] == 0


def test_system_checks_add_to_the_scale_and_fire_with_their_detail():
    d = small_definition()
    answers = clean_answers(d, LOW_RISK)
    quiet = evaluate(d, answers, [{"check": "marks_expiring", "key": "sys_expiring", "fired": False}])
    assert quiet["findings"] == [] and quiet["dimensions"][0]["max"] == 25
    fired = evaluate(
        d, answers, [{"check": "marks_expiring", "key": "sys_expiring", "fired": True, "detail": "A（1）"}]
    )
    (finding,) = fired["findings"]
    assert finding["source"] == "system" and finding["detail"] == "A（1）"
    assert fired["dimensions"][0]["points"] == 10
