"""Risk diagnosis over HTTP: the questionnaire, submitting answers, one's diagnoses, asking for help."""

from datetime import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.cases.api import anyone
from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.diagnosis import services
from zhichan.diagnosis.models import Diagnosis, DiagnosisStatus, RiskLevel
from zhichan.diagnosis.questionnaire import choice_label

try:
    from ninja import Status as Reply
except ImportError:  # django-ninja before Status

    def Reply(code, body):  # noqa: N802
        return code, body


router = Router(tags=["diagnosis"])
WRITE = {400: Message, 401: Message, 403: Message, 404: Message, 422: FieldErrors}


class ChoiceOut(Schema):
    key: str
    label: str
    exclusive: bool


class ConditionOut(Schema):
    question: str
    any_of: list[str] = Field(description="the question is asked when that answer is one of these")


class QuestionOut(Schema):
    key: str
    type: str = Field(description="single, multiple, yesno or number")
    text: str
    help: str
    required: bool
    choices: list[ChoiceOut] = Field(description="empty for a number question")
    min: float | None = None
    max: float | None = None
    unit: str = ""
    integer: bool | None = None
    when: ConditionOut | None = None


class SectionOut(Schema):
    key: str
    title: str
    intro: str
    questions: list[QuestionOut]


class DimensionOut(Schema):
    key: str
    name: str
    description: str


class QuestionnaireOut(Schema):
    code: str
    version: int
    title: str
    intro: str
    levels: dict[str, float] = Field(description="the risk index from which the level is high, and medium")
    dimensions: list[DimensionOut]
    sections: list[SectionOut]


def _questionnaire_out(questionnaire) -> dict:
    d = questionnaire.definition
    sections = []
    for section in d["sections"]:
        qs = []
        for q in section["questions"]:
            qs.append(
                {
                    **{
                        k: q.get(k)
                        for k in ("key", "type", "text", "help", "required", "min", "max", "integer")
                    },
                    "unit": q.get("unit", ""),
                    "choices": [
                        {"key": c["key"], "label": choice_label(c), "exclusive": c["exclusive"]}
                        for c in q.get("choices", [])
                    ],
                    "when": {"question": q["when"]["question"], "any_of": q["when"]["in"]}
                    if q.get("when")
                    else None,
                }
            )
        sections.append({**section, "questions": qs})
    return {
        "code": d["code"],
        "version": questionnaire.version,
        "title": d["title"],
        "intro": d["intro"],
        "levels": d["levels"],
        "dimensions": d["dimensions"],
        "sections": sections,
    }


@router.get(
    "/questionnaire",
    response={200: QuestionnaireOut, 404: Message},
    summary="The questionnaire in use: sections, questions, choices and conditions",
)
def questionnaire(request):
    current = services.active_questionnaire()
    if current is None:
        return Reply(404, {"detail": "No questionnaire has been loaded yet."})
    return _questionnaire_out(current)


# --- diagnoses ----------------------------------------------------------------------------------

Answer = str | float | list[Annotated[str, Field(max_length=40)]]


class DiagnosisIn(Schema):
    answers: dict[Annotated[str, Field(max_length=40)], Answer] = Field(
        ...,
        description="question key -> choice key (single, yesno), list of choice keys (multiple) or number",
        max_length=200,
    )
    enterprise_name: str = Field("", max_length=200)
    uscc: str = Field(
        "", max_length=40, description="unified social credit code; links the registry's records"
    )
    region_code: str = Field("", max_length=20, description="the county's region code")
    draft: bool = Field(
        False, description="keep as the caller's draft (signed in only); required questions may be open"
    )
    submission_key: str | None = Field(
        None, max_length=64, description="a form token: resubmitting returns the same diagnosis"
    )


class DimensionResult(Schema):
    key: str
    name: str
    points: int
    max: int
    index: int | None = Field(description="0-100; empty when no question of the dimension was asked")
    level: str


class FindingOut(Schema):
    key: str
    dimension: str
    severity: str = Field(description="high, medium, low or info (an opportunity, no risk points)")
    weight: int
    title: str
    explanation: str
    legal_basis: list[str]
    services: list[str] = Field(description="catalogue item codes")
    source: str = Field(description="answer, or system (the enterprise's patent and trademark records)")
    detail: str = ""


class ServiceOut(Schema):
    code: str
    severity: str
    findings: list[str]


class DiagnosisOut(Schema):
    id: int | None = Field(description="empty when not stored (anonymous callers)")
    status: str
    enterprise_name: str
    uscc: str
    region_code: str | None
    submitted_at: datetime | None
    updated_at: datetime | None
    questionnaire_version: int
    answers: dict
    level: str | None
    index: int | None
    dimensions: list[DimensionResult]
    findings: list[FindingOut]
    services: list[ServiceOut]
    case_numbers: list[str]


def _out(diagnosis: Diagnosis) -> dict:
    result = diagnosis.result or {}
    return {
        "id": diagnosis.pk,
        "status": diagnosis.status,
        "enterprise_name": diagnosis.enterprise_name,
        "uscc": diagnosis.uscc,
        "region_code": diagnosis.region.code if diagnosis.region_id else None,
        "submitted_at": diagnosis.submitted_at,
        "updated_at": diagnosis.updated_at,
        "questionnaire_version": diagnosis.questionnaire.version,
        "answers": diagnosis.answers,
        "level": result.get("level"),
        "index": result.get("index"),
        "dimensions": result.get("dimensions", []),
        "findings": [{"detail": "", **f} for f in result.get("findings", [])],
        "services": result.get("services", []),
        "case_numbers": list(diagnosis.cases.values_list("number", flat=True)) if diagnosis.pk else [],
    }


@router.post(
    "/diagnoses",
    response={200: DiagnosisOut, 201: DiagnosisOut, **WRITE},
    auth=anyone,
    summary="Submit answers: the result (stored, 201, when signed in; shown only, 200, when anonymous)",
)
def submit(request, payload: DiagnosisIn):
    user = request.user
    profile = {
        "enterprise_name": payload.enterprise_name,
        "uscc": payload.uscc,
        "region": payload.region_code,
    }
    if payload.draft:
        if not user.is_authenticated:
            return Reply(401, {"detail": "Log in to save a draft."})
        diagnosis = services.do_save_draft(user, answers=payload.answers, **profile)
        return Reply(200, _out(diagnosis))
    diagnosis = services.do_submit(
        user, answers=payload.answers, submission_key=payload.submission_key, **profile
    )
    return Reply(201 if diagnosis.pk else 200, _out(diagnosis))


class DiagnosisFilter(Schema):
    status: DiagnosisStatus | None = None
    level: RiskLevel | None = None
    mine: bool = Field(False, description="only the caller's own")


@router.get(
    "/diagnoses",
    response={200: list[DiagnosisOut], 422: FieldErrors},
    summary="Diagnoses the caller may read: their own; for staff those behind their cases or county",
)
@paginate(BoundedPagination)
def list_diagnoses(request, filters: Query[DiagnosisFilter]):
    qs = Diagnosis.objects.restrict(request.user, VIEW).select_related("questionnaire", "region")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.level:
        qs = qs.filter(risk_level=filters.level)
    if filters.mine:
        qs = qs.filter(user=request.user) if request.user.is_authenticated else qs.none()
    return [_out(d) for d in qs.order_by("-updated_at", "-pk")]


@router.get("/diagnoses/{diagnosis_id}", response={200: DiagnosisOut, 404: Message, 422: FieldErrors})
def get_diagnosis(request, diagnosis_id: int):
    diagnosis = get_restricted_or_404(
        Diagnosis.objects.select_related("questionnaire", "region"), request.user, VIEW, pk=diagnosis_id
    )
    return _out(diagnosis)


class HelpIn(Schema):
    service_item_code: str = Field(
        ..., max_length=30, description="one of the diagnosis's recommended services"
    )
    note: str = Field("", max_length=2000)
    requester_name: str = Field("", max_length=100)
    requester_phone: str = Field("", max_length=30)
    requester_email: str = Field("", max_length=254)


class CaseRef(Schema):
    id: int
    number: str
    status: str
    tracking_code: str
    owner: str


@router.post(
    "/diagnoses/{diagnosis_id}/cases",
    response={201: CaseRef, **WRITE},
    auth=django_auth,
    summary="Ask for help: open a service application for a recommended service (again: the same case)",
)
def open_case(request, diagnosis_id: int, payload: HelpIn):
    diagnosis = get_restricted_or_404(Diagnosis.objects.all(), request.user, CHANGE, pk=diagnosis_id)
    data = payload.dict()
    try:
        case = services.do_open_case(
            request.user, diagnosis, service_item=data.pop("service_item_code"), **data
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "service_item" in exc.error_dict:
            raise ValidationError(
                {("service_item_code" if k == "service_item" else k): v for k, v in exc.message_dict.items()}
            ) from exc
        raise
    return Reply(
        201,
        {
            "id": case.pk,
            "number": case.number,
            "status": case.status,
            "tracking_code": case.tracking_code,
            "owner": case.owner.name,
        },
    )
