"""The fair registry over HTTP (read-only; administrators edit it in the admin)."""

from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import paginate

from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import VIEW, get_restricted_or_404
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
    accept_hours: int
    decide_hours: int
    running: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

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
