"""`survey_satisfaction`: the share of satisfied answers (4–5) among the satisfaction-scale
answers of the surveys' responses submitted within a period.

Which responses count for a scope:
- the city: every survey of the city (city-wide and each county's);
- a county: the surveys run for that county, and the responses to a city-wide survey whose
  respondent named that county (surveys that ask "your county"). A city-wide response
  without a county counts for the city only.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from zhichan.evaluation.metrics import METRICS, Dimension, Direction, Metric, Scope, ScopeKind, Unit, register
from zhichan.evaluation.periods import Period
from zhichan.regions.models import Region
from zhichan.surveys.models import SATISFIED_FROM, Answer


def scope_filter(scope: Scope) -> Q | None:
    region = Region.objects.filter(pk=scope.id).first()
    if region is None:
        return None
    if scope.kind == ScopeKind.CITY:
        return Q(response__survey__region_id__in=region.subtree_ids())
    if scope.kind == ScopeKind.COUNTY:
        county_ids = region.subtree_ids()
        return Q(response__survey__region_id__in=county_ids) | Q(
            response__survey__region__kind="city", response__county_id__in=county_ids
        )
    return None


class SurveySatisfaction(Metric):
    code = "survey_satisfaction"
    label = _("Survey satisfaction rate")
    description = _(
        "Share of the satisfaction-scale answers of 4 or 5 among all scale answers in survey responses "
        "submitted within the period."
    )
    unit = Unit.PERCENT
    dimension = Dimension.SATISFACTION
    direction = Direction.HIGHER
    scope_kinds = (ScopeKind.CITY, ScopeKind.COUNTY)

    def values(self, scopes: Sequence[Scope], period: Period) -> dict[Scope, Decimal | None]:
        answers = Answer.objects.filter(
            scale__isnull=False,
            response__submitted_on__gte=period.start,
            response__submitted_on__lt=period.end,
        )
        out: dict[Scope, Decimal | None] = {}
        for scope in scopes:
            where = scope_filter(scope)
            if where is None:
                out[scope] = None
                continue
            counts = answers.filter(where).aggregate(
                total=Count("pk"), satisfied=Count("pk", filter=Q(scale__gte=SATISFIED_FROM))
            )
            if not counts["total"]:
                out[scope] = None
                continue
            share = Decimal(counts["satisfied"]) * 100 / Decimal(counts["total"])
            out[scope] = share.quantize(Decimal("0.1"))
        return out


if SurveySatisfaction.code not in METRICS:  # importing twice (tests reloading) registers once
    register(SurveySatisfaction())
