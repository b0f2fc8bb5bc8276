"""The signed-in user's notices over HTTP: list, unread count, mark read."""

from datetime import datetime

from django.db.models import F
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.notices import services
from zhichan.notices.models import Notice

router = Router(tags=["notices"], auth=django_auth)


class NoticeOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    link: str
    case_id: int | None
    case_number: str
    created_at: datetime
    read_at: datetime | None


class NoticeFilters(Schema):
    unread: bool | None = Field(None, description="true: only unread; false: only read")


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


@router.get(
    "/",
    response={200: list[NoticeOut], 401: Message, 422: FieldErrors},
    summary="My notices, unread first, then newest",
)
@paginate(BoundedPagination)
def list_notices(request, filters: Query[NoticeFilters]):
    qs = Notice.objects.restrict(request.user, VIEW)
    if filters.unread is not None:
        qs = qs.filter(read_at__isnull=filters.unread)
    return qs.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")


@router.get(
    "/unread-count", response={200: UnreadOut, 401: Message}, summary="How many of my notices are unread"
)
def unread(request):
    return {"unread": services.unread_count(request.user)}


@router.post(
    "/read-all",
    response={200: MarkedOut, 400: Message, 401: Message, 403: Message},
    summary="Mark all my notices read",
)
def read_all(request):
    return {"marked": services.do_mark_all_read(request.user)}


@router.post(
    "/{notice_id}/read",
    response={200: NoticeOut, 400: Message, 401: Message, 403: Message, 404: Message, 422: FieldErrors},
    summary="Mark one of my notices read",
)
def read_one(request, notice_id: int):
    notice = get_restricted_or_404(Notice.objects.all(), request.user, CHANGE, pk=notice_id)
    return services.do_mark_read(request.user, notice)
