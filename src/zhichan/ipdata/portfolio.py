"""Counts of a set of patents or trademarks (an enterprise's, a county's): by type, status, year.

Plain ORM aggregates, shared by the pages and the API. Full statistics are another module's work.
"""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import ExtractYear

from zhichan.ipdata.models import LegalStatus, PatentType, TrademarkStatus


def _by(qs, field: str, labels: dict) -> list[dict]:
    found = dict(qs.order_by().values_list(field).annotate(n=Count("pk")))
    return [{"key": key, "label": str(label), "count": found.get(key, 0)} for key, label in labels.items()]


def _years(qs, field: str) -> list[dict]:
    rows = (
        qs.order_by()
        .exclude(**{f"{field}__isnull": True})
        .annotate(year=ExtractYear(field))
        .values_list("year")
        .annotate(n=Count("pk"))
    )
    return [{"year": year, "count": n} for year, n in sorted(rows)]


def patent_counts(qs) -> dict:
    return {
        "total": qs.count(),
        "by_type": _by(qs, "patent_type", dict(PatentType.choices)),
        "by_status": _by(qs, "legal_status", dict(LegalStatus.choices)),
        "by_year": _years(qs, "application_date"),
    }


def trademark_counts(qs) -> dict:
    classes = qs.order_by().values_list("nice_class").annotate(n=Count("pk"))
    return {
        "total": qs.count(),
        "by_status": _by(qs, "status", dict(TrademarkStatus.choices)),
        "by_class": [{"nice_class": c, "count": n} for c, n in sorted(classes)],
        "by_year": _years(qs, "application_date"),
    }
