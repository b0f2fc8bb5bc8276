"""Survey services: creating, questions, the draft → open → closed transitions, and answering."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.surveys.conftest import good_answers, qs
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import PermissionDenied
from zhichan.surveys import services
from zhichan.surveys.models import Answer, AnswerKey, Question, Response, Survey, SurveyLog

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def fields(world, **overrides):
    data = {
        "title": "2026年第四季度公共服务满意度调查",
        "intro": "",
        "opens_on": TODAY(),
        "closes_on": TODAY() + dt.timedelta(days=20),
        "audience": "everyone",
        "region": world.city,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "role, region, allowed",
    [
        ("city_admin", "city", True),
        ("city_admin", "county_b", True),
        ("county_admin_a", "county_a", True),
        ("county_admin_a", "county_b", False),
        ("county_admin_a", "city", False),
    ],
)
def test_who_creates_a_survey_for_which_region(world, role, region, allowed):
    user = getattr(world.users, role)
    if allowed:
        survey = services.do_create_survey(user, **fields(world, region=getattr(world, region)))
        assert survey.status == "draft"
        assert list(survey.log.values_list("kind", "to_state")) == [("created", "draft")]
    else:
        with pytest.raises(ValidationError) as info:
            services.do_create_survey(user, **fields(world, region=getattr(world, region)))
        assert "region" in info.value.message_dict
        assert not Survey.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "public", "enterprise", "staff_a", "agency_admin_a"])
def test_others_cannot_create_surveys(world, role):
    with pytest.raises(PermissionDenied):
        services.do_create_survey(getattr(world.users, role), **fields(world))
    assert not Survey.objects.exists()


def test_bad_survey_fields_are_named(world):
    with pytest.raises(ValidationError) as info:
        services.do_create_survey(
            world.users.city_admin,
            **fields(world, title=" ", audience="martians", closes_on=TODAY() - dt.timedelta(days=1)),
        )
    assert set(info.value.message_dict) == {"title", "audience", "closes_on"}
    with pytest.raises(ValidationError) as info:
        services.do_create_survey(
            world.users.city_admin, **fields(world, region=world.county_a, ask_county=True)
        )
    assert "ask_county" in info.value.message_dict


def test_questions_then_open_then_close_with_a_log(world):
    admin = world.users.city_admin
    survey = services.do_create_survey(admin, **fields(world))
    with pytest.raises(ValidationError) as info:
        services.do_open_survey(admin, survey)
    assert "questions" in info.value.message_dict
    question = services.do_add_question(admin, survey, kind="single", text="渠道", options="网站\n窗口\n")
    assert list(question.options.values_list("text", flat=True)) == ["网站", "窗口"]
    services.do_add_question(admin, survey, kind="scale", text="满意度")
    services.do_open_survey(admin, survey)
    survey.refresh_from_db()
    assert survey.status == "open"
    with pytest.raises(TransitionError):
        services.do_open_survey(admin, survey)
    services.do_close_survey(admin, survey)
    with pytest.raises(TransitionError):
        services.do_close_survey(admin, survey)
    with pytest.raises(TransitionError):
        services.do_open_survey(admin, survey)
    with pytest.raises(TransitionError):
        services.do_update_survey(admin, survey, title="新标题")
    kinds = list(SurveyLog.objects.filter(survey=survey).values_list("kind", "from_state", "to_state"))
    assert kinds == [
        ("created", "", "draft"),
        ("question_added", "", ""),
        ("question_added", "", ""),
        ("opened", "draft", "open"),
        ("closed", "open", "closed"),
    ]


def test_question_refusals(world):
    admin = world.users.city_admin
    survey = services.do_create_survey(admin, **fields(world))
    with pytest.raises(ValidationError) as info:
        services.do_add_question(admin, survey, kind="single", text="只有一个选项", options=["唯一"])
    assert "options" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.do_add_question(admin, survey, kind="scale", text="", options=["不该有"])
    assert set(info.value.message_dict) == {"text", "options"}
    with pytest.raises(ValidationError) as info:
        services.do_add_question(admin, survey, kind="essay", text="什么")
    assert "kind" in info.value.message_dict
    assert not Question.objects.exists()


def test_a_survey_with_answers_keeps_its_questions(world, survey):
    admin = world.users.city_admin
    services.do_submit(survey, good_answers(survey), browser_token="t1")
    first = qs(survey)[0]
    for action in (
        lambda: services.do_add_question(admin, survey, kind="text", text="再问一个"),
        lambda: services.do_remove_question(admin, first),
        lambda: services.do_move_question(admin, first, 1),
    ):
        with pytest.raises(TransitionError, match="has answers"):
            action()
    assert survey.questions.count() == 4
    with pytest.raises(ValidationError) as info:
        services.do_update_survey(admin, survey, region=world.county_a)
    assert "region" in info.value.message_dict
    services.do_update_survey(admin, survey, title="改个标题")  # the wording may still change
    survey.refresh_from_db()
    assert survey.title == "改个标题"


def test_move_and_remove_questions_while_no_answers(world, survey):
    admin = world.users.city_admin
    single, multiple, scale, text = qs(survey)
    services.do_move_question(admin, text, -1)
    assert [q.pk for q in qs(survey)] == [single.pk, multiple.pk, text.pk, scale.pk]
    services.do_remove_question(admin, multiple)
    assert [q.pk for q in qs(survey)] == [single.pk, text.pk, scale.pk]


def test_county_admin_cannot_change_another_countys_survey(world, make):
    other = make(region=world.county_b, status="draft")
    for action in (
        lambda: services.do_open_survey(world.users.county_admin_a, other),
        lambda: services.do_update_survey(world.users.county_admin_a, other, title="x"),
        lambda: services.do_add_question(world.users.county_admin_a, other, kind="text", text="x"),
    ):
        with pytest.raises(PermissionDenied):
            action()
    other.refresh_from_db()
    assert other.status == "draft" and other.title != "x"
    services.do_open_survey(world.users.county_admin_b, other)


# --- answering --------------------------------------------------------------------------------


def test_an_answer_is_stored_without_the_person(world, survey):
    response = services.do_submit(
        survey, good_answers(survey, scale=4), user=world.users.public, browser_token="tok"
    )
    assert response.submitted_on == TODAY()
    single, multiple, scale, text = qs(survey)
    answers = {a.question_id: a for a in response.answers.all()}
    assert answers[single.pk].options.count() == 1 and answers[multiple.pk].options.count() == 2
    assert answers[scale.pk].scale == 4 and answers[text.pk].text == "窗口服务很好"
    # Two keys (the browser's and the user's), neither of which is the token or the user id.
    keys = list(AnswerKey.objects.values_list("key", flat=True))
    assert len(keys) == 2 and all(len(k) == 64 for k in keys)
    assert "tok" not in keys and str(world.users.public.pk) not in keys


def test_the_answer_tables_have_no_reference_to_a_person():
    from django.conf import settings

    user_model = settings.AUTH_USER_MODEL.lower()
    for model in (Response, Answer, AnswerKey):
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            if related is not None:
                assert related._meta.label_lower != user_model, f"{model.__name__}.{field.name}"
                # No table leads from a response to a key or back.
                assert {model, related} != {Response, AnswerKey}
            assert not any(word in field.name for word in ("user", "ip", "name", "phone", "email", "agent"))
    names = {f.name for f in Response._meta.get_fields()}
    assert "submitted_on" in names and "created_at" not in names and "submitted_at" not in names
    assert AnswerKey._meta.pk.get_internal_type() == "UUIDField"
    assert not [
        f for f in AnswerKey._meta.get_fields() if f.get_internal_type() in ("DateTimeField", "DateField")
    ]


def test_the_same_browser_answers_once(world, survey):
    services.do_submit(survey, good_answers(survey), browser_token="same")
    with pytest.raises(ValidationError) as info:
        services.do_submit(survey, good_answers(survey, scale=1), browser_token="same")
    assert "already answered" in info.value.message_dict["survey"][0]
    assert Response.objects.count() == 1
    services.do_submit(survey, good_answers(survey), browser_token="another browser")
    assert Response.objects.count() == 2


def test_the_same_user_answers_once_from_any_browser(world, survey):
    services.do_submit(survey, good_answers(survey), user=world.users.public, browser_token="phone")
    with pytest.raises(ValidationError):
        services.do_submit(survey, good_answers(survey), user=world.users.public, browser_token="laptop")
    assert Response.objects.count() == 1
    assert services.has_answered(survey, world.users.public, None)
    assert not services.has_answered(survey, world.users.enterprise, "laptop")


def test_a_race_of_two_submissions_keeps_one(world, survey):
    # The second passes the check (as if both ran at once) and meets the unique key.
    from unittest import mock

    services.do_submit(survey, good_answers(survey), browser_token="racer")
    with (
        mock.patch.object(services, "has_answered", return_value=False),
        pytest.raises(ValidationError) as info,
    ):
        services.do_submit(survey, good_answers(survey), browser_token="racer")
    assert "already answered" in info.value.message_dict["survey"][0]
    assert Response.objects.count() == 1 and Answer.objects.count() == 4


def test_validation_names_the_question(world, survey):
    single, multiple, scale, text = qs(survey)
    other = Question.objects.create(survey=survey, order=9, kind="single", text="别的问题", required=False)
    foreign = other.options.create(order=1, text="外来选项")
    with pytest.raises(ValidationError) as info:
        services.do_submit(
            survey,
            {single.pk: foreign.pk, multiple.pk: [999999], scale.pk: 6, text.pk: "长" * 3000},
            browser_token="v",
        )
    errors = info.value.message_dict
    assert errors[f"q{single.pk}"] == [
        "Question 1 (“您通过什么渠道了解到服务？”): choose one of its options."
    ]
    assert errors[f"q{multiple.pk}"] == ["Question 2 (“您使用过哪些服务？”): choose among its options only."]
    assert errors[f"q{scale.pk}"] == [
        "Question 3 (“您对服务态度是否满意？”): give a whole number from 1 to 5."
    ]
    assert errors[f"q{text.pk}"][0].startswith("Question 4 (“您的建议”): At most 2000 characters")
    with pytest.raises(ValidationError) as info:
        services.do_submit(survey, {multiple.pk: [multiple.options.first().pk]}, browser_token="v")
    errors = info.value.message_dict
    assert errors[f"q{single.pk}"] == ["Question 1 (“您通过什么渠道了解到服务？”) needs an answer."]
    assert errors[f"q{scale.pk}"] == ["Question 3 (“您对服务态度是否满意？”) needs an answer."]
    assert f"q{text.pk}" not in errors  # optional
    with pytest.raises(ValidationError) as info:
        services.do_submit(survey, {**good_answers(survey), "12345678": "x"}, browser_token="v")
    assert "answers" in info.value.message_dict
    assert not Response.objects.exists() and not AnswerKey.objects.exists()


def test_answers_only_while_open_and_for_the_audience(world, make):
    draft = make(status="draft")
    with pytest.raises(PermissionDenied):
        services.do_submit(draft, good_answers(draft), browser_token="a")
    closed = make(status="closed")
    with pytest.raises(ValidationError, match="not open"):
        services.do_submit(closed, good_answers(closed), browser_token="a")
    ended = make(closes_on=TODAY() - dt.timedelta(days=1), opens_on=TODAY() - dt.timedelta(days=9))
    with pytest.raises(ValidationError, match="not open"):
        services.do_submit(ended, good_answers(ended), browser_token="a")
    firms = make(audience="enterprises")
    with pytest.raises(ValidationError, match="This survey is for"):
        services.do_submit(firms, good_answers(firms), browser_token="a")
    with pytest.raises(ValidationError):
        services.do_submit(firms, good_answers(firms), user=world.users.public, browser_token="a")
    services.do_submit(firms, good_answers(firms), user=world.users.enterprise, browser_token="a")
    public = make(audience="public")
    services.do_submit(public, good_answers(public), browser_token="b")
    with pytest.raises(ValidationError):
        services.do_submit(public, good_answers(public), user=world.users.enterprise, browser_token="c")
    with pytest.raises(ValidationError, match="cookies"):
        services.do_submit(public, good_answers(public))
    assert Response.objects.count() == 2


def test_the_respondents_county(world, make):
    survey = make(ask_county=True)
    response = services.do_submit(
        survey, good_answers(survey), browser_token="a", county=str(world.county_b.pk)
    )
    assert response.county == world.county_b
    with pytest.raises(ValidationError) as info:
        services.do_submit(survey, good_answers(survey), browser_token="b", county=world.park_a.pk)
    assert "county" in info.value.message_dict
    county_survey = make(region=world.county_a)
    with pytest.raises(ValidationError) as info:
        services.do_submit(
            county_survey, good_answers(county_survey), browser_token="c", county=world.county_a.pk
        )
    assert "county" in info.value.message_dict
