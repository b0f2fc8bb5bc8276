"""Training over HTTP: published events are open to read; a logged-in person registers, cancels,
checks in with the event's code, gives feedback and lists their own registrations."""

from datetime import datetime

from django.http import Http404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import django_auth

from zhichan.core.api import BoundedPagination, FieldErrors, Message
from zhichan.core.permissions import CHANGE, VIEW, get_restricted_or_404
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


WRITE = {401: Message, 404: Message, 422: FieldErrors}


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
