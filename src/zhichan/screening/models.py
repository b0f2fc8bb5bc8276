"""The log of screenings served: when, for whom and how many classes, for the evaluation's counts.

The mark itself is never kept: a proposed mark may be an unpublished business plan.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScreeningChannel(models.TextChoices):
    PAGE = "page", _("Page")
    EXPORT = "export", _("Export")
    API = "api", _("API")


class ScreeningLog(models.Model):
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=ScreeningChannel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    # The county of the person asking, when known (an enterprise's or an agency's region).
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("county"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    classes = models.PositiveSmallIntegerField(_("classes screened"), default=0)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("screening served")
        verbose_name_plural = _("screenings served")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.channel}"
