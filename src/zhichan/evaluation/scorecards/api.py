"""Indicators, scorecards, runs and hand-entered values over HTTP (mounted under /api/v1/evaluation/).

Staff read (each role its own rows of runs and values, as on the pages); the city
administrators define indicators and scorecards and run them; city, county and agency
administrators enter values by hand, which another administrator reviews.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import Http404
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, get_restricted_or_404
from zhichan.evaluation.metrics import ScopeKind
from zhichan.evaluation.models.scorecards import (
    Indicator,
    ManualValue,
    Scorecard,
    ScorecardResult,
    ScorecardRun,
)
from zhichan.evaluation.scorecards import services

router = Router(tags=["evaluation"])

READ = {401: Message, 404: Message, 422: FieldErrors}
WRITE = {401: Message, 404: Message, 409: FieldErrors, 422: FieldErrors}
# What a scorecard scores (city, county, park, agency): the enum of `level` in the schema.
LEVELS = list(ScopeKind.values)


def _staff(request):
    if not services.can_read_definitions(request.user):
        raise Http404


# --- schemas --------------------------------------------------------------------------------------


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    dimension: str = Field(description="construction, resource_supply, utilisation, quality or satisfaction")
    unit: str = Field(description="count, percent, days, yuan, hours or score")
    direction: str = Field(description="higher or lower (which is better)")
    source: str = Field(description="computed (from a metric) or manual (entered by hand and reviewed)")
    metric_code: str = Field(description="the metric a computed indicator reads; empty for manual")
    metric_available: bool = Field(description="whether the metric is available on this server")
    description: str
    active: bool

    @staticmethod
    def resolve_metric_available(obj):
        return obj.metric is not None


class IndicatorIn(Schema):
    code: str = Field(..., max_length=40, description="lower-case letters, digits and underscores")
    name: str = Field(..., max_length=120)
    dimension: str = Field(..., max_length=20)
    unit: str = Field(..., max_length=10)
    direction: str = Field(..., max_length=10)
    source: str = Field(..., max_length=10)
    metric_code: str = Field("", max_length=40)
    description: str = Field("", max_length=5000)
    active: bool = True


class IndicatorPatch(Schema):
    code: str | None = Field(None, max_length=40)
    name: str | None = Field(None, max_length=120)
    dimension: str | None = Field(None, max_length=20)
    unit: str | None = Field(None, max_length=10)
    direction: str | None = Field(None, max_length=10)
    source: str | None = Field(None, max_length=10)
    metric_code: str | None = Field(None, max_length=40)
    description: str | None = Field(None, max_length=5000)
    active: bool | None = None


class ScorecardItemOut(Schema):
    indicator_id: int
    indicator_code: str
    weight: Decimal
    rule: str = Field(description="minmax or target")
    target: Decimal | None

    @staticmethod
    def resolve_indicator_code(obj):
        return obj.indicator.code


class ScorecardOut(Schema):
    id: int
    name: str
    level: str = Field(
        description="what it scores: agency, park, county or city", json_schema_extra={"enum": LEVELS}
    )
    period_kind: str = Field(description="quarter, half or year")
    description: str
    active: bool
    items: list[ScorecardItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.select_related("indicator"))


class ScorecardItemIn(Schema):
    indicator_id: int
    weight: Decimal = Field(..., gt=0, max_digits=6, decimal_places=2)
    rule: str = Field("minmax", max_length=10)
    target: Decimal | None = Field(None, max_digits=16, decimal_places=4)


class ScorecardIn(Schema):
    name: str = Field(..., max_length=120)
    level: str = Field(..., max_length=10, description="agency, park, county or city")
    period_kind: str = Field(..., max_length=10)
    description: str = Field("", max_length=5000)
    active: bool = True
    items: list[ScorecardItemIn] = Field(..., max_length=40, description="weights add up to 100")


class ScorecardRunIn(Schema):
    period: str = Field(
        ..., max_length=10, description="2026Q3, 2026H1 or 2026, of the scorecard's period kind"
    )


class ScorecardFindingsIn(Schema):
    findings: str = Field(..., max_length=20000)


class ScorecardValueOut(Schema):
    raw: Decimal | None = Field(description="the value as computed or entered; null: missing")
    score: Decimal | None = Field(description="0–100; null when the value is missing (counts 0)")
    weighted: Decimal = Field(description="score × weight / 100")


class ScorecardResultOut(Schema):
    scope: str = Field(description="kind:id, e.g. county:12, park:15 or agency:40")
    name: str
    rank: int = Field(description="1 is best; equal totals share a rank")
    county_id: int | None = Field(description="agency runs: the county the agency lies in")
    county_rank: int | None = Field(
        description="agency runs: the rank among the agencies of its county (same tie rule); "
        "null for an agency of no county and for county and city runs"
    )
    total: Decimal
    previous_total: Decimal | None
    change: Decimal | None
    previous_rank: int | None
    missing: int = Field(description="how many items had no value")
    values: dict[str, ScorecardValueOut] = Field(description="by indicator code")
    subtotals: dict[str, Decimal] = Field(description="weighted scores added up by dimension")

    @staticmethod
    def resolve_scope(obj):
        return obj.scope_key

    @staticmethod
    def resolve_name(obj):
        return obj.scope_name

    @staticmethod
    def resolve_values(obj):
        return {
            code: {"raw": v.get("raw"), "score": v.get("score"), "weighted": v.get("weighted") or "0"}
            for code, v in obj.values.items()
        }


class ScorecardRunItemOut(Schema):
    code: str
    name: str
    dimension: str
    unit: str
    direction: str
    source: str
    metric_code: str
    weight: Decimal
    rule: str
    target: Decimal | None


class ScorecardRunOut(Schema):
    id: int
    scorecard_id: int
    scorecard: str
    period: str
    level: str = Field(description="what the run scores", json_schema_extra={"enum": LEVELS})
    status: str = Field(description="draft, published or superseded")
    computed_at: datetime
    published_at: datetime | None
    previous_id: int | None = Field(description="the run of the previous period that changes are against")
    findings: str
    warnings: list[str]
    items: list[ScorecardRunItemOut] = Field(description="the scorecard's items as they were when computed")

    @staticmethod
    def resolve_scorecard(obj):
        return obj.scorecard.name


class ScorecardRunResultsOut(ScorecardRunOut):
    results: list[ScorecardResultOut] = Field(description="the rows you may see, by rank")

    @staticmethod
    def resolve_results(obj):
        return obj.results_list


class IndicatorValueOut(Schema):
    """A value entered by hand for a manual indicator."""

    id: int
    indicator_id: int
    indicator_code: str
    scope: str
    period: str
    value: Decimal
    note: str
    status: str = Field(description="pending, approved, rejected or superseded")
    entered_by: str | None
    entered_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str
    evidence: list[str] = Field(description="file names of the evidence attached")

    @staticmethod
    def resolve_indicator_code(obj):
        return obj.indicator.code

    @staticmethod
    def resolve_scope(obj):
        return obj.scope_key

    @staticmethod
    def resolve_entered_by(obj):
        return str(obj.entered_by) if obj.entered_by_id else None

    @staticmethod
    def resolve_reviewed_by(obj):
        return str(obj.reviewed_by) if obj.reviewed_by_id else None

    @staticmethod
    def resolve_evidence(obj):
        return [e.original_name for e in obj.evidence.all()]


class IndicatorValueReviewIn(Schema):
    decision: str = Field(..., max_length=10, description="approved or rejected")
    note: str = Field("", max_length=2000, description="required when rejecting")


# --- indicators -----------------------------------------------------------------------------------


@router.get(
    "/indicators", response={200: list[IndicatorOut], **READ}, auth=django_auth, summary="List indicators"
)
@paginate(BoundedPagination)
def list_indicators(request, source: str | None = None, active: bool | None = None):
    _staff(request)
    qs = Indicator.objects.restrict(request.user, VIEW)
    if source:
        qs = qs.filter(source=source)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("dimension", "code")


@router.get(
    "/indicators/{indicator_id}",
    response={200: IndicatorOut, **READ},
    auth=django_auth,
    summary="One indicator",
)
def get_indicator(request, indicator_id: int):
    return get_restricted_or_404(Indicator.objects.all(), request.user, VIEW, pk=indicator_id)


@router.post(
    "/indicators",
    response={201: IndicatorOut, **WRITE},
    auth=django_auth,
    summary="Define an indicator (city)",
)
def create_indicator(request, payload: IndicatorIn):
    return Status(201, services.do_create_indicator(request.user, **payload.dict()))


@router.patch(
    "/indicators/{indicator_id}",
    response={200: IndicatorOut, **WRITE},
    auth=django_auth,
    summary="Change an indicator (city; what a scored indicator measures stays)",
)
def update_indicator(request, indicator_id: int, payload: IndicatorPatch):
    indicator = get_restricted_or_404(Indicator.objects.all(), request.user, CHANGE, pk=indicator_id)
    return services.do_update_indicator(request.user, indicator, **payload.dict(exclude_unset=True))


# --- scorecards and runs --------------------------------------------------------------------------


def _items(payload_items):
    return [
        {"indicator": item.indicator_id, "weight": item.weight, "rule": item.rule, "target": item.target}
        for item in payload_items
    ]


@router.get(
    "/scorecards", response={200: list[ScorecardOut], **READ}, auth=django_auth, summary="List scorecards"
)
@paginate(BoundedPagination)
def list_scorecards(request, level: str | None = None):
    _staff(request)
    qs = Scorecard.objects.restrict(request.user, VIEW)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("level", "name", "pk")


@router.get(
    "/scorecards/{scorecard_id}",
    response={200: ScorecardOut, **READ},
    auth=django_auth,
    summary="One scorecard",
)
def get_scorecard(request, scorecard_id: int):
    return get_restricted_or_404(Scorecard.objects.all(), request.user, VIEW, pk=scorecard_id)


@router.post(
    "/scorecards",
    response={201: ScorecardOut, **WRITE},
    auth=django_auth,
    summary="Define a scorecard (city; weights add up to 100)",
)
def create_scorecard(request, payload: ScorecardIn):
    data = payload.dict()
    data["items"] = _items(payload.items)
    return Status(201, services.do_create_scorecard(request.user, **data))


@router.put(
    "/scorecards/{scorecard_id}",
    response={200: ScorecardOut, **WRITE},
    auth=django_auth,
    summary="Change a scorecard (city; runs made keep their items)",
)
def update_scorecard(request, scorecard_id: int, payload: ScorecardIn):
    scorecard = get_restricted_or_404(Scorecard.objects.all(), request.user, CHANGE, pk=scorecard_id)
    data = payload.dict()
    data["items"] = _items(payload.items)
    return services.do_update_scorecard(request.user, scorecard, **data)


def _run_out(request, run: ScorecardRun):
    run = ScorecardRun.objects.select_related("scorecard").get(pk=run.pk)
    run.results_list = list(
        ScorecardResult.objects.restrict(request.user, VIEW).filter(run=run).order_by("rank", "scope_name")
    )
    return run


@router.post(
    "/scorecards/{scorecard_id}/runs",
    response={201: ScorecardRunResultsOut, **WRITE},
    auth=django_auth,
    summary="Run a scorecard for a period (a draft of that period is recomputed)",
)
def create_run(request, scorecard_id: int, payload: ScorecardRunIn):
    scorecard = get_restricted_or_404(Scorecard.objects.all(), request.user, CHANGE, pk=scorecard_id)
    run = services.do_run(request.user, scorecard, payload.period)
    return Status(201, _run_out(request, run))


@router.get("/runs", response={200: list[ScorecardRunOut], **READ}, auth=django_auth, summary="List runs")
@paginate(BoundedPagination)
def list_runs(request, scorecard_id: int | None = None, period: str | None = None):
    _staff(request)
    qs = ScorecardRun.objects.restrict(request.user, VIEW).select_related("scorecard")
    if scorecard_id is not None:
        qs = qs.filter(scorecard_id=scorecard_id)
    if period:
        qs = qs.filter(period=period.strip().upper())
    return qs.order_by("-period", "-computed_at", "-pk")


def _run(request, run_id, action=VIEW):
    return get_restricted_or_404(ScorecardRun.objects.all(), request.user, action, pk=run_id)


@router.get(
    "/runs/{run_id}",
    response={200: ScorecardRunResultsOut, **READ},
    auth=django_auth,
    summary="A run with its results (the rows you may see)",
)
def get_run(request, run_id: int):
    return _run_out(request, _run(request, run_id))


@router.put(
    "/runs/{run_id}/findings",
    response={200: ScorecardRunResultsOut, **WRITE},
    auth=django_auth,
    summary="Write the findings of a draft run",
)
def set_findings(request, run_id: int, payload: ScorecardFindingsIn):
    run = services.do_set_findings(request.user, _run(request, run_id, CHANGE), payload.findings)
    return _run_out(request, run)


@router.post(
    "/runs/{run_id}/publish",
    response={200: ScorecardRunResultsOut, **WRITE},
    auth=django_auth,
    summary="Publish a draft run (it is frozen from then on)",
)
def publish_run(request, run_id: int):
    run = services.do_publish_run(request.user, _run(request, run_id, CHANGE))
    return _run_out(request, run)


# --- manual values --------------------------------------------------------------------------------


def _value(pk):
    return ManualValue.objects.select_related("indicator", "entered_by", "reviewed_by").get(pk=pk)


@router.get(
    "/manual-values",
    response={200: list[IndicatorValueOut], **READ},
    auth=django_auth,
    summary="Values entered by hand",
)
@paginate(BoundedPagination)
def list_values(request, status: str | None = None, to_review: bool = False):
    _staff(request)
    if to_review:
        qs = services.review_queue(request.user)
    else:
        qs = ManualValue.objects.restrict(request.user, VIEW).select_related(
            "indicator", "entered_by", "reviewed_by"
        )
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related("evidence").order_by("-entered_at", "-pk")


@router.post(
    "/manual-values",
    response={200: IndicatorValueOut, 201: IndicatorValueOut, **WRITE},
    auth=django_auth,
    summary="Enter a value of a manual indicator with its evidence (multipart; the same again: 200)",
)
def enter_value(
    request,
    indicator_id: Form[int],
    scope: Form[str],
    period: Form[str],
    value: Form[str],
    evidence: File[list[UploadedFile]],
    note: Form[str] = "",
):
    if not services.can_enter_values(request.user):
        raise PermissionDenied
    record, created = services.do_enter_manual_value(
        request.user, indicator_id, scope, period, value, note, evidence
    )
    return Status(201 if created else 200, _value(record.pk))


@router.post(
    "/manual-values/{value_id}/review",
    response={200: IndicatorValueOut, **WRITE},
    auth=django_auth,
    summary="Approve or reject a value entered by someone else",
)
def review_value(request, value_id: int, payload: IndicatorValueReviewIn):
    record = get_restricted_or_404(ManualValue.objects.all(), request.user, CHANGE, pk=value_id)
    services.do_review_manual_value(request.user, record, payload.decision, payload.note)
    return _value(record.pk)
