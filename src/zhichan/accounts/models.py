from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PUBLIC = "public", _("Member of the public")
    ENTERPRISE = "enterprise", _("Enterprise user")
    AGENCY_STAFF = "agency_staff", _("Agency staff")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    COUNTY_ADMIN = "county_admin", _("County administrator")
    CITY_ADMIN = "city_admin", _("City administrator")


AGENCY_ROLES = {Role.AGENCY_STAFF, Role.AGENCY_ADMIN}
ADMIN_ROLES = {Role.COUNTY_ADMIN, Role.CITY_ADMIN}
STAFF_ROLES = AGENCY_ROLES | ADMIN_ROLES


class User(AbstractUser):
    """A person using the system; what they may see follows from role, agency and region."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PUBLIC)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("administered region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    display_name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    organisation = models.CharField(_("enterprise or organisation"), max_length=200, blank=True)
    # What an enterprise user may see of an enterprise (its custody, watch lists, diagnoses)
    # follows from this link, which an administrator confirms; `organisation` is only what the
    # user typed at sign-up.
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise represented"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
        help_text=_("Set by an administrator once the user is confirmed to act for the enterprise."),
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username

    def clean(self):
        super().clean()
        if self.role in AGENCY_ROLES and not self.agency_id:
            raise ValidationError({"agency": _("Agency staff must belong to an agency.")})
        if self.role == Role.COUNTY_ADMIN and not self.region_id:
            raise ValidationError({"region": _("A county administrator needs a county.")})
        if self.enterprise_id and self.role != Role.ENTERPRISE:
            raise ValidationError({"enterprise": _("Only enterprise users represent an enterprise.")})

    @property
    def is_agency_member(self):
        return self.role in AGENCY_ROLES

    @property
    def is_administrator(self):
        return self.role in ADMIN_ROLES or self.is_superuser

    @property
    def is_staff_member(self):
        return self.role in STAFF_ROLES or self.is_superuser
