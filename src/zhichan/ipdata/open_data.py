"""Open data: public counts of the patent and trademark records, for the API and a CSV file."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import ExtractYear

from zhichan.ipdata.models import LegalStatus, Patent, PatentType, Trademark, TrademarkStatus
from zhichan.ipdata.statistics import city_counties, county_of_region

CACHE_KEY = "ipdata:open-statistics"
CACHE_SECONDS = 600  # counts over every record: computed at most every ten minutes


def _ordered(counts: dict, order) -> list[dict]:
    return [{"key": key, "count": counts[key]} for key in order if counts.get(key)]


def compute() -> dict:
    patents = Patent.objects.all()
    by_year = (
        patents.filter(application_date__isnull=False)
        .annotate(year=ExtractYear("application_date"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    types = dict(patents.values_list("patent_type").annotate(n=Count("pk")).values_list("patent_type", "n"))
    statuses = dict(
        patents.values_list("legal_status").annotate(n=Count("pk")).values_list("legal_status", "n")
    )
    county_for = county_of_region()
    per_county: dict[str, int] = {}
    region_counts = (
        patents.filter(region__isnull=False)
        .values_list("region_id")
        .annotate(n=Count("pk"))
        .values_list("region_id", "n")
    )
    for region_id, n in region_counts:
        county = county_for.get(region_id)
        if county is not None:
            per_county[county.code] = per_county.get(county.code, 0) + n
    marks = Trademark.objects.all()
    classes = marks.values_list("nice_class").annotate(n=Count("pk")).order_by("nice_class")
    mark_statuses = dict(marks.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {
        "patents": {
            "total": patents.count(),
            "by_year": [{"key": str(row["year"]), "count": row["n"]} for row in by_year],
            "by_type": _ordered(types, PatentType.values),
            "by_legal_status": _ordered(statuses, LegalStatus.values),
            "by_county": [
                {"key": c.code, "name": c.name, "count": per_county.get(c.code, 0)} for c in city_counties()
            ],
        },
        "trademarks": {
            "total": marks.count(),
            "by_class": [
                {"key": str(nice_class), "count": n}
                for nice_class, n in classes.values_list("nice_class", "n")
            ],
            "by_status": _ordered(mark_statuses, TrademarkStatus.values),
        },
    }


def public_statistics() -> dict:
    figures = cache.get(CACHE_KEY)
    if figures is None:
        figures = compute()
        cache.set(CACHE_KEY, figures, CACHE_SECONDS)
    return figures


def csv_rows(figures: dict):
    """(dataset, dimension, key, name, count) rows of the same figures."""
    yield ("dataset", "dimension", "key", "name", "count")
    for dataset, dimensions in (
        ("patents", ("by_year", "by_type", "by_legal_status", "by_county")),
        ("trademarks", ("by_class", "by_status")),
    ):
        yield (dataset, "total", "", "", figures[dataset]["total"])
        for dimension in dimensions:
            for item in figures[dataset][dimension]:
                yield (dataset, dimension, item["key"], item.get("name", ""), item["count"])
