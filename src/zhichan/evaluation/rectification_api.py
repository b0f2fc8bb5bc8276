"""Rectification notices over HTTP (mounted under /api/v1/evaluation/).

The same services as the pages (evaluation/rectification.py): issue, respond, accept, reject,
escalate. Each user reads the notices their role allows (RectificationNotice.restrict): the city
administrators all, a county administrator those of the county's agencies, an agency's own
people those of their agency. Missing and forbidden both answer 404.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.agencies.models import Agency
from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import VIEW, PermissionDenied, get_restricted_or_404, role_of
from zhichan.evaluation import rectification
from zhichan.evaluation.models import NoticeStatus, RectificationNotice

router = Router(tags=["evaluation"])

READ = {401: Message, 404: Message, 422: FieldErrors}
WRITE = {401: Message, 404: Message, 409: FieldErrors, 422: FieldErrors}

# The roles that have notices to read at all (others get an empty list's 404, as on the page).
READER_ROLES = ("city_admin", "county_admin", "agency_admin", "agency_staff")


def _user_name(user) -> str | None:
    return str(user) if user is not None else None


class NoticeOut(Schema):
    id: int
    agency_id: int
    agency: str
    findings: str
    required_actions: str
    deadline: dt.date
    status: str = Field(description="open, responded, accepted or escalated")
    status_label: str
    overdue: bool = Field(description="not closed and past its deadline")
    issued_by: str | None
    scorecard_run_id: int | None = Field(description="the scorecard run whose findings led to the notice")
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.name

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue

    @staticmethod
    def resolve_issued_by(obj):
        return _user_name(obj.issued_by)


class NoticeFileOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str = Field(description="download (for the notice's readers)")


class NoticeResponseOut(Schema):
    id: int
    text: str
    responded_by: str | None
    responded_at: dt.datetime
    decision: str = Field(description="pending, accepted or rejected")
    decision_note: str
    decided_by: str | None
    decided_at: dt.datetime | None
    files: list[NoticeFileOut]

    @staticmethod
    def resolve_responded_by(obj):
        return _user_name(obj.responded_by)

    @staticmethod
    def resolve_decided_by(obj):
        return _user_name(obj.decided_by)

    @staticmethod
    def resolve_files(obj):
        return [
            {
                "id": f.pk,
                "name": f.original_name,
                "content_type": f.content_type,
                "size": f.size,
                "url": reverse("evaluation:rectification_file", args=[obj.notice_id, f.pk]),
            }
            for f in obj.files.all()
        ]


class NoticeEventOut(Schema):
    at: dt.datetime
    kind: str = Field(description="issued, responded, accepted, rejected, escalated or overdue")
    label: str
    actor: str | None
    from_state: str
    to_state: str
    note: str

    @staticmethod
    def resolve_label(obj):
        return str(obj.label)

    @staticmethod
    def resolve_actor(obj):
        return _user_name(obj.actor)


class NoticeDetailOut(NoticeOut):
    responses: list[NoticeResponseOut]
    events: list[NoticeEventOut] = Field(description="the notice's timeline, oldest first")

    @staticmethod
    def resolve_responses(obj):
        return list(obj.responses.select_related("responded_by", "decided_by").prefetch_related("files"))

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.select_related("actor"))


class NoticeIn(Schema):
    agency_id: int = Field(..., ge=1, le=2**31 - 1, description="an operating agency of your region")
    findings: str = Field(..., max_length=rectification.TEXT_MAX)
    required_actions: str = Field(..., max_length=rectification.TEXT_MAX)
    deadline: dt.date | None = Field(None, description="after today; empty: the default number of days")
    scorecard_run_id: int | None = Field(None, ge=1, le=2**31 - 1)
    submission_key: str | None = Field(
        None,
        max_length=64,
        description="a random key of the client's choosing: resending it creates nothing new",
    )


class NoteIn(Schema):
    note: str = Field("", max_length=rectification.TEXT_MAX, description="required to reject or escalate")


def _notices(user):
    return RectificationNotice.objects.restrict(user, VIEW).select_related("agency", "issued_by")


def _notice(request, notice_id: int) -> RectificationNotice:
    return get_restricted_or_404(_notices(request.user), request.user, VIEW, pk=notice_id)


def _detail(notice_id: int) -> RectificationNotice:
    return RectificationNotice.objects.select_related("agency", "issued_by").get(pk=notice_id)


@router.get(
    "/rectification-notices",
    response={200: list[NoticeOut], **READ},
    auth=django_auth,
    summary="Rectification notices you may read",
)
@paginate(BoundedPagination)
def list_notices(request, status: str | None = None, agency_id: int | None = None, overdue: bool = False):
    user = request.user
    if not (user.is_superuser or role_of(user) in READER_ROLES):
        raise PermissionDenied
    qs = _notices(user)
    if status:
        if status not in NoticeStatus.values:
            known = ", ".join(NoticeStatus.values)
            raise ValidationError({"status": [_("Unknown status: use one of %s.") % known]})
        qs = qs.filter(status=status)
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    if overdue:
        qs = qs.overdue()
    return qs.order_by("-created_at", "-pk")


@router.get(
    "/rectification-notices/{notice_id}",
    response={200: NoticeDetailOut, **READ},
    auth=django_auth,
    summary="One notice with its responses and timeline",
)
def get_notice(request, notice_id: int):
    return _notice(request, notice_id)


@router.post(
    "/rectification-notices",
    response={201: NoticeDetailOut, **WRITE},
    auth=django_auth,
    summary="Issue a notice: the agency goes under rectification (the same submission_key: the same notice)",
)
def issue_notice(request, payload: NoticeIn):
    if not rectification.can_issue(request.user):
        raise PermissionDenied
    agency = Agency.objects.filter(pk=payload.agency_id).first()
    if agency is None:
        raise ValidationError({"agency_id": [_("There is no such agency.")]})
    notice = rectification.do_issue_notice(
        request.user,
        agency,
        findings=payload.findings,
        required_actions=payload.required_actions,
        deadline=payload.deadline,
        scorecard_run_id=payload.scorecard_run_id,
        submission_key=payload.submission_key,
    )
    return Status(201, _detail(notice.pk))


@router.post(
    "/rectification-notices/{notice_id}/respond",
    response={200: NoticeDetailOut, **WRITE},
    auth=django_auth,
    summary="The agency's administrator reports what was done (multipart; files optional)",
)
def respond(request, notice_id: int, text: Form[str], files: File[list[UploadedFile]] = None):
    notice = _notice(request, notice_id)
    rectification.do_respond(request.user, notice, text=text, files=files or [])
    return _detail(notice.pk)


def _review(request, notice_id, action, payload: NoteIn):
    notice = _notice(request, notice_id)
    action(request.user, notice, note=payload.note)
    return _detail(notice.pk)


@router.post(
    "/rectification-notices/{notice_id}/accept",
    response={200: NoticeDetailOut, **WRITE},
    auth=django_auth,
    summary="Accept the response: the notice closes and the agency operates again",
)
def accept(request, notice_id: int, payload: NoteIn):
    return _review(request, notice_id, rectification.do_accept, payload)


@router.post(
    "/rectification-notices/{notice_id}/reject",
    response={200: NoticeDetailOut, **WRITE},
    auth=django_auth,
    summary="Reject the response (note required): the agency responds again",
)
def reject(request, notice_id: int, payload: NoteIn):
    return _review(request, notice_id, rectification.do_reject, payload)


@router.post(
    "/rectification-notices/{notice_id}/escalate",
    response={200: NoticeDetailOut, **WRITE},
    auth=django_auth,
    summary="Escalate (note required): the notice closes and the agency is closed",
)
def escalate(request, notice_id: int, payload: NoteIn):
    return _review(request, notice_id, rectification.do_escalate, payload)
