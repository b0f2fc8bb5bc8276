from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from zhichan.core.models import EventModel, TimeStampedModel
from zhichan.core.permissions import CHANGE, RestrictedQuerySet, role_of


class Category(models.TextChoices):
    GOVERNMENT = "government", _("Government affairs")
    INFORMATION = "information", _("Information services")
    PROTECTION = "protection", _("Protection")
    OPERATION_FINANCE = "operation_finance", _("Operation and finance")
    TRAINING = "training", _("Training and consulting")


class Channel(models.TextChoices):
    WINDOW = "window", _("Service window")
    ONLINE = "online", _("Online")
    HOTLINE = "hotline", _("Hotline")


class GuideStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("In force")
    SUPERSEDED = "superseded", _("Superseded")


# What the public sees: published items; an outside provider's offer only while it operates.
LISTED = Q(published=True) & (Q(provider__isnull=True) | Q(provider__status="operating"))


class ServiceItemQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        role = role_of(user)
        if role == "city_admin":
            return self
        if role == "county_admin" and user.region_id:
            own = Q(owner_region_id__in=user.region.subtree_ids())
            return self.filter(own) if action == CHANGE else self.filter(own | LISTED)
        if role in ("agency_admin", "agency_staff") and user.agency_id:
            # A provider's own offers: its administrator edits them, its people see them all.
            mine = Q(provider_id=user.agency_id)
            if action == CHANGE:
                return self.filter(mine) if role == "agency_admin" else self.none()
            return self.filter(mine | LISTED)
        if action == CHANGE:
            return self.none()
        return self.filter(LISTED)

    def published(self):
        return self.filter(published=True)


class ServiceItem(TimeStampedModel):
    """A service in the public catalogue; its guide lives in numbered versions."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    summary = models.TextField(_("summary"), blank=True)
    owner_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("published by (region)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for city-wide items."),
    )
    # Set for an outside provider's offer (docs/providers.md): its cases go to this agency.
    provider = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("offered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offered_items",
    )
    sort = models.PositiveIntegerField(_("order"), default=0)
    # Set when a version is first published; the public sees only published items.
    published = models.BooleanField(_("published"), default=False, db_index=True)
    current = models.ForeignKey(
        "GuideVersion",
        verbose_name=_("version in force"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        ordering = ["category", "sort", "code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class GuideVersion(models.Model):
    """One version of a service guide. The draft has no number; publishing numbers a copy."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=GuideStatus.choices, default=GuideStatus.DRAFT
    )
    steps = models.JSONField(_("steps"), default=list, blank=True)
    materials = models.JSONField(_("required materials"), default=list, blank=True)
    fees = models.TextField(_("fees"), blank=True)
    legal_basis = models.JSONField(_("legal basis"), default=list, blank=True)
    time_limit_days = models.PositiveIntegerField(_("time limit (working days)"), null=True, blank=True)
    time_limit_note = models.CharField(_("time limit note"), max_length=200, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    agency_types = models.JSONField(_("provided by agency types"), default=list, blank=True)
    faq = models.JSONField(_("FAQ"), default=list, blank=True)
    change_note = models.CharField(_("what changed"), max_length=255, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(_("edited at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["item", "-number"]
        verbose_name = _("guide version")
        verbose_name_plural = _("guide versions")
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="guide_version_number_once"),
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="draft"), name="guide_one_draft_per_item"
            ),
        ]

    def __str__(self):
        return f"{self.item.code} v{self.number}" if self.number else f"{self.item.code} draft"


class ServiceItemEvent(EventModel):
    """The timeline of a service item: created, details changed, draft saved, version published."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="events")

    class Meta(EventModel.Meta):
        verbose_name = _("service item event")
        verbose_name_plural = _("service item events")
