"""The only code that changes training events and registrations; pages, API and commands call these.

Refusals: ValidationError naming the field (nothing is written), TransitionError for an event
moved the wrong way, PermissionDenied for someone who may not act (answered as 404).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhichan.accounts.models import AGENCY_ROLES
from zhichan.agencies.models import Agency
from zhichan.agencies.models import Status as AgencyStatus
from zhichan.core.errors import TransitionError
from zhichan.core.once import create_once
from zhichan.core.permissions import CHANGE, PermissionDenied, role_of
from zhichan.core.validation import clean_text
from zhichan.regions.models import Region, RegionKind
from zhichan.training.models import (
    SEATED,
    Audience,
    EventStatus,
    Feedback,
    Registration,
    RegistrationStatus,
    TrainingEvent,
    TrainingLog,
    managed_filter,
)

MAX_CAPACITY = 10000
MAX_HOURS = Decimal("100")
FIELDS = (
    "title",
    "description",
    "audience",
    "organiser",
    "region",
    "starts_at",
    "ends_at",
    "venue",
    "online_url",
    "capacity",
    "hours",
    "registration_opens_at",
    "registration_closes_at",
)


def now():
    return timezone.now()


def can_manage_events(user) -> bool:
    if user is not None and user.is_authenticated and user.is_superuser:
        return True
    return managed_filter(user) is not None


def organiser_choices(user):
    """The agencies `user` may name as an event's organiser."""
    agencies = Agency.objects.filter(status=AgencyStatus.OPERATING)
    if user is not None and user.is_authenticated and user.is_superuser:
        return agencies
    role = role_of(user)
    if role == "city_admin":
        return agencies
    if role == "county_admin" and user.region_id:
        return agencies.filter(region_id__in=user.region.subtree_ids())
    if role in AGENCY_ROLES and user.agency_id:
        return agencies.filter(pk=user.agency_id)
    return agencies.none()


def region_choices(user):
    regions = Region.objects.exclude(kind=RegionKind.PROVINCE)
    if role_of(user) == "county_admin" and user.region_id and not user.is_superuser:
        return regions.filter(pk__in=user.region.subtree_ids())
    return regions


def _log(event, kind, actor=None, *, registration=None, from_state="", to_state="", note="", **data):
    TrainingLog.objects.create(
        event=event,
        registration=registration,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data,
    )


def _notify(users, kind, subject, body, event):
    from zhichan.notices.services import notify

    users = [u for u in users if u is not None]
    if users:
        notify(users, kind, subject, body, link=reverse("training:detail", args=[event.pk]))


# --- events -----------------------------------------------------------------------------------


def _int(value, field, errors, low, high):
    try:
        number = int(value)
        if isinstance(value, float) and value != number:
            raise ValueError
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        errors[field] = [_("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}]
        return None
    return number


def _hours(value, errors):
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, TypeError, ValueError):
        hours = None
    if hours is None or not hours.is_finite() or not Decimal("0") <= hours <= MAX_HOURS:
        errors["hours"] = [_("Give the hours credited, from 0 to %(n)s (one decimal).") % {"n": MAX_HOURS}]
        return None
    return hours


def _moment(value, field, errors, *, required=False):
    if value in (None, ""):
        if required:
            errors[field] = [_("This field is required.")]
        return None
    if not isinstance(value, dt.datetime):
        errors[field] = [_("Give a date and time.")]
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _clean(actor, data: dict, event: TrainingEvent | None) -> dict:
    errors: dict[str, list] = {}
    cleaned = {
        "title": clean_text(data.get("title"), "title", errors, max_length=200, required=True),
        "description": clean_text(data.get("description"), "description", errors, max_length=5000),
        "venue": clean_text(data.get("venue"), "venue", errors, max_length=255),
        "online_url": clean_text(data.get("online_url"), "online_url", errors, max_length=500),
        "capacity": _int(data.get("capacity"), "capacity", errors, 1, MAX_CAPACITY),
        "hours": _hours(data.get("hours"), errors),
    }
    audience = data.get("audience")
    if audience not in Audience.values:
        errors["audience"] = [_("Choose one of the audiences.")]
    cleaned["audience"] = audience
    if cleaned["online_url"]:
        try:
            URLValidator(schemes=["http", "https"])(cleaned["online_url"])
        except ValidationError:
            errors["online_url"] = [_("Give a web address starting with http:// or https://.")]
    if not cleaned["venue"] and not cleaned["online_url"] and "venue" not in errors:
        errors["venue"] = [_("Give the venue, the online link, or both.")]
    organiser = data.get("organiser")
    if organiser is None:
        errors["organiser"] = [_("Choose the organising agency.")]
    elif not organiser_choices(actor).filter(pk=organiser.pk).exists():
        errors["organiser"] = [_("Choose an operating agency that you may act for.")]
    region = data.get("region")
    if region is None:
        errors["region"] = [_("Choose the region where the event takes place.")]
    elif not region_choices(actor).filter(pk=region.pk).exists():
        errors["region"] = [_("Choose a region of your county.")]
    starts = _moment(data.get("starts_at"), "starts_at", errors, required=True)
    ends = _moment(data.get("ends_at"), "ends_at", errors, required=True)
    if starts and ends and ends <= starts:
        errors["ends_at"] = [_("The event must end after it starts.")]
    opens = _moment(data.get("registration_opens_at"), "registration_opens_at", errors)
    closes = _moment(data.get("registration_closes_at"), "registration_closes_at", errors)
    if closes and ends and closes > ends:
        errors["registration_closes_at"] = [_("Registration must close before the event ends.")]
    elif opens and closes and closes <= opens:
        errors["registration_closes_at"] = [_("Registration must close after it opens.")]
    elif opens and ends and opens >= ends:
        errors["registration_opens_at"] = [_("Registration must open before the event ends.")]
    if event is not None and cleaned["capacity"] is not None:
        seated = event.registrations.filter(status__in=SEATED).count()
        if cleaned["capacity"] < seated:
            errors["capacity"] = [
                _("%(n)d people hold seats; cancel registrations before lowering the capacity below that.")
                % {"n": seated}
            ]
    if errors:
        raise ValidationError(errors)
    cleaned.update(
        organiser=organiser,
        region=region,
        starts_at=starts,
        ends_at=ends,
        registration_opens_at=opens,
        registration_closes_at=closes,
    )
    return cleaned


def current(event: TrainingEvent) -> dict:
    """An event's editable values, for partial updates and the edit form."""
    return {name: getattr(event, name) for name in FIELDS}


def _lock(actor, event: TrainingEvent) -> TrainingEvent:
    locked = TrainingEvent.objects.restrict(actor, CHANGE).select_for_update().filter(pk=event.pk).first()
    if locked is None:
        raise PermissionDenied
    return locked


def do_create_event(actor, submission_key=None, **data) -> TrainingEvent:
    """A draft event; the same submission sent twice (`submission_key`) creates one."""
    return create_once(submission_key, actor, lambda: _create_event(actor, data))


@transaction.atomic
def _create_event(actor, data) -> TrainingEvent:
    if not can_manage_events(actor):
        raise PermissionDenied
    event = TrainingEvent.objects.create(created_by=actor, **_clean(actor, data, None))
    _log(event, "created", actor, to_state=event.status)
    return event


@transaction.atomic
def do_update_event(actor, event: TrainingEvent, **data) -> TrainingEvent:
    event = _lock(actor, event)
    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise TransitionError(
            _("A %(status)s event cannot be changed.") % {"status": event.get_status_display().lower()},
            from_state=event.status,
        )
    fields = _clean(actor, {**current(event), **data}, event)
    changed = [name for name, value in fields.items() if getattr(event, name) != value]
    for name, value in fields.items():
        setattr(event, name, value)
    event.save()
    if changed:
        _log(event, "updated", actor, fields=changed)
    if event.status == EventStatus.PUBLISHED:
        _fill_seats(event, actor)
    return event


def _transition(actor, event, allowed, to_state, kind, note=""):
    event = _lock(actor, event)
    if event.status not in allowed:
        raise TransitionError(
            _("The event is %(status)s; it cannot be %(action)s.")
            % {"status": event.get_status_display().lower(), "action": TRANSITION_WORDS[kind]},
            from_state=event.status,
            to_state=to_state,
        )
    before = event.status
    event.status = to_state
    event.save(update_fields=["status", "updated_at"])
    _log(event, kind, actor, from_state=before, to_state=to_state, note=note)
    return event


# Lazy: looked up in the language of the request that meets the refusal, not at import.
TRANSITION_WORDS = {
    "published": gettext_lazy("published"),
    "cancelled": gettext_lazy("cancelled"),
    "finished": gettext_lazy("finished"),
}


@transaction.atomic
def do_publish_event(actor, event: TrainingEvent) -> TrainingEvent:
    locked = _lock(actor, event)
    if locked.status == EventStatus.DRAFT and locked.ends_at <= now():
        raise ValidationError(
            {"ends_at": [_("The event has already ended; change its dates to publish it.")]}
        )
    return _transition(actor, locked, (EventStatus.DRAFT,), EventStatus.PUBLISHED, "published")


@transaction.atomic
def do_cancel_event(actor, event: TrainingEvent, reason) -> TrainingEvent:
    errors: dict = {}
    reason = clean_text(reason, "reason", errors, required=True, max_length=1000)
    locked = _lock(actor, event)
    if errors:
        raise ValidationError(errors)
    event = _transition(
        actor, locked, (EventStatus.DRAFT, EventStatus.PUBLISHED), EventStatus.CANCELLED, "cancelled", reason
    )
    told = []
    for registration in event.registrations.filter(
        status__in=(RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
    ).select_related("user"):
        before = registration.status
        registration.status = RegistrationStatus.CANCELLED
        registration.position = None
        registration.cancelled_at = now()
        registration.save(update_fields=["status", "position", "cancelled_at", "updated_at"])
        _log(event, "registration_cancelled", actor, registration=registration, from_state=before,
             to_state=RegistrationStatus.CANCELLED, note=reason)  # fmt: skip
        told.append(registration.user)
    _notify(
        told,
        "training_cancelled",
        _("Training cancelled: %(title)s") % {"title": event.title},
        _("The event on %(when)s was cancelled. Reason: %(reason)s")
        % {"when": timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M"), "reason": reason},
        event,
    )
    return event


@transaction.atomic
def do_finish_event(actor, event: TrainingEvent) -> TrainingEvent:
    """Close a held event: seats not checked in become no-shows, the waiting list is closed."""
    locked = (
        _lock(actor, event)
        if actor is not None
        else TrainingEvent.objects.select_for_update().get(pk=event.pk)
    )
    if locked.status == EventStatus.PUBLISHED and locked.starts_at > now():
        raise TransitionError(
            _("The event has not started yet; it can be finished once it has taken place."),
            from_state=locked.status,
            to_state=EventStatus.FINISHED,
        )
    if actor is None:  # the scheduled command: the same rule, no person acting
        if locked.status != EventStatus.PUBLISHED:
            raise TransitionError(_("Only a published event can be finished."), from_state=locked.status)
        locked.status = EventStatus.FINISHED
        locked.save(update_fields=["status", "updated_at"])
        _log(locked, "finished", None, from_state=EventStatus.PUBLISHED, to_state=EventStatus.FINISHED)
        event = locked
    else:
        event = _transition(actor, locked, (EventStatus.PUBLISHED,), EventStatus.FINISHED, "finished")
    for registration in event.registrations.filter(status=RegistrationStatus.REGISTERED):
        registration.status = RegistrationStatus.NO_SHOW
        registration.save(update_fields=["status", "updated_at"])
        _log(event, "no_show", actor, registration=registration, from_state=RegistrationStatus.REGISTERED,
             to_state=RegistrationStatus.NO_SHOW)  # fmt: skip
    for registration in event.registrations.filter(status=RegistrationStatus.WAITLISTED):
        registration.status = RegistrationStatus.CANCELLED
        registration.position = None
        registration.cancelled_at = now()
        registration.save(update_fields=["status", "position", "cancelled_at", "updated_at"])
        _log(event, "registration_cancelled", actor, registration=registration,
             from_state=RegistrationStatus.WAITLISTED, to_state=RegistrationStatus.CANCELLED,
             note="event finished")  # fmt: skip
    return event


def finish_ended_events(at=None) -> int:
    """Finish published events that ended before `at` (the `finish_training_events` command)."""
    at = at or now()
    done = 0
    for pk in TrainingEvent.objects.filter(status=EventStatus.PUBLISHED, ends_at__lt=at).values_list(
        "pk", flat=True
    ):
        try:
            do_finish_event(None, TrainingEvent(pk=pk))
        except TransitionError:
            continue  # finished by someone else meanwhile
        done += 1
    return done


# --- registrations ----------------------------------------------------------------------------


def _fill_seats(event: TrainingEvent, actor=None) -> list[Registration]:
    """Seat people from the waiting list, in order, while seats are free (event row locked)."""
    if event.status != EventStatus.PUBLISHED or event.starts_at <= now():
        return []
    free = event.capacity - event.registrations.filter(status__in=SEATED).count()
    promoted = []
    if free <= 0:
        return promoted
    waiting = event.registrations.filter(status=RegistrationStatus.WAITLISTED).select_related("user")
    for registration in waiting.order_by("position", "pk")[:free]:
        registration.status = RegistrationStatus.REGISTERED
        registration.position = None
        registration.save(update_fields=["status", "position", "updated_at"])
        _log(event, "promoted", actor, registration=registration, from_state=RegistrationStatus.WAITLISTED,
             to_state=RegistrationStatus.REGISTERED)  # fmt: skip
        _notify(
            [registration.user],
            "training_seat",
            _("You have a seat: %(title)s") % {"title": event.title},
            _("A seat became free and is now yours. The event starts %(when)s.")
            % {"when": timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M")},
            event,
        )
        promoted.append(registration)
    return promoted


def _overlapping(user, event) -> Registration | None:
    return (
        Registration.objects.filter(
            user=user,
            status__in=(RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED),
            event__status=EventStatus.PUBLISHED,
            event__starts_at__lt=event.ends_at,
            event__ends_at__gt=event.starts_at,
        )
        .exclude(event=event)
        .select_related("event")
        .first()
    )


def do_register(user, event: TrainingEvent) -> tuple[Registration, bool]:
    """Take a seat, or a place on the waiting list when full. Returns (registration, created);
    a second submission returns the live registration it made the first time."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied
    try:
        return _register(user, event)
    except IntegrityError:
        # Two submissions raced past the check; the constraint kept one: return it.
        existing = Registration.objects.live().filter(event_id=event.pk, user=user).first()
        if existing is None:
            raise
        return existing, False


@transaction.atomic
def _register(user, event):
    # The event row lock serialises registrations of one event, so seats never exceed capacity.
    event = TrainingEvent.objects.restrict(user).select_for_update().filter(pk=event.pk).first()
    if event is None:
        raise PermissionDenied
    existing = Registration.objects.live().filter(event=event, user=user).first()
    if existing is not None:
        return existing, False
    at = now()
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError(
            {
                "event": [
                    _("The event is %(status)s; registration is closed.")
                    % {"status": event.get_status_display().lower()}
                ]
            }
        )
    if event.registration_opens_at and at < event.registration_opens_at:
        raise ValidationError(
            {"event": [_("Registration opens %(when)s.") % {"when": _local(event.registration_opens_at)}]}
        )
    if at > event.registration_closes():
        raise ValidationError(
            {"event": [_("Registration closed %(when)s.") % {"when": _local(event.registration_closes())}]}
        )
    clash = _overlapping(user, event)
    if clash is not None:
        raise ValidationError(
            {
                "event": [
                    _("You are already registered for “%(title)s” at that time (%(when)s); cancel it first.")
                    % {"title": clash.event.title, "when": _local(clash.event.starts_at)}
                ]
            }
        )
    seated = event.registrations.filter(status__in=SEATED).count()
    if seated < event.capacity:
        registration = Registration.objects.create(
            event=event, user=user, status=RegistrationStatus.REGISTERED
        )
    else:
        last = event.registrations.filter(status=RegistrationStatus.WAITLISTED).aggregate(m=Max("position"))[
            "m"
        ]
        registration = Registration.objects.create(
            event=event, user=user, status=RegistrationStatus.WAITLISTED, position=(last or 0) + 1
        )
    _log(event, registration.status, user, registration=registration, to_state=registration.status)
    return registration, True


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _registration_for_change(actor, registration: Registration) -> Registration:
    found = Registration.objects.restrict(actor, CHANGE).filter(pk=registration.pk).first()
    if found is None:
        raise PermissionDenied
    return found


@transaction.atomic
def do_cancel_registration(actor, registration: Registration) -> Registration:
    """The person (or a manager of the event) gives up a seat or a waiting place; the first
    person waiting gets a freed seat and is told so."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    registration = _registration_for_change(actor, registration)
    event = TrainingEvent.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        return registration
    if registration.status not in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED):
        raise ValidationError(
            {
                "registration": [
                    _("A registration marked %(status)s cannot be cancelled.")
                    % {"status": registration.get_status_display().lower()}
                ]
            }
        )
    if event.status != EventStatus.PUBLISHED or event.starts_at <= now():
        raise ValidationError(
            {"registration": [_("The event has started; registrations can no longer be cancelled.")]}
        )
    before = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.position = None
    registration.cancelled_at = now()
    registration.save(update_fields=["status", "position", "cancelled_at", "updated_at"])
    _log(event, "registration_cancelled", actor, registration=registration, from_state=before,
         to_state=RegistrationStatus.CANCELLED)  # fmt: skip
    if before == RegistrationStatus.REGISTERED:
        _fill_seats(event, None)
    return registration


def check_code_matches(event: TrainingEvent, code) -> bool:
    if not isinstance(code, str):
        return False
    return code.strip().upper().replace(" ", "") == event.checkin_code


@transaction.atomic
def do_check_in(
    actor, event: TrainingEvent, *, code=None, registration: Registration | None = None
) -> Registration:
    """Check in: the person with the event's code, or a manager of the event for an attendee.
    Only within the window around the event (ZHICHAN_TRAINING_CHECKIN_MINUTES before the start to
    the end). Checking in twice changes nothing."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    if registration is not None:  # staff check in an attendee: no code needed
        if not TrainingEvent.objects.restrict(actor, CHANGE).filter(pk=registration.event_id).exists():
            raise PermissionDenied
        event = TrainingEvent.objects.select_for_update().get(pk=registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
    else:
        event = TrainingEvent.objects.restrict(actor).select_for_update().filter(pk=event.pk).first()
        if event is None:
            raise PermissionDenied
        if not check_code_matches(event, code):
            raise ValidationError({"code": [_("That is not this event's check-in code.")]})
        registration = Registration.objects.select_for_update().live().filter(event=event, user=actor).first()
        if registration is None:
            raise ValidationError({"code": [_("You are not registered for this event.")]})
    if registration.status == RegistrationStatus.ATTENDED:
        return registration
    if registration.status == RegistrationStatus.WAITLISTED:
        raise ValidationError(
            {"code": [_("You are on the waiting list and hold no seat; check-in is for seated people.")]}
        )
    if registration.status != RegistrationStatus.REGISTERED:
        raise ValidationError(
            {
                "code": [
                    _("A registration marked %(status)s cannot be checked in.")
                    % {"status": registration.get_status_display().lower()}
                ]
            }
        )
    if event.status != EventStatus.PUBLISHED:
        raise ValidationError(
            {
                "code": [
                    _("The event is %(status)s; check-in is closed.")
                    % {"status": event.get_status_display().lower()}
                ]
            }
        )
    opens, closes = event.checkin_window()
    at = now()
    if at < opens:
        raise ValidationError({"code": [_("Check-in opens %(when)s.") % {"when": _local(opens)}]})
    if at > closes:
        raise ValidationError({"code": [_("Check-in closed %(when)s.") % {"when": _local(closes)}]})
    registration.status = RegistrationStatus.ATTENDED
    registration.checked_in_at = at
    registration.checked_in_by = actor
    registration.save(update_fields=["status", "checked_in_at", "checked_in_by", "updated_at"])
    _log(event, "checked_in", actor, registration=registration, from_state=RegistrationStatus.REGISTERED,
         to_state=RegistrationStatus.ATTENDED, by_staff=actor.pk != registration.user_id)  # fmt: skip
    return registration


@transaction.atomic
def do_give_feedback(user, registration: Registration, rating, comment="") -> Feedback:
    if user is None or not user.is_authenticated:
        raise PermissionDenied
    registration = Registration.objects.select_for_update().filter(pk=registration.pk, user=user).first()
    if registration is None:
        raise PermissionDenied
    errors: dict = {}
    rating = _int(rating, "rating", errors, 1, 5)
    comment = clean_text(comment, "comment", errors, max_length=2000)
    if registration.status != RegistrationStatus.ATTENDED:
        errors["registration"] = [_("Feedback is for people who attended the event.")]
    elif Feedback.objects.filter(registration=registration).exists():
        errors["registration"] = [_("You have already given feedback on this event.")]
    if errors:
        raise ValidationError(errors)
    feedback = Feedback.objects.create(registration=registration, rating=rating, comment=comment)
    _log(registration.event, "feedback", user, registration=registration, rating=rating)
    return feedback


def certificate_refusal(registration: Registration) -> str | None:
    """Why there is no certificate for this registration (None: there is one)."""
    if registration.status != RegistrationStatus.ATTENDED:
        return _("Certificates are for people who attended.")
    if registration.event.status != EventStatus.FINISHED:
        return _("The certificate is ready once the organiser has closed the event.")
    return None


def live_registration(user, event) -> Registration | None:
    if user is None or not user.is_authenticated:
        return None
    return Registration.objects.live().filter(event=event, user=user).first()


def seats(event: TrainingEvent) -> dict:
    counts = dict.fromkeys(RegistrationStatus.values, 0)
    for row in event.registrations.values("status").order_by().annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    taken = sum(counts[s] for s in SEATED)
    return {"taken": taken, "free": max(event.capacity - taken, 0), "waiting": counts["waitlisted"], **counts}
