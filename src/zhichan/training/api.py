"""Training over HTTP: published events are open to read; a logged-in person registers, cancels,
checks in with the event's code, gives feedback and lists their own registrations."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.agencies.models import Agency
from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
from zhichan.regions.models import Region
from zhichan.training import services
from zhichan.training.models import Audience, Registration, TrainingEvent

router = Router(tags=["training"])


class TrainingEventOut(Schema):
    id: int
    title: str
    description: str
    audience: str = Field(description="enterprises, foreign, schools, agency_staff or tour (万里行)")
    organiser_id: int
    organiser: str
    region_code: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    online: bool = Field(description="whether the event has an online link (given to people registered)")
    capacity: int
    hours: float = Field(description="hours credited to each attendee")
    registration_opens_at: datetime | None
    registration_closes_at: datetime
    registration_open: bool
    status: str = Field(description="draft, published, cancelled or finished")
    seats_free: int
    waiting: int

    @staticmethod
    def resolve_organiser(obj):
        return obj.organiser.name

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_hours(obj):
        return float(obj.hours)

    @staticmethod
    def resolve_online(obj):
        return bool(obj.online_url)

    @staticmethod
    def resolve_registration_closes_at(obj):
        return obj.registration_closes()

    @staticmethod
    def resolve_registration_open(obj):
        return obj.registration_open()

    @staticmethod
    def resolve_seats_free(obj):
        return services.seats(obj)["free"]

    @staticmethod
    def resolve_waiting(obj):
        return services.seats(obj)["waiting"]


class TrainingRegistrationOut(Schema):
    id: int
    event_id: int
    event_title: str
    status: str = Field(description="registered, waitlisted, cancelled, attended or no_show")
    position: int | None = Field(description="place on the waiting list (1 is next)")
    checked_in_at: datetime | None
    online_url: str = Field(description="the online link, for people holding a seat")
    feedback_given: bool
    created_at: datetime

    @staticmethod
    def resolve_event_title(obj):
        return obj.event.title

    @staticmethod
    def resolve_online_url(obj):
        return obj.event.online_url if obj.status in ("registered", "attended") else ""

    @staticmethod
    def resolve_feedback_given(obj):
        return hasattr(obj, "feedback")


class TrainingCheckInIn(Schema):
    code: str = Field(..., min_length=1, max_length=20)


class TrainingFeedbackIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000)


class TrainingEventIn(Schema):
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    audience: Audience
    organiser_id: int = Field(..., ge=1, le=2**31 - 1, description="an operating agency you may act for")
    region_code: str = Field(..., max_length=20, description="where the event takes place")
    starts_at: datetime
    ends_at: datetime
    venue: str = Field("", max_length=255)
    online_url: str = Field("", max_length=500)
    capacity: int = Field(..., ge=-(2**31), le=2**31 - 1)
    hours: float = Field(..., ge=-1e6, le=1e6, description="hours credited to each attendee")
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = Field(None, description="empty: when the event starts")
    submission_key: str | None = Field(
        None,
        max_length=64,
        description="a random key of the client's choosing: resending it creates nothing new",
    )


class TrainingEventPatch(Schema):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    audience: Audience | None = None
    organiser_id: int | None = Field(None, ge=1, le=2**31 - 1)
    region_code: str | None = Field(None, max_length=20)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    venue: str | None = Field(None, max_length=255)
    online_url: str | None = Field(None, max_length=500)
    capacity: int | None = Field(None, ge=-(2**31), le=2**31 - 1)
    hours: float | None = Field(None, ge=-1e6, le=1e6)
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None


class TrainingReasonIn(Schema):
    reason: str = Field(..., max_length=1000)


class TrainingAttendeeOut(Schema):
    id: int
    name: str
    status: str = Field(description="registered, waitlisted, cancelled, attended or no_show")
    position: int | None
    checked_in_at: datetime | None

    @staticmethod
    def resolve_name(obj):
        return obj.user.get_full_name() or obj.user.username


class TrainingFeedbackOut(Schema):
    id: int
    registration_id: int
    rating: int
    comment: str
    created_at: datetime


def _events():
    return TrainingEvent.objects.select_related("organiser", "region")


def _registration(pk):
    return Registration.objects.select_related("event").get(pk=pk)


@router.get(
    "/events", response={200: list[TrainingEventOut], 422: FieldErrors}, summary="List training events"
)
@paginate(BoundedPagination)
def list_events(request, audience: Audience | None = None, upcoming: bool = True):
    qs = _events().restrict(request.user, VIEW)
    if upcoming:
        qs = qs.upcoming()
    if audience:
        qs = qs.filter(audience=audience)
    return qs.order_by("starts_at", "pk")


@router.get(
    "/events/{event_id}",
    response={200: TrainingEventOut, 404: Message, 422: FieldErrors},
    summary="One training event",
)
def get_event(request, event_id: int):
    return get_restricted_or_404(_events(), request.user, VIEW, pk=event_id)


WRITE = {401: Message, 404: Message, 409: FieldErrors, 422: FieldErrors}


def _event_fields(request, data: dict) -> dict:
    """API names to the service's: the organiser by id, the region by code (unknown: a field error)."""
    errors: dict = {}
    if "organiser_id" in data:
        organiser_id = data.pop("organiser_id")
        data["organiser"] = Agency.objects.filter(pk=organiser_id).first() if organiser_id else None
        if organiser_id and data["organiser"] is None:
            errors["organiser_id"] = [_("No such agency.")]
    if "region_code" in data:
        code = data.pop("region_code")
        data["region"] = Region.objects.filter(code=code).first() if code else None
        if code and data["region"] is None:
            errors["region_code"] = [_("No such region.")]
    if errors:
        raise ValidationError(errors)
    return data


def _renamed(exc: ValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        for old, new in (("organiser", "organiser_id"), ("region", "region_code")):
            if old in exc.error_dict:
                exc.error_dict[new] = exc.error_dict.pop(old)
    return exc


@router.post(
    "/events",
    response={201: TrainingEventOut, **WRITE},
    auth=django_auth,
    summary="Create a draft event (organising agencies and administrators)",
)
def create_event(request, payload: TrainingEventIn):
    if not services.can_manage_events(request.user):
        raise Http404
    data = _event_fields(request, payload.dict())
    try:
        event = services.do_create_event(request.user, **data)
    except ValidationError as exc:
        raise _renamed(exc) from None
    return Status(201, _events().get(pk=event.pk))


@router.patch(
    "/events/{event_id}",
    response={200: TrainingEventOut, **WRITE},
    auth=django_auth,
    summary="Change a draft or published event (only the fields given)",
)
def update_event(request, event_id: int, payload: TrainingEventPatch):
    event = get_restricted_or_404(TrainingEvent.objects.all(), request.user, CHANGE, pk=event_id)
    data = _event_fields(request, payload.dict(exclude_unset=True))
    try:
        services.do_update_event(request.user, event, **data)
    except ValidationError as exc:
        raise _renamed(exc) from None
    return _events().get(pk=event.pk)


@router.post(
    "/events/{event_id}/publish",
    response={200: TrainingEventOut, **WRITE},
    auth=django_auth,
    summary="Publish a draft event: registration opens as set",
)
def publish_event(request, event_id: int):
    event = get_restricted_or_404(TrainingEvent.objects.all(), request.user, CHANGE, pk=event_id)
    services.do_publish_event(request.user, event)
    return _events().get(pk=event.pk)


@router.post(
    "/events/{event_id}/cancel",
    response={200: TrainingEventOut, **WRITE},
    auth=django_auth,
    summary="Cancel an event; everyone registered or waiting is told",
)
def cancel_event(request, event_id: int, payload: TrainingReasonIn):
    event = get_restricted_or_404(TrainingEvent.objects.all(), request.user, CHANGE, pk=event_id)
    services.do_cancel_event(request.user, event, payload.reason)
    return _events().get(pk=event.pk)


@router.get(
    "/events/{event_id}/registrations",
    response={200: list[TrainingAttendeeOut], 401: Message, 404: Message, 422: FieldErrors},
    auth=django_auth,
    summary="The registrations of an event you manage",
)
@paginate(BoundedPagination)
def event_registrations(request, event_id: int):
    event = get_restricted_or_404(TrainingEvent.objects.all(), request.user, CHANGE, pk=event_id)
    return event.registrations.select_related("user").order_by("status", "position", "created_at", "pk")


@router.post(
    "/registrations/{registration_id}/check-in",
    response={200: TrainingRegistrationOut, **WRITE},
    auth=django_auth,
    summary="Check in an attendee of an event you manage (no code needed)",
)
def staff_check_in(request, registration_id: int):
    registration = get_restricted_or_404(Registration.objects.all(), request.user, CHANGE, pk=registration_id)
    services.do_check_in(request.user, registration.event, registration=registration)
    return _registration(registration.pk)


@router.post(
    "/events/{event_id}/register",
    response={200: TrainingRegistrationOut, 201: TrainingRegistrationOut, **WRITE},
    auth=django_auth,
    summary="Register for an event (the waiting list when full; again: the same registration, 200)",
)
def register(request, event_id: int):
    event = get_restricted_or_404(TrainingEvent.objects.all(), request.user, VIEW, pk=event_id)
    registration, created = services.do_register(request.user, event)
    return Status(201 if created else 200, _registration(registration.pk))


@router.post(
    "/events/{event_id}/check-in",
    response={200: TrainingRegistrationOut, **WRITE},
    auth=django_auth,
    summary="Check in to an event with the code shown there",
)
def check_in(request, event_id: int, payload: TrainingCheckInIn):
    event = get_restricted_or_404(TrainingEvent.objects.all(), request.user, VIEW, pk=event_id)
    registration = services.do_check_in(request.user, event, code=payload.code)
    return _registration(registration.pk)


@router.get(
    "/registrations",
    response={200: list[TrainingRegistrationOut], 401: Message, 422: FieldErrors},
    auth=django_auth,
    summary="My registrations",
)
@paginate(BoundedPagination)
def my_registrations(request):
    return (
        Registration.objects.filter(user=request.user)
        .select_related("event", "feedback")
        .order_by("-event__starts_at", "-pk")
    )


@router.post(
    "/registrations/{registration_id}/cancel",
    response={200: TrainingRegistrationOut, **WRITE},
    auth=django_auth,
    summary="Cancel a registration (the first person waiting gets the seat)",
)
def cancel_registration(request, registration_id: int):
    registration = get_restricted_or_404(Registration.objects.all(), request.user, CHANGE, pk=registration_id)
    services.do_cancel_registration(request.user, registration)
    return _registration(registration.pk)


@router.post(
    "/registrations/{registration_id}/feedback",
    response={201: TrainingFeedbackOut, **WRITE},
    auth=django_auth,
    summary="Rate an event attended (once)",
)
def give_feedback(request, registration_id: int, payload: TrainingFeedbackIn):
    registration = Registration.objects.filter(pk=registration_id, user=request.user).first()
    if registration is None:
        raise Http404
    feedback = services.do_give_feedback(request.user, registration, payload.rating, payload.comment)
    return Status(201, feedback)
