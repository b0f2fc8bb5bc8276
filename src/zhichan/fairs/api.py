"""The fair registry over HTTP: open reads; administrators register and change fairs."""

from datetime import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.core.api import AuditEntryOut, BoundedPagination, FieldErrors, Message
from zhichan.core.models import AuditEntry
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, get_restricted_or_404
from zhichan.fairs import services
from zhichan.fairs.models import Fair

router = Router(tags=["fairs"])


class FairOut(Schema):
    id: int
    name: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    organiser: str
    region_code: str
    workstation_id: int | None
    staff_ids: list[int]
    accept_hours: int
    decide_hours: int
    running: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_staff_ids(obj):
        return sorted(obj.staff.values_list("pk", flat=True))

    @staticmethod
    def resolve_running(obj):
        return obj.is_running()


@router.get("/", response={200: list[FairOut], 422: FieldErrors}, summary="List trade fairs")
@paginate(BoundedPagination)
def list_fairs(request, running: bool | None = None):
    qs = Fair.objects.restrict(request.user, VIEW).select_related("region")
    if running:
        qs = qs.running()
    return qs.order_by("-starts_at", "pk")


@router.get("/{fair_id}", response={200: FairOut, 404: Message, 422: FieldErrors}, summary="One trade fair")
def get_fair(request, fair_id: int):
    return get_restricted_or_404(Fair.objects.select_related("region"), request.user, VIEW, pk=fair_id)


WRITE = {400: Message, 401: Message, 404: Message, 422: FieldErrors}
API_NAMES = {"region": "region_code", "workstation": "workstation_id", "staff": "staff_ids"}

UserId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class FairIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    starts_at: datetime
    ends_at: datetime
    venue: str = Field("", max_length=255)
    organiser: str = Field("", max_length=200)
    region_code: str = Field(..., min_length=1, max_length=20)
    workstation_id: int | None = Field(None, ge=1, le=2**31 - 1)
    staff_ids: list[UserId] = Field(default_factory=list, max_length=100)
    accept_hours: int = Field(..., ge=1, le=services.MAX_HOURS)
    decide_hours: int = Field(..., ge=1, le=services.MAX_HOURS)


class FairPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    venue: str | None = Field(None, max_length=255)
    organiser: str | None = Field(None, max_length=200)
    region_code: str | None = Field(None, min_length=1, max_length=20)
    workstation_id: int | None = Field(None, ge=1, le=2**31 - 1)
    staff_ids: list[UserId] | None = Field(None, max_length=100)
    accept_hours: int | None = Field(None, ge=1, le=services.MAX_HOURS)
    decide_hours: int | None = Field(None, ge=1, le=services.MAX_HOURS)


def _records(data: dict) -> dict:
    """API names (codes and ids) to records; unknown ones are refused at their field."""
    from zhichan.accounts.models import User
    from zhichan.agencies.models import Agency
    from zhichan.regions.models import Region

    errors = {}
    if "region_code" in data:
        code = (data.pop("region_code") or "").replace("\x00", "")
        data["region"] = Region.objects.filter(code=code).first()
        if data["region"] is None:
            errors["region_code"] = ["unknown region code"]
    if "workstation_id" in data:
        pk = data.pop("workstation_id")
        data["workstation"] = Agency.objects.filter(pk=pk).first() if pk else None
        if pk and data["workstation"] is None:
            errors["workstation_id"] = ["unknown agency"]
    if "staff_ids" in data:
        ids = set(data.pop("staff_ids") or [])
        data["staff"] = list(User.objects.filter(pk__in=ids))
        if len(data["staff"]) != len(ids):
            errors["staff_ids"] = ["unknown user"]
    if errors:
        raise ValidationError(errors)
    return data


def _run(action):
    try:
        return action()
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {API_NAMES.get(field, field): messages for field, messages in exc.message_dict.items()}
        ) from exc


@router.post("/", response={201: FairOut, **WRITE}, auth=django_auth, summary="Register a trade fair")
def create_fair(request, payload: FairIn):
    if not services.can_edit_fairs(request.user):
        raise PermissionDenied
    data = _records(payload.dict())
    fair = _run(lambda: services.do_create_fair(request.user, **data))
    return Status(201, Fair.objects.select_related("region").get(pk=fair.pk))


@router.patch("/{fair_id}", response={200: FairOut, **WRITE}, auth=django_auth, summary="Change a trade fair")
def update_fair(request, fair_id: int, payload: FairPatch):
    fair = get_restricted_or_404(Fair.objects.all(), request.user, CHANGE, pk=fair_id)
    data = _records(payload.dict(exclude_unset=True))
    fair = _run(lambda: services.do_update_fair(request.user, fair, **data))
    return Fair.objects.select_related("region").get(pk=fair.pk)


@router.get(
    "/{fair_id}/history",
    response={200: list[AuditEntryOut], 404: Message, 422: FieldErrors},
    summary="A fair's change history (for those who may change the fair)",
)
@paginate(BoundedPagination)
def fair_history(request, fair_id: int):
    fair = get_restricted_or_404(Fair.objects.all(), request.user, CHANGE, pk=fair_id)
    return (
        AuditEntry.objects.restrict(request.user, VIEW)
        .for_object(fair)
        .select_related("actor", "content_type")
    )
