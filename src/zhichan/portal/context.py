from django.conf import settings
from django.utils.translation import gettext as _

from zhichan.regions.models import Region, RegionKind


def current_city():
    """The city this deployment serves: ZHICHAN_CITY_CODE, else the only city loaded."""
    qs = Region.objects.filter(kind=RegionKind.CITY)
    if settings.ZHICHAN_CITY_CODE:
        qs = qs.filter(code=settings.ZHICHAN_CITY_CODE)
    return qs.order_by("code").first()


def site(request):
    city = current_city()
    brand = settings.ZHICHAN_BRAND
    if not brand:
        brand = (
            _("%(city)s IP Public Service Platform") % {"city": city.display_name}
            if city
            else _("IP Public Service Platform")
        )
    return {"site_brand": brand, "site_city": city}
