"""The open figures: what the public may read of the evaluation.

Only metrics listed in ZHICHAN_OPEN_METRICS appear, only as totals of the city and of its
counties (never a record, never a person's name), for this year and last year, with monthly
service volumes. The result is cached for ZHICHAN_OPEN_FIGURES_CACHE_SECONDS: the page is
public and its figures change slowly.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from zhichan.evaluation import dashboards
from zhichan.evaluation.dashboards import as_number, display, unit_label
from zhichan.evaluation.metrics import METRICS, Dimension, Metric, Scope, ScopeKind, Unit
from zhichan.evaluation.periods import MonthPeriod, Period
from zhichan.regions.models import Region, RegionKind

CACHE_PREFIX = "evaluation:open:"


def open_codes() -> list[str]:
    codes = settings.ZHICHAN_OPEN_METRICS
    if isinstance(codes, str):
        codes = [c.strip() for c in codes.split(",") if c.strip()]
    return list(codes)


def open_metrics(kind: str = ScopeKind.CITY) -> list[Metric]:
    """The registered open metrics that have figures for the scope kind, in the setting's order."""
    return [METRICS[c] for c in open_codes() if c in METRICS and kind in METRICS[c].scope_kinds]


def is_volume(metric: Metric) -> bool:
    """Service volumes are counted per month: count metrics of utilisation (cases received, closed)."""
    return metric.unit == Unit.COUNT and metric.dimension == Dimension.UTILISATION


def public_city() -> Region | None:
    code = getattr(settings, "ZHICHAN_CITY_CODE", "")
    cities = Region.objects.filter(kind=RegionKind.CITY)
    if code:
        found = cities.filter(code=code).first()
        if found is not None:
            return found
    return cities.order_by("code").first()


def _metric_info(metric: Metric) -> dict:
    return {
        "code": metric.code,
        "label": str(metric.label),
        "unit": metric.unit,
        "unit_label": unit_label(metric.unit),
        "dimension": metric.dimension,
    }


def compute(city: Region | None, today: dt.date) -> dict:
    this_year, last_year = Period(today.year), Period(today.year - 1)
    result = {
        "city": city.display_name if city else "",
        "year": today.year,
        "previous_year": today.year - 1,
        "generated_at": timezone.now().isoformat(),
        "figures": [],
        "monthly": {"months": list(range(1, 13)), "series": []},
        "counties": {"metrics": [], "rows": []},
    }
    if city is None:
        return result
    scope = Scope(ScopeKind.CITY, city.pk)
    for metric in open_metrics(ScopeKind.CITY):
        now_value = metric.values([scope], this_year).get(scope)
        then_value = metric.values([scope], last_year).get(scope)
        result["figures"].append(
            {
                **_metric_info(metric),
                "this_year": as_number(now_value),
                "this_year_display": display(now_value, metric.unit),
                "last_year": as_number(then_value),
                "last_year_display": display(then_value, metric.unit),
            }
        )
        if is_volume(metric):
            for year in (today.year - 1, today.year):
                points = []
                for month in range(1, 13):
                    if year == today.year and month > today.month:
                        points.append(None)  # not yet
                        continue
                    points.append(as_number(metric.values([scope], MonthPeriod.of(year, month)).get(scope)))
                result["monthly"]["series"].append({**_metric_info(metric), "year": year, "values": points})
    county_metrics = open_metrics(ScopeKind.COUNTY)
    counties = list(dashboards.counties_of(city))
    scopes = [Scope(ScopeKind.COUNTY, c.pk) for c in counties]
    values = {m.code: m.values(scopes, this_year) for m in county_metrics}
    result["counties"]["metrics"] = [_metric_info(m) for m in county_metrics]
    for county, county_scope in zip(counties, scopes, strict=True):
        result["counties"]["rows"].append(
            {
                "name": county.display_name,
                "map_name": county.name,
                "values": [
                    {
                        "code": m.code,
                        "value": as_number(values[m.code].get(county_scope)),
                        "display": display(values[m.code].get(county_scope), m.unit),
                    }
                    for m in county_metrics
                ],
            }
        )
    return result


def open_figures(today: dt.date | None = None) -> dict:
    """The open figures of the public city, from the cache when computed recently."""
    today = today or timezone.localdate()
    city = public_city()
    codes = ",".join(open_codes())
    key = f"{CACHE_PREFIX}{city.pk if city else 0}:{today.isoformat()}:{get_language() or ''}:{codes}"
    found = cache.get(key)
    if found is None:
        found = compute(city, today)
        cache.set(key, found, settings.ZHICHAN_OPEN_FIGURES_CACHE_SECONDS)
    return found
