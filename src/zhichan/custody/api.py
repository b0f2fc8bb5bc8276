"""Custodies over HTTP: list and read what the caller may see, the deadline calendar, actions."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.custody import services
from zhichan.custody.models import ActionKind, Custody, CustodyAction
from zhichan.watch.api import DeadlineOut, out

router = Router(tags=["custody"], auth=django_auth)


class CustodyOut(Schema):
    id: int
    agency_id: int
    agency_name: str
    enterprise_id: int
    enterprise_name: str
    starts_on: dt.date
    ends_on: dt.date | None
    status: str
    patents: list[str]
    trademarks: list[str]

    @staticmethod
    def resolve_agency_name(obj):
        return obj.agency.name

    @staticmethod
    def resolve_enterprise_name(obj):
        return obj.enterprise.name

    @staticmethod
    def resolve_patents(obj):
        return sorted(p.application_number for p in obj.patents.all())

    @staticmethod
    def resolve_trademarks(obj):
        return sorted(t.registration_number for t in obj.trademarks.all())


class CalendarEntryOut(DeadlineOut):
    action: str | None = Field(None, description="fee_paid, renewed or abandoned when recorded")
    done_on: dt.date | None = None


class CalendarFilter(Schema):
    start: dt.date | None = Field(None, description="first due date (default: today)")
    end: dt.date | None = Field(None, description="last due date (default: a year after start)")


class ActionOut(Schema):
    id: int
    right_key: str
    deadline_key: str
    deadline_kind: str
    due: dt.date
    action: str
    done_on: dt.date
    note: str
    actor_id: int | None


class ActionIn(Schema):
    right_key: str = Field(
        ..., min_length=1, max_length=40, description='"patent:<number>" or "trademark:<number>"'
    )
    deadline_key: str = Field(..., min_length=1, max_length=40)
    action: ActionKind
    done_on: dt.date
    note: str = Field("", max_length=services.MAX_NOTE)


def _custody(request, custody_id, action=VIEW):
    return get_restricted_or_404(
        Custody.objects.select_related("agency", "enterprise").prefetch_related("patents", "trademarks"),
        request.user,
        action,
        pk=custody_id,
    )


@router.get(
    "/",
    response={200: list[CustodyOut], 401: Message, 422: FieldErrors},
    summary="Custodies the caller may see",
)
@paginate(BoundedPagination)
def list_custodies(request):
    return (
        Custody.objects.restrict(request.user, VIEW)
        .select_related("agency", "enterprise")
        .prefetch_related("patents", "trademarks")
        .order_by("-starts_on", "-pk")
    )


@router.get(
    "/{custody_id}",
    response={200: CustodyOut, 401: Message, 404: Message, 422: FieldErrors},
    summary="A custody",
)
def get_custody(request, custody_id: int):
    return _custody(request, custody_id)


@router.get(
    "/{custody_id}/calendar",
    response={200: list[CalendarEntryOut], 401: Message, 404: Message, 422: FieldErrors},
    summary="A custody's deadlines due between start and end, with the actions recorded",
)
def custody_calendar(request, custody_id: int, filters: Query[CalendarFilter]):
    custody = _custody(request, custody_id)
    today = timezone.localdate()
    start = filters.start or today
    end = filters.end or start + dt.timedelta(days=365)
    actions = {(a.right_key, a.deadline_key): a for a in CustodyAction.objects.filter(custody=custody)}
    rows = []
    for _record, deadline in services.custody_deadlines(custody):
        if not start <= deadline.due <= end:
            continue
        done = actions.get((deadline.right_key, deadline.key))
        rows.append(
            {
                **out(deadline, today),
                "action": done.action if done else None,
                "done_on": done.done_on if done else None,
            }
        )
    return rows


@router.get(
    "/{custody_id}/actions",
    response={200: list[ActionOut], 401: Message, 404: Message, 422: FieldErrors},
    summary="Actions recorded in a custody",
)
@paginate(BoundedPagination)
def list_actions(request, custody_id: int):
    return _custody(request, custody_id).actions.order_by("-done_on", "-pk")


@router.post(
    "/{custody_id}/actions",
    response={201: ActionOut, 400: Message, 401: Message, 404: Message, 409: FieldErrors, 422: FieldErrors},
    summary="Record an action on a deadline (agency staff of the custody)",
)
def create_action(request, custody_id: int, payload: ActionIn):
    custody = _custody(request, custody_id, CHANGE)
    done = services.do_record_action(
        request.user,
        custody,
        right_key=payload.right_key,
        deadline_key=payload.deadline_key,
        action=payload.action.value if hasattr(payload.action, "value") else payload.action,
        done_on=payload.done_on,
        note=payload.note,
    )
    return Status(201, done)
