"""Surveys over HTTP: open surveys to read and answer (anonymously); results for their administrators."""

from datetime import date
from typing import Any

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.core.api import BoundedPagination, FieldErrors, Message, anyone
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.surveys import results as survey_results
from zhichan.surveys import services
from zhichan.surveys.models import Survey
from zhichan.surveys.views import browser_token, set_browser_token

router = Router(tags=["surveys"])


class SurveyOptionOut(Schema):
    id: int
    text: str


class SurveyQuestionOut(Schema):
    id: int
    kind: str = Field(description="single, multiple, scale (1–5) or text")
    text: str
    help_text: str
    required: bool
    options: list[SurveyOptionOut]

    @staticmethod
    def resolve_options(obj):
        return list(obj.options.all())


class SurveyOut(Schema):
    id: int
    title: str
    intro: str
    opens_on: date
    closes_on: date
    audience: str = Field(description="public, enterprises (login required) or everyone")
    region_code: str
    region: str
    city_wide: bool
    ask_county: bool = Field(description="whether a response may name the respondent's county")
    status: str = Field(description="draft, open or closed")
    accepting: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region(obj):
        return obj.region.display_name

    @staticmethod
    def resolve_accepting(obj):
        return obj.accepting()


class SurveyDetailOut(SurveyOut):
    questions: list[SurveyQuestionOut]
    counties: list[dict[str, Any]] = Field(description="the counties a response may name: {id, name}")

    @staticmethod
    def resolve_questions(obj):
        return list(obj.questions.prefetch_related("options"))

    @staticmethod
    def resolve_counties(obj):
        if not obj.ask_county:
            return []
        return [{"id": c.pk, "name": c.display_name} for c in services.county_choices(obj)]


class SurveyAnswersIn(Schema):
    answers: dict[str, int | str | list[int]] = Field(
        ...,
        description="question id → option id (single), list of option ids (multiple), 1–5 (scale) or text",
    )
    county: int | None = Field(None, description="the respondent's county (surveys that ask for it)")


class SurveyReceiptOut(Schema):
    survey_id: int
    submitted_on: date
    message: str


class SurveyOptionResultOut(Schema):
    label: str
    count: int
    share: float | None = Field(description="percent of the question's answers")


class SurveyQuestionResultOut(Schema):
    id: int
    number: int
    kind: str
    text: str
    answered: int
    options: list[SurveyOptionResultOut]
    mean: float | None
    satisfaction_rate: float | None = Field(description="percent of answers 4–5 (scale questions)")
    texts: list[str]


class SurveyResultsOut(Schema):
    survey_id: int
    responses: int
    satisfaction_rate: float | None
    questions: list[SurveyQuestionResultOut]


def _surveys():
    return Survey.objects.select_related("region")


def _f(value):
    return float(value) if value is not None else None


@router.get("/", response={200: list[SurveyOut], 422: FieldErrors}, summary="Surveys open for answers")
@paginate(BoundedPagination)
def list_surveys(request):
    return _surveys().restrict(request.user, VIEW).accepting().order_by("closes_on", "pk")


@router.get(
    "/{survey_id}",
    response={200: SurveyDetailOut, 404: Message, 422: FieldErrors},
    summary="One survey with its questions",
)
def get_survey(request, survey_id: int):
    return get_restricted_or_404(_surveys(), request.user, VIEW, pk=survey_id)


@router.post(
    "/{survey_id}/responses",
    response={201: SurveyReceiptOut, 403: Message, 404: Message, 422: FieldErrors},
    auth=anyone,
    summary="Answer a survey (anonymous; once per browser cookie or signed-in user)",
)
def submit(request, survey_id: int, payload: SurveyAnswersIn, response: HttpResponse):
    survey = get_restricted_or_404(_surveys(), request.user, VIEW, pk=survey_id)
    token = browser_token(request, survey)
    fresh = token is None
    if fresh:
        token = services.new_browser_token()
    recorded = services.do_submit(
        survey, payload.answers, user=request.user, browser_token=token, county=payload.county
    )
    if fresh:
        set_browser_token(response, survey, token)
    return Status(
        201,
        {"survey_id": survey.pk, "submitted_on": recorded.submitted_on, "message": "recorded"},
    )


@router.get(
    "/{survey_id}/results",
    response={200: SurveyResultsOut, 401: Message, 404: Message, 422: FieldErrors},
    auth=django_auth,
    summary="A survey's results (its administrators)",
)
def results(request, survey_id: int):
    survey = get_restricted_or_404(_surveys(), request.user, CHANGE, pk=survey_id)
    res = survey_results.results(survey)
    return {
        "survey_id": survey.pk,
        "responses": res.responses,
        "satisfaction_rate": _f(res.satisfaction_rate),
        "questions": [
            {
                "id": q.question.pk,
                "number": q.number,
                "kind": q.kind,
                "text": q.question.text,
                "answered": q.answered,
                "options": [{"label": o.label, "count": o.count, "share": _f(o.share)} for o in q.options],
                "mean": _f(q.mean),
                "satisfaction_rate": _f(q.satisfaction_rate),
                "texts": q.texts,
            }
            for q in res.questions
        ],
    }
