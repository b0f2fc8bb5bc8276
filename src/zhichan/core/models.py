from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
