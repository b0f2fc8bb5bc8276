"""IP custody (托管): an agency looks after an enterprise's patents and trademarks.

A custody names the agency, the enterprise, its period and the rights in it; the agency
records what it did about each deadline (fee paid, renewed, abandoned). Agency staff read
their agency's custodies, county administrators those of enterprises in their county, the
city administrator all, and an enterprise user those of the enterprise they represent
(User.enterprise, confirmed by an administrator).
Only the agency (and the city administrator) changes a custody.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _

from zhichan.accounts.models import AGENCY_ROLES
from zhichan.core.files import file_store
from zhichan.core.models import EventModel, TimeStampedModel
from zhichan.core.permissions import CHANGE, RestrictedQuerySet, role_of


class _CustodyFiles(LazyObject):
    def _setup(self):
        self._wrapped = file_store("ZHICHAN_CUSTODY_FILES_ROOT")


custody_files = _CustodyFiles()


def _custody_files():
    return custody_files


def _evidence_to(instance, filename):
    return f"{instance.custody_id}/{timezone.now():%Y%m%d%H%M%S}-{filename[-80:]}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CustodyQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        role = role_of(user)
        if role == "city_admin":
            return self
        if role in AGENCY_ROLES and user.agency_id:
            return self.filter(agency_id=user.agency_id)
        if action == CHANGE:
            return self.none()
        if role == "county_admin" and user.region_id:
            return self.filter(enterprise__region_id__in=user.region.subtree_ids())
        if role == "enterprise" and user.enterprise_id:
            return self.filter(enterprise_id=user.enterprise_id)
        return self.none()

    def active(self):
        return self.filter(status=CustodyStatus.ACTIVE)


class CustodyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class Custody(TimeStampedModel):
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="custodies"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="custodies",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)  # open-ended when empty
    status = models.CharField(
        _("status"), max_length=10, choices=CustodyStatus.choices, default=CustodyStatus.ACTIVE, db_index=True
    )
    patents = models.ManyToManyField(
        "ipdata.Patent", verbose_name=_("patents"), blank=True, related_name="custodies"
    )
    trademarks = models.ManyToManyField(
        "ipdata.Trademark", verbose_name=_("trademarks"), blank=True, related_name="custodies"
    )
    note = models.TextField(_("note"), blank=True)
    # The secret of the iCalendar feed URL; rotating it cuts off old subscriptions.
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    objects = CustodyQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("custody")
        verbose_name_plural = _("custodies")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="custody_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.agency}"

    def covers(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class ActionKind(models.TextChoices):
    FEE_PAID = "fee_paid", _("Fee paid")
    RENEWED = "renewed", _("Renewed")
    ABANDONED = "abandoned", _("Abandoned")


class CustodyAction(TimeStampedModel):
    """What was done about one deadline of one right: at most one action per deadline."""

    custody = models.ForeignKey(Custody, on_delete=models.CASCADE, related_name="actions")
    patent = models.ForeignKey(
        "ipdata.Patent",
        verbose_name=_("patent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    trademark = models.ForeignKey(
        "ipdata.Trademark", verbose_name=_("trademark"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    right_key = models.CharField(_("right"), max_length=40)  # "patent:<number>" or "trademark:<number>"
    deadline_key = models.CharField(_("deadline"), max_length=40)
    deadline_kind = models.CharField(_("deadline kind"), max_length=20)
    due = models.DateField(_("due"))
    action = models.CharField(_("action"), max_length=12, choices=ActionKind.choices)
    done_on = models.DateField(_("done on"))
    note = models.TextField(_("note"), blank=True)
    evidence = models.FileField(
        _("evidence"), upload_to=_evidence_to, storage=_custody_files, max_length=200, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-done_on", "-id"]
        verbose_name = _("custody action")
        verbose_name_plural = _("custody actions")
        constraints = [
            models.UniqueConstraint(
                fields=["custody", "right_key", "deadline_key"], name="custody_action_once_per_deadline"
            ),
            models.CheckConstraint(
                condition=Q(patent__isnull=False, trademark__isnull=True)
                | Q(patent__isnull=True, trademark__isnull=False),
                name="custody_action_one_right",
            ),
        ]

    def __str__(self):
        return f"{self.right_key} {self.deadline_key} {self.action}"

    @property
    def right(self):
        return self.patent or self.trademark


class ReminderStage(models.TextChoices):
    DUE = "due", _("Before the due date")
    GRACE = "grace", _("Entered the grace period")
    GRACE_END = "grace_end", _("Before the grace period ends")


class CustodyReminder(models.Model):
    """A reminder sent: one per deadline, stage and lead time, so a rerun of the scan sends
    nothing twice. lead_days counts to the due date (stage due), to the grace end (grace_end),
    or is 0 (grace: the day it was entered)."""

    custody = models.ForeignKey(Custody, on_delete=models.CASCADE, related_name="reminders")
    right_key = models.CharField(max_length=40)
    deadline_key = models.CharField(max_length=40)
    stage = models.CharField(max_length=10, choices=ReminderStage.choices, default=ReminderStage.DUE)
    lead_days = models.PositiveIntegerField()
    due = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("custody reminder")
        verbose_name_plural = _("custody reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["custody", "right_key", "deadline_key", "stage", "lead_days"],
                name="custody_reminder_once_per_stage",
            )
        ]

    def __str__(self):
        return f"{self.right_key} {self.deadline_key} {self.stage} -{self.lead_days}d"


class CustodyEvent(EventModel):
    """Created, rights changed, action recorded, feed token rotated, ended."""

    custody = models.ForeignKey(Custody, on_delete=models.CASCADE, related_name="events")

    class Meta(EventModel.Meta):
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")

    @property
    def label(self):
        return EVENT_LABELS.get(self.kind, self.kind)


EVENT_LABELS = {
    "created": _("Custody started"),
    "rights": _("Rights changed"),
    "action": _("Action recorded"),
    "token": _("Calendar link renewed"),
    "ended": _("Custody ended"),
}
