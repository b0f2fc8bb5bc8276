"""A demo custody: the demo agency looks after the portfolio of a local enterprise of its county."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from zhichan.accounts.models import User
from zhichan.custody import services
from zhichan.custody.models import Custody
from zhichan.enterprises.models import Enterprise


def create_demo_custody(log=print) -> Custody | None:
    """Once: the enterprise of the demo staff's county with the most rights, in custody since a year ago,
    with the demo enterprise account as its contact. Nothing when it exists or the data is missing."""
    staff = User.objects.filter(username="demo-staff").select_related("agency__region").first()
    if staff is None or staff.agency is None or Custody.objects.filter(agency=staff.agency).exists():
        return None
    county = staff.agency.region.county if staff.agency.region else None
    enterprises = Enterprise.objects.all()
    if county is not None:
        enterprises = enterprises.filter(region_id__in=county.subtree_ids())
    enterprise = (
        enterprises.annotate(rights=Count("patents", distinct=True) + Count("trademarks", distinct=True))
        .filter(rights__gt=0)
        .order_by("-rights", "pk")
        .first()
    )
    if enterprise is None:
        return None
    contacts = list(User.objects.filter(username="demo-enterprise"))
    custody = services.do_create_custody(
        staff,
        agency=staff.agency,
        enterprise=enterprise,
        starts_on=services.today() - dt.timedelta(days=365),
        contacts=contacts,
        note="示例托管",
    )
    log(f"custody: {enterprise.name} in the care of {staff.agency.name}")
    return custody
