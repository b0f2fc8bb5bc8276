"""Rectification notices: a management action on an agency, tied to its lifecycle.

An administrator issues a notice (findings, required actions, a deadline); the agency goes under
rectification; its administrator responds; the issuer accepts (the agency operates again),
rejects (the agency responds again) or escalates (the agency is closed). Every change writes a
RectificationEvent: the notice's timeline.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichan.core.models import EventModel, TimeStampedModel
from zhichan.core.permissions import CHANGE, RestrictedQuerySet, role_of


class NoticeStatus(models.TextChoices):
    OPEN = "open", _("Awaiting response")
    RESPONDED = "responded", _("Response under review")
    ACCEPTED = "accepted", _("Rectified")
    ESCALATED = "escalated", _("Escalated: agency closed")


# A notice is live until the issuer accepts or escalates it; an agency has at most one live notice.
LIVE_STATUSES = (NoticeStatus.OPEN, NoticeStatus.RESPONDED)


class RectificationQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        role = role_of(user)
        if role == "city_admin":
            return self
        if role == "county_admin" and user.region_id:
            return self.filter(agency__region_id__in=user.region.subtree_ids())
        if role in ("agency_admin", "agency_staff") and user.agency_id and action != CHANGE:
            return self.filter(agency_id=user.agency_id)
        return self.none()

    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def overdue(self, today=None):
        return self.live().filter(deadline__lt=today or timezone.localdate())


class RectificationNotice(TimeStampedModel):
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="rectification_notices",
    )
    findings = models.TextField(_("findings"))
    required_actions = models.TextField(_("required actions"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.OPEN, db_index=True
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The scorecard run whose findings led to the notice (a plain reference, optional).
    scorecard_run_id = models.PositiveIntegerField(_("scorecard run"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # When the issuer was told the deadline had passed (once per notice).
    overdue_notified_at = models.DateTimeField(_("overdue notice sent at"), null=True, blank=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        constraints = [
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(status__in=["open", "responded"]),
                name="rectification_one_live_notice_per_agency",
            )
        ]

    def __str__(self):
        return f"{self.agency} · {self.deadline:%Y-%m-%d}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_live and self.deadline < timezone.localdate()


class RectificationResponse(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", _("Under review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    notice = models.ForeignKey(RectificationNotice, on_delete=models.CASCADE, related_name="responses")
    text = models.TextField(_("response"))
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(_("at"), auto_now_add=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decision_note = models.TextField(_("reviewer's note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["responded_at", "id"]
        verbose_name = _("rectification response")
        verbose_name_plural = _("rectification responses")

    def __str__(self):
        return f"{self.notice} · {self.responded_at:%Y-%m-%d}"


class RectificationFile(models.Model):
    """A file attached to a response, stored privately; downloaded only by the notice's readers."""

    response = models.ForeignKey(RectificationResponse, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.original_name


EVENT_LABELS = {
    "issued": _("Notice issued"),
    "responded": _("Agency responded"),
    "accepted": _("Response accepted"),
    "rejected": _("Response rejected"),
    "escalated": _("Escalated: agency closed"),
    "overdue": _("Deadline passed"),
}


class RectificationEvent(EventModel):
    notice = models.ForeignKey(RectificationNotice, on_delete=models.CASCADE, related_name="events")

    @property
    def label(self):
        return EVENT_LABELS.get(self.kind, self.kind)

    class Meta(EventModel.Meta):
        verbose_name = _("rectification event")
        verbose_name_plural = _("rectification events")
