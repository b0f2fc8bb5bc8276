"""Custodies over HTTP: list and read what the caller may see, the deadline calendar, actions;
create, change the rights, end. Writes call the same services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, get_restricted_or_404
from zhichan.custody import services
from zhichan.custody.models import ActionKind, Custody, CustodyAction
from zhichan.enterprises.models import Enterprise
from zhichan.watch import deadlines as dl
from zhichan.watch.api import DeadlineOut, out

router = Router(tags=["custody"], auth=django_auth)
WRITE = {400: Message, 401: Message, 404: Message, 409: FieldErrors, 422: FieldErrors}
# The services name the records, the API their ids.
API_FIELDS = {"agency": "agency_id", "enterprise": "enterprise_id"}
Number = Annotated[str, Field(min_length=1, max_length=40)]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


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


class CustodyCalendarEntryOut(DeadlineOut):
    action: str | None = Field(None, description="fee_paid, renewed or abandoned when recorded")
    done_on: dt.date | None = None
    amount_yuan: int | None = Field(
        None, description="the official fee of a fee or renewal (yuan, paper filing; no fee reduction)"
    )
    online_amount_yuan: int | None = Field(None, description="the fee when filed online, where it differs")
    surcharge_yuan: int | None = Field(
        None, description="the late surcharge if paid today, while the deadline is in its grace period"
    )
    online_surcharge_yuan: int | None = Field(None, description="the late surcharge when filed online")


class CustodyCalendarFilter(Schema):
    start: dt.date | None = Field(None, description="first due date (default: today)")
    end: dt.date | None = Field(None, description="last due date (default: a year after start)")


class CustodyActionOut(Schema):
    id: int
    right_key: str
    deadline_key: str
    deadline_kind: str
    due: dt.date
    action: str
    done_on: dt.date
    note: str
    actor_id: int | None


class CustodyActionIn(Schema):
    right_key: str = Field(
        ..., min_length=1, max_length=40, description='"patent:<number>" or "trademark:<number>"'
    )
    deadline_key: str = Field(..., min_length=1, max_length=40)
    action: ActionKind
    done_on: dt.date
    note: str = Field("", max_length=services.MAX_NOTE)


class CustodyCreateIn(Schema):
    agency_id: Id
    enterprise_id: Id
    starts_on: dt.date
    ends_on: dt.date | None = Field(None, description="empty: open-ended")
    note: str = Field("", max_length=services.MAX_NOTE)
    patents: list[Number] | None = Field(
        None,
        max_length=services.MAX_RIGHTS,
        description="application numbers; omitted: the patents linked to the enterprise",
    )
    trademarks: list[Number] | None = Field(
        None,
        max_length=services.MAX_RIGHTS,
        description="registration numbers; omitted: the trademarks linked to the enterprise",
    )


class CustodyRightsIn(Schema):
    patents: list[Number] = Field(..., max_length=services.MAX_RIGHTS, description="application numbers")
    trademarks: list[Number] = Field(..., max_length=services.MAX_RIGHTS, description="registration numbers")


class CustodyEndIn(Schema):
    ends_on: dt.date | None = Field(None, description="the custody's last day (default: today)")
    note: str = Field("", max_length=services.MAX_NOTE)


def _api_errors(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "message_dict"):
        return exc
    return ValidationError({API_FIELDS.get(k, k): v for k, v in exc.message_dict.items()})


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


@router.post(
    "/",
    response={201: CustodyOut, **WRITE},
    summary="Take an enterprise's portfolio into custody (agency staff of the agency, city administrator)",
)
def create_custody(request, payload: CustodyCreateIn):
    agencies = services.manageable_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied
    errors: dict[str, list] = {}
    agency = agencies.filter(pk=payload.agency_id).first()
    if agency is None:
        errors["agency_id"] = [_("No such agency among those you manage.")]
    enterprise = Enterprise.objects.filter(pk=payload.enterprise_id).first()
    if enterprise is None:
        errors["enterprise_id"] = [_("No such enterprise.")]
    patents = trademarks = None
    if payload.patents is not None or payload.trademarks is not None:
        try:
            patents, trademarks = services.parse_rights(payload.patents or [], payload.trademarks or [])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    try:
        custody = services.do_create_custody(
            request.user,
            agency=agency,
            enterprise=enterprise,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            # Omitted lists take the rights linked to the enterprise.
            patents=None if payload.patents is None else patents,
            trademarks=None if payload.trademarks is None else trademarks,
            note=payload.note,
        )
    except ValidationError as exc:
        raise _api_errors(exc) from exc
    return Status(201, _custody(request, custody.pk))


@router.get(
    "/{custody_id}",
    response={200: CustodyOut, 401: Message, 404: Message, 422: FieldErrors},
    summary="A custody",
)
def get_custody(request, custody_id: int):
    return _custody(request, custody_id)


@router.get(
    "/{custody_id}/calendar",
    response={200: list[CustodyCalendarEntryOut], 401: Message, 404: Message, 422: FieldErrors},
    summary="A custody's deadlines due between start and end, with the actions recorded",
)
def custody_calendar(request, custody_id: int, filters: Query[CustodyCalendarFilter]):
    custody = _custody(request, custody_id)
    today = timezone.localdate()
    start = filters.start or today
    end = filters.end or start + dt.timedelta(days=365)
    actions = {(a.right_key, a.deadline_key): a for a in CustodyAction.objects.filter(custody=custody)}
    check = dl.workday_checker()
    recorded = {key: done.action for key, done in actions.items()}
    rows = []
    for record, deadline in services.custody_deadlines(custody, check, recorded):
        if not start <= deadline.due <= end:
            continue
        done = actions.get((deadline.right_key, deadline.key))
        rows.append(
            {
                **out(deadline, today),
                "action": done.action if done else None,
                "done_on": done.done_on if done else None,
                **services.fee_amounts(record, deadline, today, check),
            }
        )
    return rows


@router.get(
    "/{custody_id}/actions",
    response={200: list[CustodyActionOut], 401: Message, 404: Message, 422: FieldErrors},
    summary="Actions recorded in a custody",
)
@paginate(BoundedPagination)
def list_actions(request, custody_id: int):
    return _custody(request, custody_id).actions.order_by("-done_on", "-pk")


@router.post(
    "/{custody_id}/actions",
    response={201: CustodyActionOut, **WRITE},
    summary="Record an action on a deadline (agency staff of the custody)",
)
def create_action(request, custody_id: int, payload: CustodyActionIn):
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


@router.put(
    "/{custody_id}/rights",
    response={200: CustodyOut, **WRITE},
    summary="Set the rights in a custody (agency staff of the custody)",
)
def set_rights(request, custody_id: int, payload: CustodyRightsIn):
    custody = _custody(request, custody_id, CHANGE)
    patents, trademarks = services.parse_rights(payload.patents, payload.trademarks)
    services.do_set_rights(request.user, custody, patents=patents, trademarks=trademarks)
    return _custody(request, custody_id)


@router.post(
    "/{custody_id}/end",
    response={200: CustodyOut, **WRITE},
    summary="End a custody (agency staff of the custody); no actions after its last day",
)
def end_custody(request, custody_id: int, payload: CustodyEndIn):
    custody = _custody(request, custody_id, CHANGE)
    services.do_end_custody(request.user, custody, ends_on=payload.ends_on, note=payload.note)
    return _custody(request, custody_id)
