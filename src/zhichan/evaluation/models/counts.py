"""Daily counts of facts, pre-aggregated from append-only source rows (see evaluation/counts.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyCount(models.Model):
    """How many (or how much) of one fact happened on one day, for one agency in one region.

    `key` is the fact ("received", "finished_on_time", "pledge_amount"...), `kind` a sub-kind
    (the case type of a receipt, a rating level, an alert kind) or empty. `region` is the
    agency's (or the enterprise's, the person's) own region: a county, a park or the city for
    city-level agencies; a county's figures add its parks' rows. `agency` is empty for facts
    that belong to no agency. Only the worker writes here.
    """

    day = models.DateField(_("day"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    key = models.CharField(_("fact"), max_length=40)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        # One row per (key, day, region, agency, kind): kept by the single writer (the cursor
        # rows are locked while counting), not by a constraint, as region and agency may be empty.
        # A dashboard reads every fact of a period at once: by day, from the index alone where
        # the database can (PostgreSQL's INCLUDE); one fact over time: by key and day.
        indexes = [
            models.Index(fields=["key", "day"], name="evaluation_count_key_day"),
            models.Index(
                fields=["day"],
                include=["key", "kind", "region", "agency", "value"],
                name="evaluation_count_day",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.key}/{self.kind} r{self.region_id} a{self.agency_id}: {self.value}"


class CountCursor(models.Model):
    """How far the counts have read one source: the last id taken in."""

    source = models.CharField(_("source"), max_length=40, primary_key=True)
    position = models.BigIntegerField(_("last id counted"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("count cursor")
        verbose_name_plural = _("count cursors")

    def __str__(self):
        return f"{self.source}: {self.position}"
