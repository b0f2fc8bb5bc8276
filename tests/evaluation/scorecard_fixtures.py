"""Small metrics of the scorecard tests: figures set by hand per scope, registered for one test.

tests/evaluation/conftest.py makes the fixtures available to the tests there.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhichan.agencies.models import Agency
from zhichan.evaluation import metrics
from zhichan.evaluation.metrics import Dimension, Direction, Drilldown, Metric, Scope, ScopeKind, Unit


class HandMetric(Metric):
    """values[period code][scope key] → the figure; the drill-down lists the scope's agencies."""

    def __init__(
        self,
        code,
        *,
        direction=Direction.HIGHER,
        dimension=Dimension.UTILISATION,
        unit=Unit.COUNT,
        scope_kinds=(ScopeKind.CITY, ScopeKind.COUNTY, ScopeKind.PARK, ScopeKind.AGENCY),
    ):
        self.code = code
        self.label = f"test {code}"
        self.direction = direction
        self.dimension = dimension
        self.unit = unit
        self.scope_kinds = scope_kinds
        self.figures: dict[str, dict[str, Decimal | None]] = {}

    def set(self, period: str, **by_key):
        self.figures.setdefault(period, {}).update(
            {key.replace("_", ":"): None if v is None else Decimal(str(v)) for key, v in by_key.items()}
        )

    def put(self, period: str, scope: Scope, value):
        self.figures.setdefault(period, {})[scope.key] = None if value is None else Decimal(str(value))

    def values(self, scopes, period):
        known = self.figures.get(period.code, {})
        return {scope: known.get(scope.key) for scope in scopes}

    def drilldown(self, user, scope, period):
        qs = Agency.objects.restrict(user, "view")
        if scope.kind == ScopeKind.AGENCY:
            qs = qs.filter(pk=scope.id)
        elif scope.kind == ScopeKind.COUNTY:
            qs = qs.filter(region__parent_id=scope.id) | qs.filter(region_id=scope.id)
        return Drilldown(
            title=f"agencies behind {self.code}",
            queryset=qs.order_by("pk"),
            columns=[("name", lambda a: a.name)],
            url=lambda a: f"/agencies/{a.pk}/",
        )


@pytest.fixture
def hand_metrics():
    """Three metrics: t_volume (higher), t_days (lower, quality), t_rate (higher, satisfaction)."""
    made = {
        "t_volume": HandMetric("t_volume"),
        "t_days": HandMetric(
            "t_days", direction=Direction.LOWER, dimension=Dimension.QUALITY, unit=Unit.DAYS
        ),
        "t_rate": HandMetric("t_rate", dimension=Dimension.SATISFACTION, unit=Unit.PERCENT),
    }
    for metric in made.values():
        metrics.register(metric)
    yield made
    for code in made:
        metrics.METRICS.pop(code, None)
