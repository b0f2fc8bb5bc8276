"""What the dashboards show: who may see which scope, figures with their change, rankings,
monthly trends and the county map's data. Views only render what these functions return.

Figures are always read through the registered metrics (`Metric.values`), never from the raw
tables, so a dashboard shows the same number as a scorecard or a report.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from zhichan.agencies.models import PUBLIC_STATUSES, Agency
from zhichan.core.permissions import role_of
from zhichan.evaluation import periods
from zhichan.evaluation.metrics import METRICS, Direction, Metric, Scope, ScopeKind, Unit, get_metric
from zhichan.evaluation.periods import MonthPeriod, Period, PeriodKind
from zhichan.regions.models import Region, RegionKind

TREND_MONTHS = 12


def last_months(until: dt.date, count: int = TREND_MONTHS) -> list[MonthPeriod]:
    """The `count` months ending with the month of `until`, oldest first."""
    return periods.last_months(until, count)


def current_period(today: dt.date | None = None) -> Period:
    return Period.containing(today or timezone.localdate(), PeriodKind.QUARTER)


def period_choices(today: dt.date | None = None) -> list[Period]:
    """Recent periods for the pickers: eight quarters, four half-years and three years."""
    today = today or timezone.localdate()
    found: list[Period] = []
    for kind, count in ((PeriodKind.QUARTER, 8), (PeriodKind.HALF, 4), (PeriodKind.YEAR, 3)):
        period = Period.containing(today, kind)
        for _i in range(count):
            found.append(period)
            period = period.previous()
    return found


def parse_period(text: str | None, today: dt.date | None = None) -> Period:
    """The period named in a query string; the current quarter when none is given. Bad → 404."""
    if not text:
        return current_period(today)
    try:
        return Period.parse(text)
    except Exception as exc:  # ValidationError or ValueError: not a period
        raise Http404 from exc


# --- access ----------------------------------------------------------------------------------


def city_for(user) -> Region | None:
    """The city whose figures the user works with: a city administrator's region, else the first city."""
    region = getattr(user, "region", None) if user is not None and user.is_authenticated else None
    if region is not None and region.kind == RegionKind.CITY:
        return region
    return Region.objects.filter(kind=RegionKind.CITY).order_by("code").first()


def is_city_admin(user) -> bool:
    return user is not None and user.is_authenticated and (user.is_superuser or role_of(user) == "city_admin")


def counties_of(city: Region | None):
    if city is None:
        return Region.objects.none()
    return Region.objects.filter(parent=city, kind=RegionKind.COUNTY).order_by("sort", "code")


def parks_of(region: Region | None):
    """The parks of a city (those under its counties and those directly under it) or of a county."""
    if region is None:
        return Region.objects.none()
    parks = Region.objects.filter(kind=RegionKind.PARK)
    if region.kind == RegionKind.CITY:
        parks = parks.filter(Q(parent=region) | Q(parent__parent=region, parent__kind=RegionKind.COUNTY))
    else:
        parks = parks.filter(parent=region)
    return parks.select_related("parent").order_by("parent__sort", "sort", "code")


def agencies_in(region: Region):
    """The agencies of a city, a county or a park that can have figures: operating or under rectification."""
    return (
        Agency.objects.filter(region_id__in=region.subtree_ids(), status__in=PUBLIC_STATUSES)
        .select_related("region")
        .order_by("region__sort", "level", "name")
    )


def can_see_scope(user, scope: Scope) -> bool:
    """The evaluation's access rule (docs/evaluation.md): who may read the figures of a scope."""
    if user is None or not user.is_authenticated:
        return False
    role = role_of(user)
    if is_city_admin(user):
        city = city_for(user)
        if city is None:
            return False
        if scope.kind == ScopeKind.CITY:
            return scope.id == city.pk
        if scope.kind == ScopeKind.COUNTY:
            return counties_of(city).filter(pk=scope.id).exists()
        if scope.kind == ScopeKind.PARK:
            return parks_of(city).filter(pk=scope.id).exists()
        return Agency.objects.filter(pk=scope.id, region_id__in=city.subtree_ids()).exists()
    if role == "county_admin" and user.region_id:
        if scope.kind == ScopeKind.COUNTY:
            return scope.id == user.region_id
        if scope.kind == ScopeKind.PARK:
            return Region.objects.filter(pk=scope.id, kind=RegionKind.PARK, parent_id=user.region_id).exists()
        if scope.kind == ScopeKind.AGENCY:
            return Agency.objects.filter(pk=scope.id, region_id__in=user.region.subtree_ids()).exists()
        return False
    if role in ("agency_admin", "agency_staff") and user.agency_id:
        return scope.kind == ScopeKind.AGENCY and scope.id == user.agency_id
    return False


def require_scope(user, scope: Scope) -> None:
    if not can_see_scope(user, scope):
        raise Http404


def home_url(user) -> str | None:
    """The dashboard a user lands on: the city's, their county's or their agency's; None: none."""
    if is_city_admin(user):
        return reverse("evaluation:overview")
    if user is None or not user.is_authenticated:
        return None
    role = role_of(user)
    if role == "county_admin" and user.region_id:
        return reverse("evaluation:county", args=[user.region_id])
    if role in ("agency_admin", "agency_staff") and user.agency_id:
        return reverse("evaluation:agency", args=[user.agency_id])
    return None


# --- figures ---------------------------------------------------------------------------------


def has_drilldown(metric: Metric) -> bool:
    return type(metric).drilldown is not Metric.drilldown


def drilldown_url(code: str, scope: Scope, period: Period) -> str:
    query = urlencode({"metric": code, "scope": scope.key, "period": period.code})
    return f"{reverse('evaluation:drilldown')}?{query}"


def as_number(value) -> float | None:
    """A figure for JSON and charts (Decimal → float), None stays None."""
    if value is None:
        return None
    return float(value)


def display(value, unit: str) -> str:
    """A figure as shown in tables: whole numbers for counts, one decimal otherwise."""
    if value is None:
        return "–"
    value = Decimal(value)
    if unit == Unit.COUNT:
        return f"{value.quantize(Decimal('1'), rounding=ROUND_HALF_UP):,}"
    if unit == Unit.YUAN:
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}"


def unit_label(unit: str) -> str:
    return str(Unit(unit).label) if unit in Unit.values else unit


def change_of(metric: Metric, value, previous) -> dict:
    """The change from the previous period and whether it is for the better (metric's direction)."""
    if value is None or previous is None:
        return {"change": None, "change_display": "", "better": None}
    delta = Decimal(value) - Decimal(previous)
    better = None if delta == 0 else (delta > 0) == (metric.direction == Direction.HIGHER)
    sign = "+" if delta > 0 else ""
    return {
        "change": as_number(delta),
        "change_display": sign + display(delta, metric.unit),
        "better": better,
    }


def metrics_for(kind: str, codes=None) -> list[Metric]:
    found = [m for m in METRICS.values() if kind in m.scope_kinds]
    if codes is not None:
        wanted = set(codes)
        found = [m for m in found if m.code in wanted]
    return found


def figures(scope: Scope, period: Period, codes=None) -> list[dict]:
    """Every metric of the scope's kind (or those named) for the period, with the previous period's."""
    previous = period.previous()
    rows = []
    for metric in metrics_for(scope.kind, codes):
        value = metric.values([scope], period).get(scope)
        before = metric.values([scope], previous).get(scope)
        rows.append(
            {
                "code": metric.code,
                "label": str(metric.label),
                "dimension": metric.dimension,
                "unit": metric.unit,
                "unit_label": unit_label(metric.unit),
                "direction": metric.direction,
                "value": as_number(value),
                "display": display(value, metric.unit),
                "previous": as_number(before),
                "previous_display": display(before, metric.unit),
                **change_of(metric, value, before),
                "drilldown_url": drilldown_url(metric.code, scope, period) if has_drilldown(metric) else None,
            }
        )
    return rows


def ranking(metric: Metric, named_scopes: list[tuple[Scope, str, str | None]], period: Period) -> list[dict]:
    """Scopes ordered best first by the metric's direction; equal figures share a rank, no figure is last.

    named_scopes: (scope, name, page url) of each scope to rank.
    """
    if not named_scopes:
        return []
    values = metric.values([s for s, _n, _u in named_scopes], period)
    rows = [
        {
            "scope": scope.key,
            "id": scope.id,
            "name": name,
            "url": url,
            "value": as_number(values.get(scope)),
            "display": display(values.get(scope), metric.unit),
            "drilldown_url": drilldown_url(metric.code, scope, period) if has_drilldown(metric) else None,
        }
        for scope, name, url in named_scopes
    ]
    higher = metric.direction == Direction.HIGHER
    known = sorted(
        (r for r in rows if r["value"] is not None),
        key=lambda r: (-r["value"] if higher else r["value"], r["name"]),
    )
    rank, last = 0, None
    for position, row in enumerate(known, start=1):
        if row["value"] != last:
            rank, last = position, row["value"]
        row["rank"] = rank
    unknown = [dict(r, rank=None) for r in rows if r["value"] is None]
    return known + unknown


def county_entries(city: Region) -> list[tuple[Scope, str, str]]:
    return [
        (Scope(ScopeKind.COUNTY, c.pk), c.display_name, reverse("evaluation:county", args=[c.pk]))
        for c in counties_of(city)
    ]


def park_entries(region: Region) -> list[tuple[Scope, str, str]]:
    """The parks of a city or a county, each with its dashboard."""
    return [
        (Scope(ScopeKind.PARK, p.pk), p.display_name, reverse("evaluation:park", args=[p.pk]))
        for p in parks_of(region)
    ]


def agency_entries(region: Region) -> list[tuple[Scope, str, str]]:
    return [
        (Scope(ScopeKind.AGENCY, a.pk), a.display_name, reverse("evaluation:agency", args=[a.pk]))
        for a in agencies_in(region)
    ]


def trend(scope: Scope, codes, until: dt.date | None = None, count: int = TREND_MONTHS) -> dict:
    """Monthly values of the named metrics for the scope: {"months": [...], "series": [...]}."""
    months = last_months(until or timezone.localdate(), count)
    series = []
    for metric in metrics_for(scope.kind, codes):
        points = [as_number(metric.values([scope], month).get(scope)) for month in months]
        series.append(
            {"code": metric.code, "label": str(metric.label), "unit": metric.unit, "values": points}
        )
    return {"months": [m.code for m in months], "series": series}


def default_trend_codes(kind: str, count: int = 3) -> list[str]:
    """The first few count metrics (volumes make the clearest lines), else the first metrics;
    never a figure of the network (a state that changes rarely; asked for, its past months come
    from the network snapshots and the current month is the live figure)."""
    metrics = [m for m in metrics_for(kind) if not getattr(m, "live", False)]
    counts = [m.code for m in metrics if m.unit == Unit.COUNT]
    return (counts or [m.code for m in metrics])[:count]


def map_and_rankings(user, city: Region, metric: Metric, period: Period) -> dict:
    """The overview's switchable part for one metric: county map values and the rankings of
    the counties, the parks and the agencies."""
    counties = ranking(metric, county_entries(city), period) if ScopeKind.COUNTY in metric.scope_kinds else []
    parks = ranking(metric, park_entries(city), period) if ScopeKind.PARK in metric.scope_kinds else []
    agencies = ranking(metric, agency_entries(city), period) if ScopeKind.AGENCY in metric.scope_kinds else []
    names = {c.pk: c.name for c in counties_of(city)}
    return {
        "metric": {
            "code": metric.code,
            "label": str(metric.label),
            "unit": metric.unit,
            "unit_label": unit_label(metric.unit),
            "direction": metric.direction,
        },
        "period": period.code,
        # The map's regions are named as in the boundary file (the region's own name).
        "map": [
            {
                "name": names.get(row["id"], row["name"]),
                "label": row["name"],
                "value": row["value"],
                "url": row["url"],
            }
            for row in counties
        ],
        "counties": counties,
        "parks": parks,
        "agencies": agencies,
    }


def get_metric_or_404(code: str | None, kind: str | None = None) -> Metric:
    metric = get_metric(code or "")
    if metric is None or (kind is not None and kind not in metric.scope_kinds):
        raise Http404
    return metric


def choose_metric(code: str | None, kind: str) -> Metric | None:
    """The metric asked for, else the first one of the kind (None when none is registered)."""
    metric = get_metric(code or "")
    if metric is not None and kind in metric.scope_kinds:
        return metric
    found = metrics_for(kind)
    return found[0] if found else None
