"""Watch lists: what an enterprise (or an agency on its behalf) watches, and the alerts raised."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhichan.core.models import TimeStampedModel
from zhichan.core.permissions import CHANGE, RestrictedQuerySet, role_of


class Digest(models.TextChoices):
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    OFF = "off", _("Inbox only, no e-mail")


class WatchListQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        role = role_of(user)
        if role == "enterprise":
            return self.filter(enterprise_id=user.enterprise_id) if user.enterprise_id else self.none()
        if role in ("agency_staff", "agency_admin"):
            return self.filter(agency_id=user.agency_id) if user.agency_id else self.none()
        if action == CHANGE:
            return self.none()  # administrators oversee lists; their owners keep them
        if role == "county_admin" and user.region_id:
            return self.filter(enterprise__region_id__in=user.region.subtree_ids())
        if role == "city_admin":
            return self
        return self.none()


class WatchList(TimeStampedModel):
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE,
        related_name="watch_lists",
    )  # fmt: skip
    # The agency that keeps the list on the enterprise's behalf (its staff see and change it).
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("kept by agency"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="watch_lists",
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(_("e-mail"), max_length=10, choices=Digest.choices, default=Digest.DAILY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    objects = WatchListQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise__name", "name", "pk"]
        verbose_name = _("watch list")
        verbose_name_plural = _("watch lists")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "name"], name="watch_list_name_per_enterprise"),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.name}"


class ItemKind(models.TextChoices):
    MARK = "mark", _("Own trademark")
    PATENT = "patent", _("Own patent")
    APPLICANT = "applicant", _("Competitor")
    FIELD = "field", _("Technology field")


class WatchItem(TimeStampedModel):
    watch_list = models.ForeignKey(WatchList, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("watches"), max_length=10, choices=ItemKind.choices)
    # mark: the word mark and its Nice classes; applicant: the competitor's name; field: a label
    text = models.CharField(_("mark, name or label"), max_length=200, blank=True)
    nice_classes = models.JSONField(_("Nice classes"), default=list, blank=True)
    patent = models.ForeignKey(
        "ipdata.Patent", verbose_name=_("patent"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    ipc_prefixes = models.JSONField(_("IPC codes"), default=list, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    # patent: the legal status last seen, so that a change is told once.
    last_status = models.CharField(_("status last seen"), max_length=20, blank=True)

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("watched item")
        verbose_name_plural = _("watched items")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.label}"

    @property
    def label(self) -> str:
        if self.kind == ItemKind.PATENT and self.patent_id:
            return f"{self.patent.title} ({self.patent.application_number})"
        return self.text


class AlertKind(models.TextChoices):
    SIMILAR_MARK = "similar_mark", _("Similar trademark published")
    STATUS_CHANGE = "status_change", _("Legal status changed")
    COMPETITOR_FILING = "competitor_filing", _("New filing by a competitor")
    FIELD_FILING = "field_filing", _("New filing in a watched field")


class AlertQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        lists = WatchList.objects.restrict(user, action).values("pk")
        return self.filter(watch_list_id__in=lists)


class Alert(models.Model):
    watch_list = models.ForeignKey(WatchList, on_delete=models.CASCADE, related_name="alerts")
    item = models.ForeignKey(WatchItem, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("alert"), max_length=20, choices=AlertKind.choices)
    # What raised it, once per item: the scan may run again and must not repeat an alert.
    key = models.CharField(max_length=120)
    patent = models.ForeignKey(
        "ipdata.Patent", verbose_name=_("patent"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    trademark = models.ForeignKey(
        "ipdata.Trademark", verbose_name=_("trademark"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    summary = models.CharField(_("summary"), max_length=300)
    # similar_mark: score, risk, reasons, last_day_to_oppose; status_change: from, to
    detail = models.JSONField(_("details"), default=dict, blank=True)
    due = models.DateField(_("act by"), null=True, blank=True)  # the last day to oppose
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    digested_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [models.UniqueConstraint(fields=["item", "key"], name="watch_alert_once_per_item")]

    def __str__(self):
        return self.summary


class ScanMark(models.Model):
    """Up to when the alert scan has looked at new and changed records."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} {self.at:%Y-%m-%d %H:%M}"
