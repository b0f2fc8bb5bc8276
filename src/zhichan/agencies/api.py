"""The service network over HTTP: the same filters, services and access rules as the pages."""

import json
from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

try:
    from ninja import Status
except ImportError:  # django-ninja before Status: a (code, body) tuple does the same

    def Status(code, body):  # noqa: N802
        return code, body


from zhichan.agencies import services
from zhichan.agencies.coverage import compute_coverage, coverage_as_dict
from zhichan.agencies.filters import filter_agencies
from zhichan.agencies.models import Agency, AgencyType, Function, Level
from zhichan.agencies.models import Status as AgencyStatus
from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.regions.models import Region, RegionKind

router = Router(tags=["agencies"])


class AgencyOut(Schema):
    id: int
    name: str
    name_en: str
    level: str
    type: str
    status: str
    region_code: str
    parent_id: int | None
    description: str
    address: str
    lng: float | None
    lat: float | None
    opening_hours: str
    contact_person: str
    phone: str
    email: str
    website: str
    functions: list[str]
    services: list[str]
    status_changed_at: datetime | None

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_functions(obj):
        return sorted(obj.function_codes)

    @staticmethod
    def resolve_services(obj):
        return sorted(i.code for i in obj.services.all())


class AgencyCreate(Schema):
    name: str = Field(..., min_length=1, max_length=150)
    name_en: str = ""
    level: Level
    type: AgencyType
    region_code: str = Field(..., min_length=1, max_length=20)
    parent_id: int | None = None
    description: str = ""
    address: str = ""
    lng: float | None = None
    lat: float | None = None
    opening_hours: str = ""
    contact_person: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    functions: list[Function] = []
    services: list[str] = []
    status: AgencyStatus | None = Field(None, description="initial status; planned when omitted")


class AgencyPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=150)
    name_en: str | None = None
    level: Level | None = None
    type: AgencyType | None = None
    region_code: str | None = Field(None, min_length=1, max_length=20)
    parent_id: int | None = None
    description: str | None = None
    address: str | None = None
    lng: float | None = None
    lat: float | None = None
    opening_hours: str | None = None
    contact_person: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    functions: list[Function] | None = None
    services: list[str] | None = None


class AgencyFilters(Schema):
    region: str | None = Field(None, description="region code; a county includes its parks")
    service: str | None = Field(None, description="catalogue item code")
    type: AgencyType | None = None
    function: Function | None = None
    q: str | None = Field(None, description="part of the name or address")
    status: AgencyStatus | None = None


class StatusIn(Schema):
    status: AgencyStatus
    finding: str = ""


class UpgradeIn(Schema):
    type: Literal["service_centre", "workstation"] = Field(..., description="a comprehensive agency type")
    finding: str = ""


class AgencyEventOut(Schema):
    id: int
    at: datetime
    kind: str
    from_state: str
    to_state: str
    note: str
    data: dict
    actor: str | None

    @staticmethod
    def resolve_actor(obj):
        return obj.actor.username if obj.actor_id else None


class CoverageOutlet(Schema):
    id: int
    name: str
    level: str


class CoverageCell(Schema):
    function: str
    covered: bool
    outlets: list[CoverageOutlet]


class CoverageRow(Schema):
    region_code: str
    region_name: str
    kind: str
    parent_code: str | None
    functions: list[CoverageCell]
    missing: list[str]


class CoverageOut(Schema):
    city_code: str | None
    city: CoverageRow | None
    regions: list[CoverageRow]
    covered_cells: int
    total_cells: int
    percent: float


def _fields(payload: dict) -> dict:
    """API names → service names (region by code, parent by id); enums as their values."""
    for key, value in list(payload.items()):
        if isinstance(value, list):
            payload[key] = [getattr(v, "value", v) for v in value]
        else:
            payload[key] = getattr(value, "value", value)
    if "region_code" in payload:
        payload["region"] = payload.pop("region_code")
    if "parent_id" in payload:
        payload["parent"] = payload.pop("parent_id")
    return payload


def _load(pk: int) -> Agency:
    return Agency.objects.select_related("region").prefetch_related("functions", "services").get(pk=pk)


@router.get(
    "/", response={200: list[AgencyOut], 422: FieldErrors}, summary="List agencies (filters as on the finder)"
)
@paginate(BoundedPagination)
def list_agencies(request, filters: Query[AgencyFilters]):
    qs = Agency.objects.restrict(request.user, VIEW).select_related("region")
    qs = filter_agencies(qs, **filters.dict())
    return qs.prefetch_related("functions", "services").order_by("region__sort", "level", "name", "pk")


@router.post(
    "/",
    response={201: AgencyOut, 400: Message, 401: Message, 404: Message, 422: FieldErrors},
    auth=django_auth,
    summary="Register an agency",
)
def create_agency(request, payload: AgencyCreate):
    data = _fields(payload.dict())
    status = data.pop("status", None)
    agency = services.do_create_agency(request.user, status=status, **data)
    return Status(201, _load(agency.pk))


@router.get(
    "/coverage",
    response={200: CoverageOut, 404: Message, 422: FieldErrors},
    summary="Coverage of counties and parks by function",
)
def coverage(request, city: str | None = None):
    region = None
    if city:
        region = get_object_or_404(Region.objects.restrict(request.user), code=city, kind=RegionKind.CITY)
    return coverage_as_dict(compute_coverage(region))


@router.get("/{agency_id}", response={200: AgencyOut, 404: Message, 422: FieldErrors}, summary="One agency")
def get_agency(request, agency_id: int):
    agency = get_restricted_or_404(Agency.objects.all(), request.user, VIEW, pk=agency_id)
    return _load(agency.pk)


@router.patch(
    "/{agency_id}",
    response={200: AgencyOut, 400: Message, 401: Message, 404: Message, 422: FieldErrors},
    auth=django_auth,
    summary="Change an agency's details",
)
def patch_agency(request, agency_id: int, payload: AgencyPatch):
    agency = get_restricted_or_404(Agency.objects.all(), request.user, CHANGE, pk=agency_id)
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        # An all-optional schema would otherwise take any JSON value as "no change".
        raise ValidationError({"body": ["a JSON object is required"]})
    services.do_update_agency(request.user, agency, **_fields(payload.dict(exclude_unset=True)))
    return _load(agency.pk)


@router.post(
    "/{agency_id}/status",
    response={200: AgencyOut, 400: Message, 401: Message, 404: Message, 409: FieldErrors, 422: FieldErrors},
    auth=django_auth,
    summary="Change an agency's status after a review",
)
def change_status(request, agency_id: int, payload: StatusIn):
    agency = get_restricted_or_404(Agency.objects.all(), request.user, CHANGE, pk=agency_id)
    services.do_change_status(request.user, agency, str(payload.status.value), payload.finding)
    return _load(agency.pk)


@router.post(
    "/{agency_id}/upgrade",
    response={200: AgencyOut, 400: Message, 401: Message, 404: Message, 409: FieldErrors, 422: FieldErrors},
    auth=django_auth,
    summary="Upgrade a trademark brand guidance station to a comprehensive agency",
)
def upgrade(request, agency_id: int, payload: UpgradeIn):
    agency = get_restricted_or_404(Agency.objects.all(), request.user, CHANGE, pk=agency_id)
    services.do_upgrade_station(request.user, agency, payload.type, payload.finding)
    return _load(agency.pk)


@router.get(
    "/{agency_id}/events",
    response={200: list[AgencyEventOut], 404: Message, 422: FieldErrors},
    summary="An agency's history",
)
def events(request, agency_id: int):
    # The history names who did what: it is for those who manage the agency.
    agency = get_restricted_or_404(Agency.objects.all(), request.user, CHANGE, pk=agency_id)
    return agency.events.select_related("actor").order_by("at", "id")
