"""Watch lists and alerts over HTTP: the same services as the pages."""

from datetime import date, datetime
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.watch import services
from zhichan.watch.models import Alert, WatchItem, WatchList

router = Router(tags=["watch lists"], auth=django_auth)
WRITE = {400: Message, 401: Message, 404: Message, 422: FieldErrors}


class WatchItemOut(Schema):
    id: int
    kind: str
    text: str
    nice_classes: list[int]
    patent_application_number: str | None
    ipc_prefixes: list[str]
    keywords: list[str]

    @staticmethod
    def resolve_patent_application_number(obj):
        return obj.patent.application_number if obj.patent_id else None


class WatchListOut(Schema):
    id: int
    name: str
    enterprise_id: int
    enterprise_name: str
    agency_id: int | None
    digest: str
    items: list[WatchItemOut]

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj.enterprise.name

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.select_related("patent"))


class WatchListIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    enterprise_id: int | None = Field(None, ge=1, le=2**31 - 1)
    digest: str = Field("daily", max_length=10)


class WatchItemIn(Schema):
    kind: str = Field(..., description="mark, patent, applicant or field", max_length=10)
    text: str = Field("", max_length=200)
    nice_classes: list[int] = Field(default_factory=list, max_length=45)
    application_number: str = Field("", max_length=30)
    ipc_prefixes: list[str] = Field(default_factory=list, max_length=50)
    keywords: list[str] = Field(default_factory=list, max_length=20)


class WatchAlertOut(Schema):
    id: int
    watch_list_id: int
    item_id: int
    kind: str
    summary: str
    detail: dict
    due: date | None
    patent_application_number: str | None
    trademark_registration_number: str | None
    created_at: datetime
    read: bool

    @staticmethod
    def resolve_patent_application_number(obj):
        return obj.patent.application_number if obj.patent_id else None

    @staticmethod
    def resolve_trademark_registration_number(obj):
        return obj.trademark.registration_number if obj.trademark_id else None

    @staticmethod
    def resolve_read(obj):
        return obj.read_at is not None


class AlertsReadIn(Schema):
    ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(..., max_length=1000)


class AlertsReadOut(Schema):
    marked: int


def _lists(user):
    return WatchList.objects.restrict(user, VIEW).select_related("enterprise")


@router.get(
    "/lists", response={200: list[WatchListOut], 401: Message, 422: FieldErrors}, summary="Watch lists"
)
@paginate(BoundedPagination)
def list_watch_lists(request):
    return _lists(request.user)


@router.post("/lists", response={201: WatchListOut, **WRITE}, summary="Create a watch list")
def create_watch_list(request, payload: WatchListIn):
    # Errors go through the API's handlers: refused values 422, not allowed 404.
    created = services.do_create_list(
        request.user, payload.name, enterprise=payload.enterprise_id, digest=payload.digest
    )
    return Status(201, created)


@router.get(
    "/lists/{list_id}",
    response={200: WatchListOut, 401: Message, 404: Message, 422: FieldErrors},
    summary="One watch list",
)
def get_watch_list(request, list_id: int):
    return get_restricted_or_404(_lists(request.user), request.user, VIEW, pk=list_id)


@router.delete("/lists/{list_id}", response={204: None, **WRITE}, summary="Delete a watch list")
def delete_watch_list(request, list_id: int):
    watch_list = get_restricted_or_404(WatchList.objects.all(), request.user, CHANGE, pk=list_id)
    services.do_delete_list(request.user, watch_list)
    return Status(204, None)


@router.post("/lists/{list_id}/items", response={201: WatchItemOut, **WRITE}, summary="Watch something more")
def add_item(request, list_id: int, payload: WatchItemIn):
    watch_list = get_restricted_or_404(WatchList.objects.all(), request.user, CHANGE, pk=list_id)
    data = payload.dict()
    kind = data.pop("kind")
    return Status(201, services.do_add_item(request.user, watch_list, kind, **data))


@router.delete("/items/{item_id}", response={204: None, **WRITE}, summary="Stop watching an item")
def remove_item(request, item_id: int):
    lists = WatchList.objects.restrict(request.user, CHANGE).values("pk")
    item = get_object_or_404(WatchItem, pk=item_id, watch_list_id__in=lists)
    services.do_remove_item(request.user, item)
    return Status(204, None)


@router.get("/alerts", response={200: list[WatchAlertOut], 401: Message, 422: FieldErrors}, summary="Alerts")
@paginate(BoundedPagination)
def list_alerts(
    request, unread: bool = False, list_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None
):
    qs = Alert.objects.restrict(request.user, VIEW).select_related("patent", "trademark")
    if unread:
        qs = qs.filter(read_at__isnull=True)
    if list_id is not None:
        qs = qs.filter(watch_list_id=list_id)
    return qs


@router.post("/alerts/read", response={200: AlertsReadOut, **WRITE}, summary="Mark alerts read")
def read_alerts(request, payload: AlertsReadIn):
    return {"marked": services.do_mark_read(request.user, payload.ids)}
