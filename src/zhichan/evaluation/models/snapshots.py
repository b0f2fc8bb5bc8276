"""The network as it was: one day's outlets, coverage and catalogue (see evaluation/snapshots.py)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NetworkSnapshot(models.Model):
    """One network figure of one region (or one agency) as recorded on one day.

    `key` is the figure ("outlets_operating", "functions_covered", "functions_total",
    "catalogue_items"); `region` is any region (the city, a county, a park) and the value is the
    figure of that region as the network metrics count it (its subtree included); `agency` is set
    instead for the catalogue items an agency provides. A day's rows are written together and
    replace that day's earlier rows; only evaluation/snapshots.py writes here.
    """

    day = models.DateField(_("day"))
    key = models.CharField(_("figure"), max_length=40)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    value = models.PositiveIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("network snapshot")
        verbose_name_plural = _("network snapshots")
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=False, agency__isnull=True)
                | Q(region__isnull=True, agency__isnull=False),
                name="evaluation_snapshot_region_or_agency",
            ),
            models.UniqueConstraint(
                fields=["day", "key", "region"],
                condition=Q(agency__isnull=True),
                name="evaluation_snapshot_one_per_region",
            ),
            models.UniqueConstraint(
                fields=["day", "key", "agency"],
                condition=Q(region__isnull=True),
                name="evaluation_snapshot_one_per_agency",
            ),
        ]
        indexes = [models.Index(fields=["day"], name="evaluation_snapshot_day")]

    def __str__(self):
        return f"{self.day} {self.key} r{self.region_id} a{self.agency_id}: {self.value}"
