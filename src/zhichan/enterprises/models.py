from django.db import models
from django.utils.translation import gettext_lazy as _

from zhichan.core.models import TimeStampedModel
from zhichan.core.permissions import RestrictedQuerySet


class EnterpriseQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        # Names, codes and counties of enterprises are public registry facts; changes are made
        # by imports and administrators.
        if action == "view":
            return self
        from zhichan.core.permissions import role_of

        role = role_of(user)
        if role == "city_admin":
            return self
        if role == "county_admin" and user.region_id:
            return self.filter(region_id__in=user.region.subtree_ids())
        return self.none()


class Enterprise(TimeStampedModel):
    """A local enterprise or organisation that holds or applies for IP rights."""

    name = models.CharField(_("name"), max_length=200)
    # Legal suffixes, brackets and spaces removed: what applicant names are matched on.
    normalized_name = models.CharField(_("normalised name"), max_length=200, db_index=True)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, null=True, blank=True
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("county"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="enterprises",
    )  # fmt: skip
    address = models.CharField(_("address"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self):
        return self.name
