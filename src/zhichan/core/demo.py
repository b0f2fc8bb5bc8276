"""Demo accounts: one per role, with random passwords shown once when they are made."""

from __future__ import annotations

import secrets

from django.db import transaction

from zhichan.accounts.models import Role, User
from zhichan.agencies.models import Agency, Level
from zhichan.regions.models import Region, RegionKind


def create_demo_accounts(county_code: str | None = None) -> list[tuple[str, str, str]]:
    """Make the demo accounts that do not exist yet; returns (username, role, password).

    The staff accounts belong to the county `county_code` (the bundle's `demo_county`) or,
    without one, to the first county with an operating county-level agency.
    """
    city = Region.objects.filter(kind=RegionKind.CITY).order_by("code").first()
    agencies = Agency.objects.filter(level=Level.COUNTY, status="operating").order_by("region__sort", "pk")
    if county_code:
        agencies = agencies.filter(region__code=county_code)
    county_agency = agencies.first()
    county = county_agency.region.county if county_agency else None
    plan = [
        ("demo-public", Role.PUBLIC, {}),
        ("demo-enterprise", Role.ENTERPRISE, {"organisation": "示例科技有限公司"}),
        ("demo-staff", Role.AGENCY_STAFF, {"agency": county_agency}),
        ("demo-agency-admin", Role.AGENCY_ADMIN, {"agency": county_agency}),
        ("demo-county-admin", Role.COUNTY_ADMIN, {"region": county}),
        ("demo-city-admin", Role.CITY_ADMIN, {"region": city}),
    ]
    made = []
    with transaction.atomic():
        for username, role, extra in plan:
            if User.objects.filter(username=username).exists():
                continue
            if None in extra.values():
                continue  # the data this role needs is not loaded
            password = secrets.token_urlsafe(9)
            User.objects.create_user(username=username, password=password, role=role, **extra)
            made.append((username, role.label, password))
    return made
