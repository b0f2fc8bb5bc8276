"""Patent and trademark records over HTTP: imports (administrators), records by number (everyone)."""

from datetime import date, datetime

from django.http import Http404
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import VIEW, PermissionDenied, get_restricted_or_404
from zhichan.ipdata import services
from zhichan.ipdata.industry_api import router as industry_router
from zhichan.ipdata.models import ImportJob, Patent, Trademark
from zhichan.ipdata.numbers import NumberError, parse_application_number
from zhichan.ipdata.search_api import router as search_router

router = Router(tags=["ipdata"])
WRITE = {400: Message, 401: Message, 403: Message, 404: Message, 422: FieldErrors}


class ImportJobOut(Schema):
    id: int
    kind: str
    original_name: str
    status: str
    total_rows: int | None
    processed_rows: int
    created_count: int
    updated_count: int
    unchanged_count: int
    error_count: int
    merged_count: int  # rows whose number an earlier row of the file had
    message: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None
    file_removed_at: datetime | None
    started_by: str | None
    errors_csv: str

    @staticmethod
    def resolve_started_by(obj):
        return obj.created_by.username if obj.created_by_id else None

    @staticmethod
    def resolve_errors_csv(obj):
        from django.urls import reverse

        return reverse("ipdata:import_errors_csv", args=[obj.pk])


class RowErrorOut(Schema):
    row: int
    field: str
    message: str
    value: str


class EnterpriseRef(Schema):
    id: int
    name: str
    uscc: str | None


class PatentOut(Schema):
    application_number: str
    application_date: date | None
    publication_number: str
    publication_date: date | None
    grant_number: str
    grant_date: date | None
    patent_type: str
    title: str
    abstract: str
    claims: str
    applicants: list[str]
    first_applicant: str
    inventors: list[str]
    address: str
    ipc_codes: list[str]
    main_ipc: str
    legal_status: str
    legal_status_text: str
    agency: str
    agents: list[str]
    region_code: str | None
    enterprises: list[EnterpriseRef]

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code if obj.region_id else None

    @staticmethod
    def resolve_enterprises(obj):
        return list(obj.enterprises.order_by("name"))


class TrademarkOut(Schema):
    registration_number: str
    name: str
    nice_class: int
    similar_groups: list[str]
    goods: str
    application_date: date | None
    publication_date: date | None
    registration_date: date | None
    expiry_date: date | None
    applicants: list[str]
    first_applicant: str
    address: str
    agency: str
    status: str
    status_text: str
    region_code: str | None
    enterprises: list[EnterpriseRef]

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code if obj.region_id else None

    @staticmethod
    def resolve_enterprises(obj):
        return list(obj.enterprises.order_by("name"))


# --- imports ----------------------------------------------------------------------------------


@router.post(
    "/imports",
    response={201: ImportJobOut, **WRITE},
    auth=django_auth,
    summary="Start an import (city or county administrators); the worker runs it",
    description="`kind` is patent_table, patent_xml or trademark_table; empty: told from the file.",
)
def start_import(request, file: File[UploadedFile], kind: Form[str] = ""):
    job = services.do_start_import(request.user, kind.replace("\x00", "")[:40], file, file.name or "")
    return Status(201, job)


@router.get(
    "/imports", response={200: list[ImportJobOut], 422: FieldErrors}, summary="Import jobs the caller may see"
)
@paginate(BoundedPagination)
def list_imports(request):
    return (
        ImportJob.objects.restrict(request.user, VIEW)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def _job(request, job_id: int) -> ImportJob:
    if not request.user.is_authenticated:
        raise PermissionDenied
    return get_restricted_or_404(
        ImportJob.objects.select_related("created_by"), request.user, VIEW, pk=job_id
    )


@router.get(
    "/imports/{job_id}", response={200: ImportJobOut, 404: Message, 422: FieldErrors}, summary="An import job"
)
def get_import(request, job_id: int):
    return _job(request, job_id)


@router.get(
    "/imports/{job_id}/errors",
    response={200: list[RowErrorOut], 404: Message, 422: FieldErrors},
    summary="An import job's refused rows",
)
@paginate(BoundedPagination)
def import_errors(request, job_id: int):
    return _job(request, job_id).row_errors.order_by("row", "pk")


# --- records ----------------------------------------------------------------------------------


@router.get(
    "/patents/{number}",
    response={200: PatentOut, 404: Message, 422: FieldErrors},
    summary="A patent by application number (any written form)",
)
def get_patent(request, number: str):
    try:
        canonical = parse_application_number(number.replace("\x00", ""))
    except NumberError as exc:
        raise Http404 from exc
    return get_restricted_or_404(
        Patent.objects.select_related("region"), request.user, VIEW, application_number=canonical
    )


@router.get(
    "/trademarks/{number}",
    response={200: TrademarkOut, 404: Message, 422: FieldErrors},
    summary="A trademark by registration number",
)
def get_trademark(request, number: str):
    number = number.replace("\x00", "").strip().upper()[:20]
    return get_restricted_or_404(
        Trademark.objects.select_related("region"), request.user, VIEW, registration_number=number
    )


# Industry definitions, landscapes and navigation reports: their own module, the same prefix.
router.add_router("", industry_router)
router.add_router("", search_router)
