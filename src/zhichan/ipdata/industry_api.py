"""Industry definitions, their landscape figures and navigation reports over HTTP.

Definitions are private to their owner (shared ones readable by all staff); reports to whoever
asked for them. A record the caller may not see answers 404, like a missing one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, get_restricted_or_404
from zhichan.ipdata import industry_services as services
from zhichan.ipdata.models import (
    MAX_IPC_CODES,
    MAX_KEYWORD_LENGTH,
    MAX_KEYWORDS,
    IndustryDefinition,
    NavigationReport,
)
from zhichan.ipdata.search.backends.base import MAX_AGGREGATE_TOP
from zhichan.ipdata.search.query import QuerySyntaxError
from zhichan.ipdata.statistics import Landscape, landscape

router = Router(tags=["industries"])

READ = {404: Message, 422: FieldErrors}
WRITE = {400: Message, 401: Message, 404: Message, 422: FieldErrors}
IpcCode = Annotated[str, Field(min_length=1, max_length=40)]
Keyword = Annotated[str, Field(min_length=1, max_length=MAX_KEYWORD_LENGTH)]


class IndustryOut(Schema):
    id: int
    name: str
    description: str
    ipc_codes: list[str]
    keywords: list[str]
    shared: bool
    owner_id: int | None = Field(description="null: a definition of the city bundle")
    query: str = Field(description="the search query the definition stands for")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_query(obj):
        return obj.to_query()


class IndustryIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    ipc_codes: list[IpcCode] = Field(default_factory=list, max_length=MAX_IPC_CODES)
    keywords: list[Keyword] = Field(default_factory=list, max_length=MAX_KEYWORDS)
    shared: bool = False


class IndustryPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=2000)
    ipc_codes: list[IpcCode] | None = Field(None, max_length=MAX_IPC_CODES)
    keywords: list[Keyword] | None = Field(None, max_length=MAX_KEYWORDS)
    shared: bool | None = None


class YearCount(Schema):
    year: int
    counts: dict[str, int] = Field(description="patent type -> applications")


class KeyCount(Schema):
    key: str
    count: int


class CountyCount(Schema):
    code: str
    name: str
    count: int


class LandscapeOut(Schema):
    query: str
    total: int
    local_total: int
    by_year: list[YearCount]
    by_type: list[KeyCount]
    by_legal_status: list[KeyCount]
    by_county: list[CountyCount]
    by_ipc: list[KeyCount]
    top_applicants: list[KeyCount]
    top_inventors: list[KeyCount]


class LandscapeFilters(Schema):
    top: int = Field(20, ge=1, le=min(100, MAX_AGGREGATE_TOP), description="length of the top lists")


class ReportOut(Schema):
    id: int
    definition_id: int | None
    title: str
    query: str
    status: str
    progress: int
    message: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    page_url: str
    docx_url: str | None
    pdf_url: str | None

    @staticmethod
    def resolve_page_url(obj):
        return reverse("ipdata:report", args=[obj.pk])

    @staticmethod
    def resolve_docx_url(obj):
        return reverse("ipdata:report_download", args=[obj.pk, "docx"]) if obj.file else None

    @staticmethod
    def resolve_pdf_url(obj):
        return reverse("ipdata:report_download", args=[obj.pk, "pdf"]) if obj.pdf else None


def _definition(request, pk: int, action=VIEW) -> IndustryDefinition:
    return get_restricted_or_404(IndustryDefinition.objects.all(), request.user, action, pk=pk)


@router.get(
    "/industries", response={200: list[IndustryOut], 422: FieldErrors}, summary="Industry definitions"
)
@paginate(BoundedPagination)
def list_industries(request):
    return IndustryDefinition.objects.restrict(request.user, VIEW).order_by("name", "pk")


@router.post(
    "/industries", response={201: IndustryOut, **WRITE}, auth=django_auth, summary="Define an industry"
)
def create_industry(request, payload: IndustryIn):
    return Status(201, services.do_save_definition(request.user, None, payload.dict()))


@router.get(
    "/industries/{industry_id}", response={200: IndustryOut, **READ}, summary="One industry definition"
)
def get_industry(request, industry_id: int):
    return _definition(request, industry_id)


@router.patch(
    "/industries/{industry_id}",
    response={200: IndustryOut, **WRITE},
    auth=django_auth,
    summary="Change an industry definition",
)
def update_industry(request, industry_id: int, payload: IndustryPatch):
    definition = _definition(request, industry_id, CHANGE)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.do_save_definition(request.user, definition, data)


@router.delete(
    "/industries/{industry_id}",
    response={204: None, **WRITE},
    auth=django_auth,
    summary="Delete an industry definition",
)
def delete_industry(request, industry_id: int):
    services.do_delete_definition(request.user, _definition(request, industry_id, CHANGE))
    return Status(204, None)


@router.get(
    "/industries/{industry_id}/landscape",
    response={200: LandscapeOut, **READ},
    summary="Landscape figures of an industry (trend, types, legal status, IPC, counties, key players)",
)
def industry_landscape(request, industry_id: int, filters: Query[LandscapeFilters]):
    definition = _definition(request, industry_id)
    try:
        ls = landscape(definition.to_query(), top=filters.top)
    except QuerySyntaxError as exc:
        from django.core.exceptions import ValidationError

        raise ValidationError({"query": [str(exc)]}) from exc
    return landscape_out(ls)


def landscape_out(ls: Landscape) -> dict:
    """A Landscape as LandscapeOut (the industry and the search statistics endpoints)."""
    return {
        "query": ls.query,
        "total": ls.total,
        "local_total": ls.local_total,
        "by_year": [{"year": y, "counts": c} for y, c in ls.by_year],
        "by_type": [{"key": k, "count": n} for k, n in ls.by_type],
        "by_legal_status": [{"key": k, "count": n} for k, n in ls.by_legal_status],
        "by_county": [{"code": c, "name": name, "count": n} for c, name, n in ls.by_county],
        "by_ipc": [{"key": k, "count": n} for k, n in ls.by_ipc],
        "top_applicants": [{"key": k, "count": n} for k, n in ls.top_applicants],
        "top_inventors": [{"key": k, "count": n} for k, n in ls.top_inventors],
    }


@router.post(
    "/industries/{industry_id}/reports",
    response={200: ReportOut, 201: ReportOut, **WRITE},
    auth=django_auth,
    summary="Ask for a navigation report (200 with the one already queued or running)",
)
def request_report(request, industry_id: int):
    definition = _definition(request, industry_id)
    before = set(
        NavigationReport.objects.filter(definition=definition, requested_by=request.user).values_list(
            "pk", flat=True
        )
    )
    report = services.do_request_report(request.user, definition)
    return Status(200 if report.pk in before else 201, report)


@router.get("/reports", response={200: list[ReportOut], 422: FieldErrors}, summary="My navigation reports")
@paginate(BoundedPagination)
def list_reports(request):
    if not request.user.is_authenticated:
        return NavigationReport.objects.none()
    return NavigationReport.objects.restrict(request.user, VIEW).filter(requested_by=request.user)


@router.get("/reports/{report_id}", response={200: ReportOut, **READ}, summary="A navigation report's status")
def get_report(request, report_id: int):
    if not request.user.is_authenticated:
        raise PermissionDenied
    return get_restricted_or_404(NavigationReport.objects.all(), request.user, VIEW, pk=report_id)
