from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from zhichan.core.models import EventModel, TimeStampedModel
from zhichan.core.permissions import CHANGE, RestrictedQuerySet, role_of


class Level(models.TextChoices):
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    PARK = "park", _("Park")


class AgencyType(models.TextChoices):
    SERVICE_CENTRE = "service_centre", _("Public service centre")
    TM_WINDOW = "tm_window", _("Trademark acceptance window")
    ASSISTANCE_BRANCH = "assistance_branch", _("Rights-protection assistance branch")
    WORKSTATION = "workstation", _("Service workstation")
    TM_GUIDANCE_STATION = "tm_guidance_station", _("Trademark brand guidance station")
    TISC = "tisc", _("Information service outlet (TISC)")
    UNIVERSITY = "university", _("University or research institute")
    LIBRARY = "library", _("Public library")
    SOCIAL_ORG = "social_org", _("Social organisation")
    MARKET_PROVIDER = "market_provider", _("Market service provider")
    FINANCIAL = "financial", _("Financial institution")


# A guidance station may be upgraded to one of these comprehensive types.
COMPREHENSIVE_TYPES = {AgencyType.SERVICE_CENTRE, AgencyType.WORKSTATION}


class Function(models.TextChoices):
    PROTECTION = "protection", _("Protection")
    RIGHTS_DEFENCE = "rights_defence", _("Rights defence")
    MEDIATION = "mediation", _("Mediation")
    CONSULTATION = "consultation", _("Consultation")
    INFORMATION = "information", _("Information")
    OPERATION_FINANCE = "operation_finance", _("Operation and finance")
    TRAINING = "training", _("Training")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPERATING = "operating", _("Operating")
    RECTIFYING = "rectifying", _("Under rectification")
    CLOSED = "closed", _("Closed")


# The lifecycle: which status may follow which.
TRANSITIONS = {
    Status.PLANNED: {Status.OPERATING, Status.CLOSED},
    Status.OPERATING: {Status.RECTIFYING, Status.CLOSED},
    Status.RECTIFYING: {Status.OPERATING, Status.CLOSED},
    Status.CLOSED: set(),
}
PUBLIC_STATUSES = (Status.OPERATING, Status.RECTIFYING)


class AgencyQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        role = role_of(user)
        if role == "city_admin":
            return self
        if role == "county_admin" and user.region_id:
            own = Q(region_id__in=user.region.subtree_ids())
        elif role in ("agency_admin", "agency_staff") and user.agency_id:
            own = Q(pk=user.agency_id) | Q(parent_id=user.agency_id)
            if action == CHANGE and role == "agency_staff":
                return self.none()
        else:
            own = Q(pk__in=[])
        if action == CHANGE:
            return self.filter(own)
        return self.filter(own | Q(status__in=PUBLIC_STATUSES))

    def public(self):
        return self.filter(status__in=PUBLIC_STATUSES)

    def operating(self):
        return self.filter(status=Status.OPERATING)


class Agency(TimeStampedModel):
    """A service agency or outlet (服务网点) of the city's IP public service network."""

    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    type = models.CharField(_("type"), max_length=30, choices=AgencyType.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="agencies"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outlets",
    )
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    services = models.ManyToManyField(
        "catalog.ServiceItem", verbose_name=_("services offered"), blank=True, related_name="agencies"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["region__sort", "level", "name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="agency_unique_name_in_region")
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    @property
    def function_codes(self) -> list[str]:
        return [f.function for f in self.functions.all()]

    def get_function_labels(self) -> list[str]:
        labels = dict(Function.choices)
        return [labels[c] for c in self.function_codes if c in labels]

    @property
    def is_public(self):
        return self.status in PUBLIC_STATUSES


class AgencyFunction(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="functions")
    function = models.CharField(_("function"), max_length=20, choices=Function.choices)

    class Meta:
        ordering = ["function"]
        constraints = [models.UniqueConstraint(fields=["agency", "function"], name="agency_function_once")]

    def __str__(self):
        return self.get_function_display()


class AgencyEvent(EventModel):
    """Lifecycle changes, reviews, upgrades and edits of an agency: its history."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="events")

    class Meta(EventModel.Meta):
        verbose_name = _("agency event")
        verbose_name_plural = _("agency events")
