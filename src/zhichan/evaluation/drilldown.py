"""The records behind a figure: one page for every metric, scope and period.

`resolve` checks everything a drill-down request names and answers 404 for anything missing or
forbidden (an unknown metric, a malformed scope or period, a scope the user may not read, a
metric without records); `page` turns the metric's Drilldown into rows of a paginated table.
The records themselves come from the Drilldown's queryset, which the metric restricts to the
user with the records' own `restrict(user, "view")`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.utils import timezone

from zhichan.evaluation import dashboards
from zhichan.evaluation.metrics import Drilldown, Metric, Scope
from zhichan.evaluation.periods import Period


@dataclass
class DrilldownRequest:
    metric: Metric
    scope: Scope
    period: Period
    drilldown: Drilldown

    @property
    def lists_present(self) -> bool:
        """A network figure of a past period comes from the snapshot of the period's end, but its
        records (agencies, catalogue items) are listed as they are now: the page says so."""
        return bool(getattr(self.metric, "live", False)) and self.period.end <= timezone.localdate()


def resolve(
    user, metric_code: str | None, scope_key: str | None, period_code: str | None
) -> DrilldownRequest:
    metric = dashboards.get_metric_or_404(metric_code)
    try:
        scope = Scope.parse(scope_key or "")
    except ValueError as exc:
        raise Http404 from exc
    if scope.kind not in metric.scope_kinds:
        raise Http404
    if not period_code:
        raise Http404
    period = dashboards.parse_period(period_code)
    dashboards.require_scope(user, scope)
    drilldown = metric.drilldown(user, scope, period)
    if drilldown is None:
        raise Http404
    return DrilldownRequest(metric, scope, period, drilldown)


def scope_name(scope: Scope) -> str:
    from zhichan.agencies.models import Agency
    from zhichan.regions.models import Region

    if scope.kind == "agency":
        found = Agency.objects.filter(pk=scope.id).first()
    else:
        found = Region.objects.filter(pk=scope.id).first()
    return found.display_name if found is not None else scope.key


def table(drilldown: Drilldown, number, per_page: int | None = None) -> dict:
    """One page of a drill-down's records, laid out for evaluation/_drilldown_table.html (the
    dashboards' drill-down and a scorecard run's): headings, rows of (cells, link), the page.
    Pages hold ZHICHAN_EVALUATION_DRILLDOWN_PAGE records unless `per_page` says otherwise."""
    per_page = per_page or settings.ZHICHAN_EVALUATION_DRILLDOWN_PAGE
    queryset = drilldown.queryset
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    paginator = Paginator(queryset, per_page)
    current = paginator.get_page(number)
    rows = []
    for obj in current.object_list:
        rows.append({"cells": [fn(obj) for _heading, fn in drilldown.columns], "url": drilldown.url(obj)})
    return {
        "title": drilldown.title,
        "headings": [heading for heading, _fn in drilldown.columns],
        "rows": rows,
        "page": current,
        "count": paginator.count,
    }


def page(request_: DrilldownRequest, number) -> dict:
    """The table of one page: headings, rows of (cells, link) and the paginator's page."""
    return table(request_.drilldown, number)
