"""Operation and finance: loan products of the finance consortium, pledge-financing applications,
registered pledges, IP insurance policies and their claims.

A bank, guarantee company or insurer is an Agency of type "financial"; its employees are its
agency staff and administrators. They manage their institution's products, see the
applications sent to it and the pledges and policies it holds. An enterprise user sees those of
the enterprise they represent, a county administrator those of the county's enterprises, the
city administrator all.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhichan.accounts.models import AGENCY_ROLES
from zhichan.core.models import EventModel, TimeStampedModel
from zhichan.core.permissions import CHANGE, RestrictedQuerySet, role_of

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 5, "decimal_places": 2}


class IPKind(models.TextChoices):
    PATENT = "patent", _("Patent")
    TRADEMARK = "trademark", _("Trademark")


def _by_institution(qs, user, action, field, enterprise_field):
    """The shared rule: the institution's staff, the enterprise, the county, the city."""
    role = role_of(user)
    if role == "city_admin":
        return qs
    if role in AGENCY_ROLES and user.agency_id:
        return qs.filter(**{f"{field}_id": user.agency_id})
    if action == CHANGE:
        return qs.none()
    if role == "county_admin" and user.region_id:
        return qs.filter(**{f"{enterprise_field}__region_id__in": user.region.subtree_ids()})
    if role == "enterprise" and user.enterprise_id:
        return qs.filter(**{f"{enterprise_field}_id": user.enterprise_id})
    return qs.none()


class LoanProductQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        role = role_of(user)
        own = Q(pk__in=[])
        if role == "city_admin":
            return self
        if role in AGENCY_ROLES and user.agency_id:
            own = Q(institution_id=user.agency_id)
        if action == CHANGE:
            return self.filter(own)
        return self.filter(own | Q(published=True))


class LoanProduct(TimeStampedModel):
    institution = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="loan_products",
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    amount_min = models.DecimalField(_("smallest amount (yuan)"), **MONEY)
    amount_max = models.DecimalField(_("largest amount (yuan)"), **MONEY)
    term_min_months = models.PositiveSmallIntegerField(_("shortest term (months)"))
    term_max_months = models.PositiveSmallIntegerField(_("longest term (months)"))
    rate_min = models.DecimalField(_("lowest annual rate (%)"), **RATE)
    rate_max = models.DecimalField(_("highest annual rate (%)"), **RATE)
    ip_types = models.JSONField(_("eligible IP types"), default=list)  # IPKind values
    # Empty: the whole city.
    regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("regions served"), blank=True, related_name="+"
    )
    published = models.BooleanField(_("published"), default=False)

    objects = LoanProductQuerySet.as_manager()

    class Meta:
        ordering = ["institution__name", "name", "id"]
        verbose_name = _("loan product")
        verbose_name_plural = _("loan products")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_max__gte=models.F("amount_min")), name="loan_amount_range"
            ),
            models.CheckConstraint(
                condition=Q(term_max_months__gte=models.F("term_min_months")), name="loan_term_range"
            ),
            models.CheckConstraint(condition=Q(rate_max__gte=models.F("rate_min")), name="loan_rate_range"),
        ]

    def __str__(self):
        return f"{self.name} · {self.institution}"

    def get_ip_types_display(self):
        labels = dict(IPKind.choices)
        return ", ".join(str(labels.get(t, t)) for t in self.ip_types)


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REGISTERED = "registered", _("Pledge registered")
    WITHDRAWN = "withdrawn", pgettext_lazy("application status", "Withdrawn")


APPLICATION_TRANSITIONS = {
    ApplicationStatus.SUBMITTED: {
        ApplicationStatus.UNDER_REVIEW,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.UNDER_REVIEW: {
        ApplicationStatus.APPROVED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.APPROVED: {
        ApplicationStatus.REGISTERED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    },
    ApplicationStatus.REJECTED: set(),
    ApplicationStatus.REGISTERED: set(),
    ApplicationStatus.WITHDRAWN: set(),
}


class PledgeApplicationQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        return _by_institution(self, user, action, "institution", "enterprise")


class PledgeApplication(TimeStampedModel):
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
        related_name="pledge_applications",
    )  # fmt: skip
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    product = models.ForeignKey(
        LoanProduct, verbose_name=_("loan product"), on_delete=models.PROTECT, related_name="applications"
    )
    # The product's institution when sent: who sees and decides it.
    institution = models.ForeignKey(
        "agencies.Agency", verbose_name=_("institution"), on_delete=models.PROTECT,
        related_name="pledge_applications",
    )  # fmt: skip
    patents = models.ManyToManyField("ipdata.Patent", verbose_name=_("patents"), blank=True, related_name="+")
    trademarks = models.ManyToManyField(
        "ipdata.Trademark", verbose_name=_("trademarks"), blank=True, related_name="+"
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    purpose = models.TextField(_("purpose"))
    status = models.CharField(
        _("status"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED,
        db_index=True,
    )  # fmt: skip
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = PledgeApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pledge-financing application")
        verbose_name_plural = _("pledge-financing applications")

    def __str__(self):
        return f"#{self.pk} {self.enterprise} → {self.institution}"


class PledgeApplicationEvent(EventModel):
    application = models.ForeignKey(PledgeApplication, on_delete=models.CASCADE, related_name="events")

    class Meta(EventModel.Meta):
        verbose_name = _("pledge-financing application event")
        verbose_name_plural = _("pledge-financing application events")

    def get_to_state_label(self):
        return dict(ApplicationStatus.choices).get(self.to_state, self.to_state)

    def get_from_state_label(self):
        return dict(ApplicationStatus.choices).get(self.from_state, self.from_state)


class PledgeStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    RELEASED = "released", _("Released")
    DEFAULTED = "defaulted", _("Defaulted")


PLEDGE_TRANSITIONS = {
    PledgeStatus.IN_FORCE: {PledgeStatus.RELEASED, PledgeStatus.DEFAULTED},
    PledgeStatus.RELEASED: set(),
    PledgeStatus.DEFAULTED: set(),
}


class PledgeQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        return _by_institution(self, user, action, "pledgee", "pledgor")

    def in_force(self):
        return self.filter(status=PledgeStatus.IN_FORCE)


class Pledge(TimeStampedModel):
    """A registered pledge (质押登记) of patents and/or trademarks."""

    application = models.OneToOneField(
        PledgeApplication, verbose_name=_("application"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="pledge",
    )  # fmt: skip
    pledgor = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("pledgor"), on_delete=models.PROTECT, related_name="pledges"
    )
    pledgee = models.ForeignKey(
        "agencies.Agency", verbose_name=_("pledgee"), on_delete=models.PROTECT, related_name="pledges"
    )
    patents = models.ManyToManyField(
        "ipdata.Patent", verbose_name=_("patents"), blank=True, related_name="pledges"
    )
    trademarks = models.ManyToManyField(
        "ipdata.Trademark", verbose_name=_("trademarks"), blank=True, related_name="pledges"
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    registration_number = models.CharField(_("registration number"), max_length=40, unique=True)
    registered_on = models.DateField(_("registered on"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PledgeStatus.choices, default=PledgeStatus.IN_FORCE, db_index=True
    )

    objects = PledgeQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_on", "-id"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")

    def __str__(self):
        return self.registration_number


class PledgeEvent(EventModel):
    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="events")

    class Meta(EventModel.Meta):
        verbose_name = _("pledge event")
        verbose_name_plural = _("pledge events")

    def get_to_state_label(self):
        return dict(PledgeStatus.choices).get(self.to_state, self.to_state)

    def get_from_state_label(self):
        return dict(PledgeStatus.choices).get(self.from_state, self.from_state)


class PolicyKind(models.TextChoices):
    ENFORCEMENT = "enforcement", _("Patent enforcement cost")
    LIABILITY = "liability", _("Infringement liability")
    PLEDGE_GUARANTEE = "pledge_guarantee", _("Pledge financing guarantee")
    OTHER = "other", _("Other")


class InsurancePolicyQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        return _by_institution(self, user, action, "insurer", "enterprise")


class InsurancePolicy(TimeStampedModel):
    insurer = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("insurer"),
        on_delete=models.PROTECT,
        related_name="insurance_policies",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("insured enterprise"), on_delete=models.PROTECT,
        related_name="insurance_policies",
    )  # fmt: skip
    policy_number = models.CharField(_("policy number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PolicyKind.choices)
    patents = models.ManyToManyField("ipdata.Patent", verbose_name=_("patents"), blank=True, related_name="+")
    trademarks = models.ManyToManyField(
        "ipdata.Trademark", verbose_name=_("trademarks"), blank=True, related_name="+"
    )
    sum_insured = models.DecimalField(_("sum insured (yuan)"), **MONEY)
    premium = models.DecimalField(_("premium (yuan)"), **MONEY)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InsurancePolicyQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("insurance policy")
        verbose_name_plural = _("insurance policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="policy_ends_after_start"
            )
        ]

    def __str__(self):
        return self.policy_number


class ClaimStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    UNDER_REVIEW = "under_review", _("Under review")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


CLAIM_TRANSITIONS = {
    ClaimStatus.FILED: {ClaimStatus.UNDER_REVIEW, ClaimStatus.REJECTED},
    ClaimStatus.UNDER_REVIEW: {ClaimStatus.PAID, ClaimStatus.REJECTED},
    ClaimStatus.PAID: set(),
    ClaimStatus.REJECTED: set(),
}


class ClaimQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        return _by_institution(self, user, action, "policy__insurer", "policy__enterprise")


class Claim(TimeStampedModel):
    policy = models.ForeignKey(
        InsurancePolicy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="claims"
    )
    filed_on = models.DateField(_("filed on"))
    amount_claimed = models.DecimalField(_("amount claimed (yuan)"), **MONEY)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.FILED, db_index=True
    )
    outcome = models.TextField(_("outcome"), blank=True)
    amount_paid = models.DecimalField(_("amount paid (yuan)"), null=True, blank=True, **MONEY)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = _("insurance claim")
        verbose_name_plural = _("insurance claims")

    def __str__(self):
        return f"{self.policy} #{self.pk}"


class ClaimEvent(EventModel):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")

    class Meta(EventModel.Meta):
        verbose_name = _("insurance claim event")
        verbose_name_plural = _("insurance claim events")

    def get_to_state_label(self):
        return dict(ClaimStatus.choices).get(self.to_state, self.to_state)

    def get_from_state_label(self):
        return dict(ClaimStatus.choices).get(self.from_state, self.from_state)
