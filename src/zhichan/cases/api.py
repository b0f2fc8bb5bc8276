"""Cases over HTTP: intake, the agency inbox, each handling step, tracking by token, routing rules."""

from datetime import datetime
from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.cases import privacy, services, tracking
from zhichan.cases.filters import filter_cases
from zhichan.cases.models import (
    Case,
    CaseType,
    Channel,
    IdentityView,
    IPType,
    Measure,
    RatingLevel,
    RoutingRule,
    Status,
)
from zhichan.core.api import AuditEntryOut, BoundedPagination, FieldErrors, Message, anyone
from zhichan.core.models import AuditEntry
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, get_restricted_or_404

try:
    from ninja import Status as Reply
except ImportError:  # django-ninja before Status

    def Reply(code, body):  # noqa: N802
        return code, body


router = Router(tags=["cases"])


WRITE = {400: Message, 401: Message, 403: Message, 404: Message, 409: FieldErrors, 422: FieldErrors}


# --- schemas ------------------------------------------------------------------------------------


class IntakeIn(Schema):
    type: CaseType
    subtype: str = Field("", max_length=24)
    channel: Channel = Channel.WEB
    region_code: str | None = Field(None, max_length=20)
    ip_type: IPType | None = None
    service_item_code: str | None = Field(None, max_length=30)
    fair_id: int | None = Field(None, ge=1, le=2**31 - 1)
    subject: str = Field(..., max_length=200)
    description: str = Field(..., max_length=20000)
    requester_name: str = Field("", max_length=100)
    requester_phone: str = Field("", max_length=30)
    requester_email: str = Field("", max_length=254)
    anonymous: bool = False
    idempotency_key: str | None = Field(
        None, max_length=64, description="a form token: resubmitting returns the same case"
    )
    first_contact_answer: str = Field(
        "", max_length=20000, description="staff only: the answer given on the spot"
    )


class IntakeOut(Schema):
    id: int
    number: str
    status: str
    deadline: datetime
    tracking_link: str
    tracking_token: str
    tracking_code: str


class CaseOut(Schema):
    id: int
    number: str
    type: str
    subtype: str
    channel: str
    status: str
    region_code: str | None
    ip_type: str
    service_item_code: str | None
    guide_version: int | None
    fair_id: int | None
    subject: str
    description: str
    requester_name: str
    requester_phone: str
    requester_email: str
    anonymous: bool
    owner_id: int
    owner_name: str
    handler_id: int | None
    deadline: datetime
    overdue: bool
    paused_at: datetime | None
    warned_at: datetime | None
    overdue_at: datetime | None
    supervised_at: datetime | None
    created_at: datetime
    accepted_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    reopen_count: int
    first_contact: bool
    rating: str | None

    @staticmethod
    def resolve_requester_name(obj, context):
        return _shown_identity(obj, context)["requester_name"]

    @staticmethod
    def resolve_requester_phone(obj, context):
        return _shown_identity(obj, context)["requester_phone"]

    @staticmethod
    def resolve_requester_email(obj, context):
        return _shown_identity(obj, context)["requester_email"]

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code if obj.region_id else None

    @staticmethod
    def resolve_service_item_code(obj):
        return obj.service_item.code if obj.service_item_id else None

    @staticmethod
    def resolve_guide_version(obj):
        return obj.guide_version.number if obj.guide_version_id else None

    @staticmethod
    def resolve_owner_name(obj):
        return obj.owner.name

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue

    @staticmethod
    def resolve_rating(obj):
        rating = getattr(obj, "rating", None)
        return rating.level if rating is not None else None


class EventOut(Schema):
    id: int
    at: datetime
    kind: str
    from_state: str
    to_state: str
    note: str
    data: dict
    public: bool
    actor: str | None

    @staticmethod
    def resolve_actor(obj):
        return obj.actor.username if obj.actor_id else None


class PublicEventOut(Schema):
    at: datetime
    kind: str
    to_state: str
    note: str


class AttachmentOut(Schema):
    id: int
    original_name: str
    size: int
    content_type: str
    internal: bool
    uploaded_by_requester: bool
    event_id: int | None
    at: datetime


class TrackOut(Schema):
    number: str
    type: str
    status: str
    subject: str
    deadline: datetime
    created_at: datetime
    closed_at: datetime | None
    tracking_token: str
    can_supplement: bool
    can_rate: bool
    can_reopen: bool
    rating: str | None
    events: list[PublicEventOut]
    attachments: list[AttachmentOut]


class CaseFilters(Schema):
    status: Status | None = None
    type: CaseType | None = None
    region: str | None = Field(
        None, max_length=20, description="region code of the case; a county includes its parks"
    )
    owner: int | None = Field(None, ge=1, le=2**31 - 1, description="owner agency id")
    overdue: bool | None = None
    due_soon: bool | None = None
    handler: str | None = Field(None, max_length=20, description="a user id, 'me' or 'none'")
    q: str | None = Field(None, max_length=100, description="number, or part of subject or requester name")


class NoteIn(Schema):
    note: str = Field("", max_length=5000)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=5000)


class MessageIn(Schema):
    message: str = Field(..., max_length=20000)


class AssignIn(Schema):
    handler_id: int = Field(..., ge=1, le=2**31 - 1)


class BulkAssignIn(Schema):
    case_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(..., min_length=1, max_length=200)
    handler_id: int = Field(..., ge=1, le=2**31 - 1)


class ReferIn(Schema):
    to_agency_id: int = Field(..., ge=1, le=2**31 - 1)
    reason: str = Field(..., max_length=2000)


class MeasuresIn(Schema):
    measures: list[Measure] = Field(..., min_length=1, max_length=10)
    note: str = Field("", max_length=5000)


class SupplementIn(Schema):
    text: str = Field(..., max_length=20000)


class RateIn(Schema):
    level: RatingLevel
    comment: str = Field("", max_length=2000)


class LookupIn(Schema):
    number: str = Field(..., max_length=30)
    code: str = Field(..., max_length=8)


class BulkOut(Schema):
    assigned: int


class RatingOut(Schema):
    level: str
    comment: str
    at: datetime


class SatisfactionRow(Schema):
    id: int | None
    total: int
    satisfied: int
    basic: int
    dissatisfied: int
    rate: float


class RuleIn(Schema):
    case_type: CaseType
    region_code: str | None = Field(None, max_length=20)
    ip_type: IPType | None = None
    service_item_code: str | None = Field(None, max_length=30)
    agency_id: int = Field(..., ge=1, le=2**31 - 1)
    priority: int = Field(0, ge=-1000, le=1000)


class RuleOut(Schema):
    id: int
    case_type: str
    region_code: str | None
    ip_type: str
    service_item_code: str | None
    agency_id: int
    priority: int

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code if obj.region_id else None

    @staticmethod
    def resolve_service_item_code(obj):
        return obj.service_item.code if obj.service_item_id else None


class IdentityViewOut(Schema):
    """A member of staff saw a requester's full contact details (one row per case, user, minute)."""

    id: int
    at: datetime
    case_id: int
    case_number: str
    user_id: int
    user: str
    revealed: bool = Field(description='shown on request ("show contact details"), not by default')
    channel: str = Field(description="page or api")

    @staticmethod
    def resolve_case_number(obj):
        return obj.case.number

    @staticmethod
    def resolve_user(obj):
        return str(obj.user)


class IdentityViewFilters(Schema):
    case_number: str | None = Field(None, max_length=40)


# --- helpers ------------------------------------------------------------------------------------


def _shown_identity(case, context) -> dict:
    """In full for the handling agency and the requester (or after a logged reveal), else masked."""
    request = (context or {}).get("request")
    user = getattr(request, "user", None)
    full = getattr(case, "_identity_revealed", False) or privacy.has_need(user, case)
    return privacy.identity(case, full)


def _user(request):
    return request.user if request.user.is_authenticated else None


def _load(pk) -> Case:
    return Case.objects.select_related("region", "service_item", "guide_version", "owner", "rating").get(
        pk=pk
    )


def _case(request, case_id: int, action=VIEW) -> Case:
    return get_restricted_or_404(Case.objects.all(), request.user, action, pk=case_id)


def _guarded_lookup(request, find):
    """Look a case up for a requester; wrong tokens and codes count towards the hourly limit."""
    if tracking.blocked(request):
        return None, Reply(429, {"detail": "Too many tries; try again later."})
    try:
        return find(), None
    except Http404:
        tracking.count_miss(request)
        raise


def _track(case: Case) -> dict:
    rated = hasattr(case, "rating")
    return {
        "number": case.number,
        "type": case.type,
        "status": case.status,
        "subject": case.subject,
        "deadline": case.deadline,
        "created_at": case.created_at,
        "closed_at": case.closed_at,
        "tracking_token": case.tracking_token,
        "can_supplement": case.status == Status.WAITING_SUPPLEMENT,
        "can_rate": case.status in (Status.REPLIED, Status.CLOSED) and not rated,
        "can_reopen": case.status in (Status.REPLIED, Status.CLOSED)
        and case.reopen_count < settings.ZHICHAN_MAX_REOPENS,
        "rating": case.rating.level if rated else None,
        "events": list(case.events.filter(public=True)),
        "attachments": list(case.attachments.filter(internal=False)),
    }


# --- intake and inbox ---------------------------------------------------------------------------


@router.post(
    "/", response={201: IntakeOut, **WRITE}, auth=anyone, summary="File a case (anyone; staff: any channel)"
)
def intake(request, payload: IntakeIn):
    data = payload.dict()
    case = services.do_intake(
        _user(request),
        getattr(data.pop("channel"), "value", None) or Channel.WEB,
        idempotency_key=data.pop("idempotency_key"),
        first_contact_answer=data.pop("first_contact_answer"),
        type=getattr(data.pop("type"), "value", None),
        subtype=data.pop("subtype"),
        region=data.pop("region_code"),
        ip_type=getattr(data.pop("ip_type"), "value", "") or "",
        service_item=data.pop("service_item_code"),
        fair=data.pop("fair_id"),
        **data,
    )
    return Reply(
        201,
        {
            "id": case.pk,
            "number": case.number,
            "status": case.status,
            "deadline": case.deadline,
            "tracking_link": request.build_absolute_uri(case.tracking_path),
            "tracking_token": case.tracking_token,
            "tracking_code": case.tracking_code,
        },
    )


@router.get(
    "/", response={200: list[CaseOut], 422: FieldErrors}, summary="Cases the caller may see (the inbox)"
)
@paginate(BoundedPagination)
def list_cases(request, filters: Query[CaseFilters]):
    qs = Case.objects.restrict(request.user, VIEW)
    qs = filter_cases(qs, user=request.user, **filters.dict())
    return qs.select_related("region", "service_item", "guide_version", "owner", "rating").order_by(
        "deadline", "pk"
    )


@router.get(
    "/satisfaction",
    response={200: list[SatisfactionRow], 422: FieldErrors},
    summary="Ratings per agency or county",
)
def satisfaction(request, by: Literal["agency", "county"] = "agency"):
    return services.satisfaction(request.user, by)


@router.post(
    "/bulk-assign", response={200: BulkOut, **WRITE}, auth=django_auth, summary="Assign several cases"
)
def bulk_assign(request, payload: BulkAssignIn):
    ids = sorted(set(payload.case_ids))
    cases = list(Case.objects.restrict(request.user, CHANGE).filter(pk__in=ids))
    if len(cases) != len(ids):
        raise Http404
    return {"assigned": services.do_bulk_assign(request.user, cases, payload.handler_id)}


# --- the requester's tracking link --------------------------------------------------------------


@router.post(
    "/track/lookup",
    response={200: TrackOut, 404: Message, 422: FieldErrors, 429: Message},
    auth=anyone,
    summary="Find a case by number and tracking code",
)
def track_lookup(request, payload: LookupIn):
    case, refused = _guarded_lookup(request, lambda: services.case_by_code(payload.number, payload.code))
    return refused or _track(case)


@router.get(
    "/track/{token}",
    response={200: TrackOut, 404: Message, 422: FieldErrors, 429: Message},
    summary="A case's progress, by its tracking token",
)
def track(request, token: str):
    case, refused = _guarded_lookup(request, lambda: services.case_by_token(token))
    return refused or _track(case)


@router.post(
    "/track/{token}/supplement",
    response={200: TrackOut, 429: Message, **WRITE},
    auth=anyone,
    summary="Add the requested supplement",
)
def track_supplement(request, token: str, text: Form[str], files: File[list[UploadedFile]] = None):
    case, refused = _guarded_lookup(request, lambda: services.case_by_token(token))
    if refused:
        return refused
    case = services.do_add_supplement(_user(request), case, text, token=token, files=files or [])
    return _track(case)


@router.post(
    "/track/{token}/rate",
    response={201: RatingOut, 429: Message, **WRITE},
    auth=anyone,
    summary="Rate the service",
)
def track_rate(request, token: str, payload: RateIn):
    case, refused = _guarded_lookup(request, lambda: services.case_by_token(token))
    if refused:
        return refused
    return Reply(
        201, services.do_rate(_user(request), case, payload.level.value, payload.comment, token=token)
    )


@router.post(
    "/track/{token}/reopen",
    response={200: TrackOut, 429: Message, **WRITE},
    auth=anyone,
    summary="Reopen the case (once, when dissatisfied)",
)
def track_reopen(request, token: str, payload: ReasonIn):
    case, refused = _guarded_lookup(request, lambda: services.case_by_token(token))
    if refused:
        return refused
    return _track(services.do_reopen(_user(request), case, payload.reason, token=token))


# --- routing rules ------------------------------------------------------------------------------


RULE_FIELDS = {"region": "region_code", "service_item": "service_item_code", "agency": "agency_id"}


def _rule_fields(payload: RuleIn) -> dict:
    """Codes to records; the rules about them live in services.do_create_rule / do_update_rule."""
    from zhichan.agencies.models import Agency
    from zhichan.catalog.models import ServiceItem
    from zhichan.regions.models import Region

    errors = {}
    region = None
    if payload.region_code:
        region = Region.objects.filter(code=payload.region_code.replace("\x00", "")).first()
        if region is None:
            errors["region_code"] = ["unknown region code"]
    item = None
    if payload.service_item_code:
        item = ServiceItem.objects.filter(code=payload.service_item_code.replace("\x00", "")).first()
        if item is None:
            errors["service_item_code"] = ["unknown service code"]
    if errors:
        raise ValidationError(errors)
    return {
        "case_type": payload.case_type.value,
        "region": region,
        "ip_type": payload.ip_type.value if payload.ip_type else "",
        "service_item": item,
        "agency": Agency.objects.filter(pk=payload.agency_id).first(),
        "priority": payload.priority,
    }


def _rule_action(action):
    """Run a rule action, naming refused fields as the API's payload does."""
    try:
        return action()
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {RULE_FIELDS.get(field, field): messages for field, messages in exc.message_dict.items()}
        ) from exc


@router.get(
    "/routing-rules",
    response={200: list[RuleOut], 422: FieldErrors},
    summary="Routing rules the caller may edit",
)
@paginate(BoundedPagination)
def list_rules(request):
    return (
        RoutingRule.objects.restrict(request.user, CHANGE)
        .select_related("region", "service_item")
        .order_by("pk")
    )


@router.get(
    "/routing-rules/history",
    response={200: list[AuditEntryOut], 422: FieldErrors},
    summary="Changes to the routing rules the caller may edit, newest first",
)
@paginate(BoundedPagination)
def rules_history(request):
    return (
        AuditEntry.objects.restrict(request.user, VIEW)
        .for_model(RoutingRule)
        .select_related("actor", "content_type")
    )


@router.post(
    "/routing-rules", response={201: RuleOut, **WRITE}, auth=django_auth, summary="Add a routing rule"
)
def create_rule(request, payload: RuleIn):
    if not services.can_edit_rules(request.user):
        raise PermissionDenied
    fields = _rule_fields(payload)
    return Reply(201, _rule_action(lambda: services.do_create_rule(request.user, **fields)))


@router.put(
    "/routing-rules/{rule_id}",
    response={200: RuleOut, **WRITE},
    auth=django_auth,
    summary="Change a routing rule",
)
def update_rule(request, rule_id: int, payload: RuleIn):
    rule = get_restricted_or_404(RoutingRule.objects.all(), request.user, CHANGE, pk=rule_id)
    fields = _rule_fields(payload)
    return _rule_action(lambda: services.do_update_rule(request.user, rule, **fields))


@router.delete(
    "/routing-rules/{rule_id}",
    response={204: None, **WRITE},
    auth=django_auth,
    summary="Remove a routing rule",
)
def delete_rule(request, rule_id: int):
    rule = get_restricted_or_404(RoutingRule.objects.all(), request.user, CHANGE, pk=rule_id)
    services.do_delete_rule(request.user, rule)
    return Reply(204, None)


# --- one case -----------------------------------------------------------------------------------


@router.get(
    "/identity-views",
    response={200: list[IdentityViewOut], 422: FieldErrors},
    summary="Who saw which requester's identity, newest first (city administrators)",
)
@paginate(BoundedPagination)
def identity_views(request, filters: Query[IdentityViewFilters]):
    qs = IdentityView.objects.restrict(request.user, VIEW).select_related("case", "user")
    if filters.case_number:
        qs = qs.filter(case__number=filters.case_number.strip())
    return qs


@router.get("/{case_id}", response={200: CaseOut, 404: Message, 422: FieldErrors}, summary="One case")
def get_case(request, case_id: int):
    case = _load(_case(request, case_id).pk)
    if privacy.has_need(request.user, case):
        privacy.log_identity_view(request.user, case, channel="api")
    return case


@router.post(
    "/{case_id}/identity",
    response={200: CaseOut, **WRITE},
    auth=django_auth,
    summary="Show the requester's contact details in full (staff who may handle the case; logged)",
)
def reveal_identity(request, case_id: int):
    case = _load(_case(request, case_id, CHANGE).pk)
    privacy.identity_for(request.user, case, reveal=True, channel="api")
    case._identity_revealed = True
    return case


@router.get(
    "/{case_id}/events",
    response={200: list[EventOut], 404: Message, 422: FieldErrors},
    summary="The timeline",
)
def case_events(request, case_id: int):
    case = _case(request, case_id)
    events = case.events.select_related("actor")
    if not services.can_handle(request.user, case):
        events = events.filter(public=True)  # internal notes stay internal
    return list(events)


@router.get(
    "/{case_id}/attachments",
    response={200: list[AttachmentOut], 404: Message, 422: FieldErrors},
    summary="The case's attachments",
)
def list_attachments(request, case_id: int):
    case = _case(request, case_id)
    files = case.attachments.all()
    if not services.can_handle(request.user, case):
        files = files.filter(internal=False)
    return list(files)


@router.get(
    "/{case_id}/attachments/{attachment_id}",
    response={404: Message, 422: FieldErrors},
    summary="Download an attachment",
    openapi_extra={"responses": {"200": {"description": "the file"}}},
)
def download_attachment(request, case_id: int, attachment_id: int):
    case = _case(request, case_id)
    return _file(request, case, attachment_id, staff=services.can_handle(request.user, case))


@router.get(
    "/track/{token}/attachments/{attachment_id}",
    response={404: Message, 422: FieldErrors, 429: Message},
    summary="Download an attachment by tracking token",
    openapi_extra={"responses": {"200": {"description": "the file"}}},
)
def track_attachment(request, token: str, attachment_id: int):
    case, refused = _guarded_lookup(request, lambda: services.case_by_token(token))
    return refused or _file(request, case, attachment_id, staff=False)


def _file(request, case, attachment_id, *, staff):
    files = case.attachments.all() if staff else case.attachments.filter(internal=False)
    attachment = files.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/{case_id}/attachments",
    response={201: list[AttachmentOut], **WRITE},
    auth=django_auth,
    summary="Attach files (staff; internal or for the requester)",
)
def add_attachments(request, case_id: int, files: File[list[UploadedFile]], internal: Form[bool] = False):
    case = _case(request, case_id, CHANGE)
    return Reply(201, services.do_attach(request.user, case, files, internal=internal))


def _action(path, summary, schema=None):
    """POST /{case_id}/<path>: run one handling step and answer with the case."""

    def register(func):
        @router.post(
            f"/{{case_id}}/{path}", response={200: CaseOut, **WRITE}, auth=django_auth, summary=summary
        )
        def endpoint(request, case_id: int, payload: schema):
            case = _case(request, case_id)
            func(request.user, case, payload)
            return _load(case.pk)

        endpoint.__name__ = f"case_{path.replace('-', '_')}"
        return func

    return register


@_action("accept", "Accept a received case", NoteIn)
def _accept(user, case, p):
    services.do_accept(user, case, p.note)


@_action("decline", "Decline a case, with the reason", ReasonIn)
def _decline(user, case, p):
    services.do_decline(user, case, p.reason)


@_action("assign", "Assign a handler of the owner agency", AssignIn)
def _assign(user, case, p):
    services.do_assign(user, case, p.handler_id)


@_action("note", "Add an internal note", NoteIn)
def _note(user, case, p):
    services.do_note(user, case, p.note)


@_action("request-supplement", "Ask the requester for a supplement (stops the clock)", MessageIn)
def _request_supplement(user, case, p):
    services.do_request_supplement(user, case, p.message)


@_action("reply", "Reply to the requester", MessageIn)
def _reply(user, case, p):
    services.do_reply(user, case, p.message)


@_action("close", "Close the case", NoteIn)
def _close(user, case, p):
    services.do_close(user, case, p.note)


@_action("refer", "Refer the case to another agency, with the reason", ReferIn)
def _refer(user, case, p):
    services.do_refer(user, case, p.to_agency_id, p.reason)


@_action("supervise", "Supervise an overdue case (county or city administrator)", NoteIn)
def _supervise(user, case, p):
    services.do_supervise(user, case, p.note)


@_action("measures", "Record the measures taken on a trade-fair complaint", MeasuresIn)
def _measures(user, case, p):
    services.do_record_measures(user, case, p.measures, p.note)


@_action("supplement", "The requester (own account) adds the supplement", SupplementIn)
def _supplement(user, case, p):
    services.do_add_supplement(user, case, p.text)


@_action("reopen", "The requester (own account) reopens the case", ReasonIn)
def _reopen(user, case, p):
    services.do_reopen(user, case, p.reason)


@router.post(
    "/{case_id}/rate",
    response={201: RatingOut, **WRITE},
    auth=django_auth,
    summary="The requester (own account) rates the service",
)
def rate(request, case_id: int, payload: RateIn):
    case = _case(request, case_id)
    return Reply(201, services.do_rate(request.user, case, payload.level.value, payload.comment))
