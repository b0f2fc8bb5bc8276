from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichan.core.models import TimeStampedModel
from zhichan.core.permissions import RestrictedQuerySet, role_of


def default_accept_hours():
    return settings.ZHICHAN_FAIR_ACCEPT_HOURS


def default_decide_hours():
    return settings.ZHICHAN_FAIR_DECIDE_HOURS


class FairQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        # The registry is public; only administrators change it.
        if action == "change":
            role = role_of(user)
            if role == "city_admin":
                return self
            if role == "county_admin" and user.region_id:
                return self.filter(region_id__in=user.region.subtree_ids())
            return self.none()
        return self

    def running(self, at=None):
        at = at or timezone.now()
        return self.filter(starts_at__lte=at, ends_at__gte=at)


class Fair(TimeStampedModel):
    """A trade fair; complaints filed while it runs take the fast track (hours, not days)."""

    name = models.CharField(_("name"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="fairs"
    )
    workstation = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("on-site workstation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fairs",
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("on-site staff"), blank=True, related_name="fairs"
    )
    # 展会知识产权保护指引 2024: hand over / decide within 24 hours; acceptance on the spot.
    accept_hours = models.PositiveIntegerField(_("hours to accept a complaint"), default=default_accept_hours)
    decide_hours = models.PositiveIntegerField(_("hours to decide a complaint"), default=default_decide_hours)

    objects = FairQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "name"]
        verbose_name = _("trade fair")
        verbose_name_plural = _("trade fairs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")), name="fair_ends_after_start"
            )
        ]

    def __str__(self):
        return self.name

    def is_running(self, at=None) -> bool:
        at = at or timezone.now()
        return self.starts_at <= at <= self.ends_at
