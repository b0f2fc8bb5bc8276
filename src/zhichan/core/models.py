from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhichan.core.permissions import RestrictedQuerySet, role_of


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class EventModel(models.Model):
    """One row per state change: who, when, from, to and why (the record's timeline)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=40)
    from_state = models.CharField(_("from"), max_length=40, blank=True)
    to_state = models.CharField(_("to"), max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class WorkdayOverride(models.Model):
    """A day whose working status differs from the packaged statutory calendar.

    Used for years the calendar package does not know yet, and for local decisions.
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")

    def __str__(self):
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"


class WindowCount(models.Model):
    """How often something happened for a key within one fixed time window.

    The shared count for limits when there is no Redis: every server process sees the same
    rows, where an in-process cache would count per process.
    """

    key = models.CharField(_("key"), max_length=200)
    window_start = models.DateTimeField(_("window start"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("window count")
        verbose_name_plural = _("window counts")
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="window_count_unique")]

    def __str__(self):
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:%M}: {self.count}"


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")


class AuditEntryQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        # Read by the administrators who may edit such records: the city's all, a county's
        # those of its regions; nobody changes an entry.
        if action != "view":
            return self.none()
        role = role_of(user)
        if role == "city_admin":
            return self
        if role == "county_admin" and user.region_id:
            return self.filter(region_id__in=user.region.subtree_ids())
        return self.none()

    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))

    def for_model(self, model):
        return self.filter(content_type=ContentType.objects.get_for_model(model))


class AuditEntry(models.Model):
    """One administrative change to a record (a fair, a routing rule): who, when, what changed.

    Written by core.audit.record_change inside the service's transaction.
    """

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.CharField(_("record id"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # Whose administrators may read the entry: the record's region (none: the city's only).
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def change_rows(self):
        """(field label, old, new) for display, in the model's field order."""
        from zhichan.core.audit import change_rows

        return change_rows(self)


class Submission(models.Model):
    """The record a form submission created, by the key the form carried (core.once).

    A form is given a random key when it is shown; submitting it twice (a double click, a
    resend after a timeout) finds the key and answers with the first record.
    """

    key = models.CharField(_("key"), max_length=64, unique=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self):
        return f"{self.key} → {self.content_type_id}:{self.object_id}"
