"""Outside providers (universities, libraries, social organisations, market agencies):
their registration applications and the offers they publish in the catalogue."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhichan.agencies.models import AgencyType
from zhichan.core.models import EventModel, TimeStampedModel
from zhichan.core.permissions import CHANGE, RestrictedQuerySet, role_of

# The agency types an organisation may register as through the application form.
PROVIDER_TYPES = (
    AgencyType.UNIVERSITY,
    AgencyType.LIBRARY,
    AgencyType.SOCIAL_ORG,
    AgencyType.MARKET_PROVIDER,
)
PROVIDER_TYPE_CHOICES = [(t.value, t.label) for t in PROVIDER_TYPES]


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ProviderApplicationQuerySet(RestrictedQuerySet):
    """Administrators only: a county administrator sees the applications for their county."""

    def for_role(self, user, action):
        role = role_of(user)
        if role == "city_admin":
            return self
        if role == "county_admin" and user.region_id:
            return self.filter(region_id__in=user.region.subtree_ids())
        return self.none()


class ProviderApplication(TimeStampedModel):
    """An organisation's request to join the service network as a provider."""

    token = models.CharField(_("status token"), max_length=64, unique=True)
    name = models.CharField(_("organisation name"), max_length=150)
    type = models.CharField(_("type"), max_length=30, choices=PROVIDER_TYPE_CHOICES)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=255)
    contact_person = models.CharField(_("contact person"), max_length=50)
    phone = models.CharField(_("phone"), max_length=50)
    email = models.EmailField(_("e-mail"))
    uscc = models.CharField(_("unified social credit code"), max_length=18, db_index=True)
    services = models.TextField(_("services offered"))
    functions = models.JSONField(_("functions"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
        db_index=True,
    )
    reason = models.TextField(_("reason for refusal"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="provider_applications",
    )
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("administrator account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ProviderApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("provider application")
        verbose_name_plural = _("provider applications")
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=Q(status="pending"), name="provider_one_pending_per_uscc"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.uscc})"


class ProviderEvidence(models.Model):
    """A file the applicant sent with the application (licence, registration certificate …)."""

    application = models.ForeignKey(ProviderApplication, on_delete=models.CASCADE, related_name="evidence")
    path = models.CharField(max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.original_name


class ProviderApplicationEvent(EventModel):
    """submitted, evidence, approved, rejected."""

    application = models.ForeignKey(ProviderApplication, on_delete=models.CASCADE, related_name="events")

    class Meta(EventModel.Meta):
        verbose_name = _("provider application event")
        verbose_name_plural = _("provider application events")


class OfferQuerySet(RestrictedQuerySet):
    def listed(self):
        return self.filter(item__published=True, item__provider__status="operating")

    def for_role(self, user, action):
        role = role_of(user)
        if role == "city_admin":
            return self
        if role == "county_admin" and user.region_id:
            own = Q(item__provider__region_id__in=user.region.subtree_ids())
            return self.filter(own) if action == CHANGE else self.filter(own) | self.listed()
        if role in ("agency_admin", "agency_staff") and user.agency_id:
            mine = Q(item__provider_id=user.agency_id)
            if action == CHANGE:
                return self.filter(mine) if role == "agency_admin" else self.none()
            return self.filter(mine) | self.listed()
        if action == CHANGE:
            return self.none()
        return self.listed()


class Offer(TimeStampedModel):
    """A provider's service offer: a catalogue item owned by the provider, plus price and reach."""

    item = models.OneToOneField(
        "catalog.ServiceItem",
        verbose_name=_("catalogue item"),
        on_delete=models.CASCADE,
        related_name="offer",
    )
    price = models.DecimalField(
        _("price (yuan)"), max_digits=9, decimal_places=2, default=0, help_text=_("0 for a free service.")
    )
    counties = models.ManyToManyField(
        "regions.Region",
        verbose_name=_("counties served"),
        blank=True,
        related_name="+",
        help_text=_("Empty: the whole city."),
    )
    capacity_note = models.CharField(_("capacity"), max_length=200, blank=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["item__category", "item__sort", "item__code"]
        verbose_name = _("service offer")
        verbose_name_plural = _("service offers")

    def __str__(self):
        return str(self.item)

    @property
    def provider(self):
        return self.item.provider

    @property
    def is_free(self):
        return not self.price

    @property
    def is_withdrawn(self):
        return not self.item.published

    def refusal_for(self, region) -> str | None:
        """Why a request from `region` is outside the counties served (None: it is inside)."""
        served = list(self.counties.all())
        if not served or region is None:
            return None
        ids = {r.pk for r in served}
        node = region
        while node is not None:
            if node.pk in ids:
                return None
            node = node.parent
        return _("This offer serves only %(counties)s.") % {
            "counties": ", ".join(r.display_name for r in served)
        }
