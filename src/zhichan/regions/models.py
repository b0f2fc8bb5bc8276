import re

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from zhichan.core.permissions import CHANGE, RestrictedQuerySet, role_of

# GB/T 2260 county/city codes have 6 digits, township-level statistical codes 9 or 12;
# zones without a statistical code get a local code: their county's code, "-", a suffix.
CODE_RE = re.compile(r"^(\d{6}(\d{3})?(\d{3})?|\d{6}-[A-Z0-9]{2,12})$")


class RegionKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County-level division")
    PARK = "park", _("Park or development zone")


class RegionQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        if action == CHANGE:
            return self if role_of(user) == "city_admin" else self.none()
        return self

    def counties(self):
        return self.filter(kind=RegionKind.COUNTY)

    def parks(self):
        return self.filter(kind=RegionKind.PARK)


class Region(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    sort = models.PositiveIntegerField(_("order"), default=0)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    @property
    def county(self):
        """The county-level division this region lies in (itself for a county)."""
        if self.kind == RegionKind.COUNTY:
            return self
        if self.kind == RegionKind.PARK and self.parent_id:
            return self.parent if self.parent.kind == RegionKind.COUNTY else None
        return None

    @property
    def city(self):
        node = self
        while node is not None and node.kind not in (RegionKind.CITY, RegionKind.PROVINCE):
            node = node.parent
        return node if node is not None and node.kind == RegionKind.CITY else None

    def subtree_ids(self) -> list[int]:
        """This region and every region below it."""
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids


class RegionBoundary(models.Model):
    """A region's outline for the maps, kept apart so that loading a region never decodes a polygon."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, primary_key=True, related_name="boundary")
    geometry = models.JSONField(_("boundary (GeoJSON geometry)"))

    class Meta:
        verbose_name = _("region boundary")
        verbose_name_plural = _("region boundaries")

    def __str__(self):
        return str(self.region)
