"""Service records of outside providers, for administrators and for the evaluation (issue 7).

`service_records(agencies, since=, until=)` is the one function other code calls: per provider
agency, its offers, the cases it received, closed, closed on time, and its ratings.
"""

from __future__ import annotations

import io
from datetime import datetime

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from zhichan.agencies.models import Agency
from zhichan.core.permissions import CHANGE
from zhichan.providers.models import Offer


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole * 100, 1) if whole else None


def service_records(
    agencies=None, *, since: datetime | None = None, until: datetime | None = None
) -> list[dict]:
    """One dict per provider agency (all provider agencies when `agencies` is None).

    cases: owned by the agency now and received in [since, until); closed: of those, closed;
    on_time: closed cases first answered (reply, else closing) by their deadline; ratings: those
    given while the agency owned the case. Rates are percentages with one decimal, None when
    nothing was counted. No access check: callers pass the agencies their user may see.
    """
    from zhichan.cases.models import Case, Rating, RatingLevel, Status
    from zhichan.providers.services import providers

    qs = providers() if agencies is None else agencies
    agencies = list(qs.select_related("region").order_by("region__sort", "name"))
    ids = [a.pk for a in agencies]
    period = Q()
    if since is not None:
        period &= Q(received_at__gte=since)
    if until is not None:
        period &= Q(received_at__lt=until)
    cases = (
        Case.objects.filter(period, owner_id__in=ids)
        .annotate(answered=Coalesce("replied_at", "closed_at"))
        .values("owner_id")
        .annotate(
            received=Count("pk"),
            closed=Count("pk", filter=Q(status=Status.CLOSED)),
            on_time=Count("pk", filter=Q(status=Status.CLOSED, answered__lte=F("deadline"))),
        )
    )
    by_case = {row["owner_id"]: row for row in cases}
    rating_period = Q()
    if since is not None:
        rating_period &= Q(case__received_at__gte=since)
    if until is not None:
        rating_period &= Q(case__received_at__lt=until)
    ratings: dict[int, dict] = {}
    for row in (
        Rating.objects.filter(rating_period, agency_id__in=ids)
        .values("agency_id", "level")
        .annotate(n=Count("pk"))
    ):
        ratings.setdefault(row["agency_id"], {})[row["level"]] = row["n"]
    offers = (
        Offer.objects.filter(item__provider_id__in=ids)
        .values("item__provider_id")
        .annotate(total=Count("pk"), listed=Count("pk", filter=Q(item__published=True)))
    )
    by_offer = {row["item__provider_id"]: row for row in offers}
    out = []
    for agency in agencies:
        c = by_case.get(agency.pk, {})
        r = ratings.get(agency.pk, {})
        o = by_offer.get(agency.pk, {})
        total_ratings = sum(r.values())
        good = r.get(RatingLevel.SATISFIED, 0) + r.get(RatingLevel.BASIC, 0)
        closed = c.get("closed", 0)
        out.append(
            {
                "agency": agency,
                "id": agency.pk,
                "name": agency.name,
                "type": agency.type,
                "region": agency.region.code,
                "status": agency.status,
                "offers": o.get("listed", 0),
                "offers_total": o.get("total", 0),
                "cases": c.get("received", 0),
                "closed": closed,
                "on_time": c.get("on_time", 0),
                "on_time_rate": _rate(c.get("on_time", 0), closed),
                "ratings": total_ratings,
                "satisfied": r.get(RatingLevel.SATISFIED, 0),
                "basic": r.get(RatingLevel.BASIC, 0),
                "dissatisfied": r.get(RatingLevel.DISSATISFIED, 0),
                "satisfaction_rate": _rate(good, total_ratings),
            }
        )
    return out


def records_for(user, **period) -> list[dict]:
    """The records of the providers the user administers (county: their county; city: all)."""
    from zhichan.providers.services import providers

    visible = Agency.objects.restrict(user, CHANGE).filter(pk__in=providers().values("pk"))
    return service_records(visible, **period)


COLUMNS = (
    "name",
    "type",
    "region",
    "status",
    "offers",
    "offers_total",
    "cases",
    "closed",
    "on_time",
    "on_time_rate",
    "ratings",
    "satisfied",
    "basic",
    "dissatisfied",
    "satisfaction_rate",
)


def column_labels() -> list[str]:
    labels = {
        "name": _("Provider"),
        "type": _("Type"),
        "region": _("Region"),
        "status": _("Status"),
        "offers": _("Offers listed"),
        "offers_total": _("Offers (all)"),
        "cases": _("Cases received"),
        "closed": _("Closed"),
        "on_time": _("Closed on time"),
        "on_time_rate": _("On-time rate (%)"),
        "ratings": _("Ratings"),
        "satisfied": _("Satisfied"),
        "basic": _("Basically satisfied"),
        "dissatisfied": _("Dissatisfied"),
        "satisfaction_rate": _("Satisfaction rate (%)"),
    }
    return [labels[key] for key in COLUMNS]


def records_xlsx(rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Provider service records")[:31])
    sheet.append(column_labels())
    for row in rows:
        agency = row["agency"]
        values = []
        for key in COLUMNS:
            if key == "type":
                values.append(agency.get_type_display())
            elif key == "status":
                values.append(agency.get_status_display())
            else:
                values.append(row[key])
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
