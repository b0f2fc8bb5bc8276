"""Small metrics registered only for the dashboard tests, computed from hand-built data.

The real metrics are registered by the counts part; these tests must not depend on which exist,
so `dashboard_metrics` empties the registry, installs these, and puts the registry back after.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from zhichan.agencies.models import Agency
from zhichan.evaluation import metrics as registry
from zhichan.evaluation.metrics import Dimension, Direction, Drilldown, Metric, ScopeKind, Unit
from zhichan.regions.models import Region


class TableMetric(Metric):
    """Figures looked up in a table the test fills: {(scope key, period code): value}."""

    def __init__(
        self, code, label, *, unit=Unit.COUNT, direction=Direction.HIGHER, dimension=Dimension.UTILISATION
    ):
        self.code = code
        self.label = label
        self.unit = unit
        self.direction = direction
        self.dimension = dimension
        self.table = {}
        self.calls = 0

    def values(self, scopes, period):
        self.calls += 1
        return {s: self.table.get((s.key, period.code)) for s in scopes}


class OutletsMetric(Metric):
    """Operating agencies in the scope, with the agencies as its drill-down."""

    code = "test_outlets"
    label = "Operating outlets (test)"
    unit = Unit.COUNT
    dimension = Dimension.CONSTRUCTION
    scope_kinds = (ScopeKind.CITY, ScopeKind.COUNTY, ScopeKind.AGENCY)

    def _agencies(self, qs, scope):
        qs = qs.filter(status="operating")
        if scope.kind == ScopeKind.AGENCY:
            return qs.filter(pk=scope.id)
        return qs.filter(region_id__in=Region.objects.get(pk=scope.id).subtree_ids())

    def values(self, scopes, period):
        return {s: Decimal(self._agencies(Agency.objects.all(), s).count()) for s in scopes}

    def drilldown(self, user, scope, period):
        return Drilldown(
            title="Operating outlets",
            queryset=self._agencies(Agency.objects.restrict(user, "view"), scope).order_by("name"),
            columns=[("Name", lambda a: a.name), ("Region", lambda a: a.region.name)],
            url=lambda a: reverse("agencies:detail", args=[a.pk]),
        )


@pytest.fixture
def dashboard_metrics():
    saved = dict(registry.METRICS)
    registry.METRICS.clear()
    cases = registry.register(TableMetric("test_cases", "Cases (test)"))
    days = registry.register(
        TableMetric(
            "test_days",
            "Handling days (test)",
            unit=Unit.DAYS,
            direction=Direction.LOWER,
            dimension=Dimension.QUALITY,
        )
    )
    outlets = registry.register(OutletsMetric())
    yield {"cases": cases, "days": days, "outlets": outlets}
    registry.METRICS.clear()
    registry.METRICS.update(saved)
