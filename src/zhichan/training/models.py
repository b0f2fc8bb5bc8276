"""Training events (courses, lectures, the touring 万里行 visits) and who registers, attends and rates them.

An event is organised by an agency in a region. Its organiser's staff, the administrator of the
event's county and the city administrator manage it; everyone sees it once published. A
registration holds a seat (registered), waits for one (waitlisted, in `position` order), or ends
as attended, no-show or cancelled. One person holds at most one live registration per event.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichan.accounts.models import AGENCY_ROLES
from zhichan.core.models import EventModel, TimeStampedModel
from zhichan.core.permissions import CHANGE, RestrictedQuerySet, role_of

# No 0/O or 1/I/L: the code is read off a screen or a printed sheet and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def new_checkin_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Audience(models.TextChoices):
    ENTERPRISES = "enterprises", _("Enterprises")
    FOREIGN = "foreign", _("Foreign-related enterprises")
    SCHOOLS = "schools", _("Schools")
    AGENCY_STAFF = "agency_staff", _("Agency staff")
    TOUR = "tour", _("Touring service visit (万里行)")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")
    FINISHED = "finished", _("Finished")


def managed_filter(user) -> Q | None:
    """The events `user` manages as a Q (None: none; Q(): all)."""
    role = role_of(user)
    if role == "city_admin":
        return Q()
    if role == "county_admin" and user.region_id:
        return Q(region_id__in=user.region.subtree_ids())
    if role in AGENCY_ROLES and user.agency_id:
        return Q(organiser_id=user.agency_id)
    return None


class TrainingEventQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        managed = managed_filter(user)
        if managed is not None and not managed:  # Q(): everything (an empty Q would vanish in an OR)
            return self
        if action == CHANGE:
            return self.none() if managed is None else self.filter(managed)
        public = ~Q(status=EventStatus.DRAFT)
        return self.filter(public if managed is None else public | managed)

    def upcoming(self, at=None):
        return self.filter(status=EventStatus.PUBLISHED, ends_at__gte=at or timezone.now())


class TrainingEvent(TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, db_index=True)
    organiser = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="training_events",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="training_events"
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    hours = models.DecimalField(_("hours credited"), max_digits=4, decimal_places=1)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT, db_index=True
    )
    checkin_code = models.CharField(_("check-in code"), max_length=12, default=new_checkin_code)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    objects = TrainingEventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("training event")
        verbose_name_plural = _("training events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="training_event_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="training_event_capacity_positive"),
        ]

    def __str__(self):
        return self.title

    def registration_closes(self):
        """When registration closes: the set time, else the start."""
        return self.registration_closes_at or self.starts_at

    def registration_open(self, at=None) -> bool:
        at = at or timezone.now()
        if self.status != EventStatus.PUBLISHED:
            return False
        if self.registration_opens_at and at < self.registration_opens_at:
            return False
        return at <= self.registration_closes()

    def checkin_window(self):
        before = timezone.timedelta(minutes=settings.ZHICHAN_TRAINING_CHECKIN_MINUTES)
        return self.starts_at - before, self.ends_at

    def checkin_open(self, at=None) -> bool:
        at = at or timezone.now()
        opens, closes = self.checkin_window()
        return self.status == EventStatus.PUBLISHED and opens <= at <= closes


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not attend")


LIVE = (
    RegistrationStatus.REGISTERED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.ATTENDED,
    RegistrationStatus.NO_SHOW,
)
# Statuses that hold one of the event's seats.
SEATED = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW)


class RegistrationQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        if user is None or not user.is_authenticated:
            return self.none()
        managed = managed_filter(user)
        own = Q(user_id=user.pk)
        if managed is not None and not managed:
            return self
        if managed is None:
            return self.filter(own)
        managed_events = TrainingEvent.objects.filter(managed).values("pk")
        return self.filter(own | Q(event_id__in=managed_events))

    def live(self):
        return self.filter(status__in=LIVE)


class Registration(TimeStampedModel):
    event = models.ForeignKey(
        TrainingEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE,
        related_name="training_registrations",
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices, db_index=True)
    # Place on the waiting list (1 = next to get a seat); empty once seated.
    position = models.PositiveIntegerField(_("waiting-list position"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked in by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["event", "created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=~Q(status="cancelled"),
                name="training_one_live_registration",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.event}"

    @property
    def certificate_number(self) -> str:
        return f"PX{self.event.starts_at:%Y}-{self.event_id:04d}-{self.pk:05d}"


class Feedback(models.Model):
    """An attendee's rating of an event: once, after attending."""

    registration = models.OneToOneField(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="training_feedback_rating_1_5"
            )
        ]

    def __str__(self):
        return f"{self.rating}/5 · {self.registration}"


class TrainingLog(EventModel):
    """One row per state change of an event or of one of its registrations."""

    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="log")
    registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.CASCADE, related_name="log"
    )

    class Meta(EventModel.Meta):
        verbose_name = _("training log entry")
        verbose_name_plural = _("training log entries")

    @property
    def label(self):
        return LOG_LABELS.get(self.kind, self.kind)


LOG_LABELS = {
    "created": _("Event created"),
    "updated": _("Event changed"),
    "published": _("Event published"),
    "cancelled": _("Event cancelled"),
    "finished": _("Event finished"),
    "registered": _("Registered"),
    "waitlisted": _("Put on the waiting list"),
    "promoted": _("Moved from the waiting list to a seat"),
    "registration_cancelled": _("Registration cancelled"),
    "checked_in": _("Checked in"),
    "no_show": _("Marked as not attending"),
    "feedback": _("Feedback given"),
}
