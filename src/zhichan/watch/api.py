"""Legal deadlines over HTTP: of one patent or trademark, and of an enterprise's portfolio."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from zhichan.core.api import FieldErrors, Message
from zhichan.core.permissions import VIEW, get_restricted_or_404
from zhichan.enterprises.models import Enterprise
from zhichan.ipdata.models import Patent, Trademark
from zhichan.ipdata.numbers import NumberError, parse_application_number
from zhichan.watch import deadlines as dl

router = Router(tags=["deadlines"])


class DeadlineOut(Schema):
    kind: str
    kind_label: str
    right_type: str = Field(description="patent or trademark")
    right_number: str
    key: str = Field(description="stable within the right; custody actions name it")
    label: str
    statutory: dt.date = Field(description="the last day as the period is counted")
    due: dt.date = Field(description="the last day after a holiday roll-forward")
    opens: dt.date | None
    grace_statutory: dt.date | None
    grace_ends: dt.date | None
    surcharge: bool
    basis: str
    year: int | None
    actionable: bool
    state: str = Field(description="upcoming, open, grace or passed, as of today")


class HorizonFilter(Schema):
    days: int = Field(365, ge=0, le=3660, description="how many days ahead")


def out(deadline: dl.Deadline, today: dt.date) -> dict:
    return {**deadline.as_dict(), "actionable": deadline.actionable, "state": deadline.state(today)}


@router.get(
    "/patents/{number}",
    response={200: list[DeadlineOut], 404: Message, 422: FieldErrors},
    summary="Every legal deadline of a patent",
)
def patent_deadlines(request, number: str):
    try:
        canonical = parse_application_number(number.replace("\x00", ""))
    except NumberError as exc:
        raise Http404 from exc
    patent = get_restricted_or_404(Patent.objects.all(), request.user, VIEW, application_number=canonical)
    today = timezone.localdate()
    return [out(d, today) for d in dl.patent_deadlines(patent)]


@router.get(
    "/trademarks/{number}",
    response={200: list[DeadlineOut], 404: Message, 422: FieldErrors},
    summary="Every legal deadline of a trademark",
)
def trademark_deadlines(request, number: str):
    number = number.replace("\x00", "").strip().upper()[:20]
    mark = get_restricted_or_404(Trademark.objects.all(), request.user, VIEW, registration_number=number)
    today = timezone.localdate()
    return [out(d, today) for d in dl.trademark_deadlines(mark)]


@router.get(
    "/enterprises/{enterprise_id}",
    response={200: list[DeadlineOut], 404: Message, 422: FieldErrors},
    summary="Upcoming deadlines of an enterprise's portfolio (due within `days`, or in grace)",
)
def enterprise_deadlines(request, enterprise_id: int, filters: Query[HorizonFilter]):
    days = filters.days
    enterprise = get_restricted_or_404(Enterprise.objects.all(), request.user, VIEW, pk=enterprise_id)
    patents = Patent.objects.restrict(request.user, VIEW).filter(enterprises=enterprise)
    marks = Trademark.objects.restrict(request.user, VIEW).filter(enterprises=enterprise)
    today = timezone.localdate()
    return [out(d, today) for _record, d in dl.portfolio_deadlines(patents, marks, today, days)]
