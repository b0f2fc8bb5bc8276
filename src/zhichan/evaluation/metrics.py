"""Computed indicators: what the system itself can measure, per scope and period.

A metric answers one question ("cases received", "on-time closing rate") for many scopes
at once, and names the records behind a figure (the drill-down). Indicators (entered by an
administrator) point at a metric by its code; scorecards, dashboards, reports and the API
all read figures through `Metric.values`, never by querying the raw tables themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from functools import wraps

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from zhichan.evaluation.periods import Period


class ScopeKind(models.TextChoices):
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    PARK = "park", _("Park")
    AGENCY = "agency", _("Agency")


class Dimension(models.TextChoices):
    CONSTRUCTION = "construction", _("Construction")
    RESOURCE_SUPPLY = "resource_supply", _("Resource supply")
    UTILISATION = "utilisation", _("Utilisation")
    QUALITY = "quality", _("Service quality")
    SATISFACTION = "satisfaction", _("Satisfaction")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Unit(models.TextChoices):
    COUNT = "count", _("number")
    PERCENT = "percent", _("%")
    DAYS = "days", _("working days")
    YUAN = "yuan", _("yuan")
    HOURS = "hours", _("hours")
    SCORE = "score", _("points")


@dataclass(frozen=True)
class Scope:
    """What a figure is about: the city, a county or a park (a Region id) or an agency (an Agency id).

    A county's figures include its parks'; the city's include every county's and park's."""

    kind: str
    id: int

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, key: str) -> Scope:
        kind, _sep, ident = (key or "").partition(":")
        if kind not in ScopeKind.values or not ident.isdigit():
            raise ValueError(f"not a scope: {key!r}")
        return cls(kind, int(ident))


@dataclass
class Drilldown:
    """The records behind one figure, already restricted to what the asking user may see."""

    title: str
    queryset: QuerySet
    # (column heading, value of a row) for the table of records.
    columns: list[tuple[str, Callable[[object], object]]] = field(default_factory=list)
    # The page of one record, or None when it has none the user may open.
    url: Callable[[object], str | None] = lambda obj: None


class Metric:
    """Subclasses set the attributes and implement `values` (and `drilldown` where records exist)."""

    code: str = ""
    label = ""
    description = ""
    unit: str = Unit.COUNT
    dimension: str = Dimension.UTILISATION
    direction: str = Direction.HIGHER
    scope_kinds: tuple[str, ...] = (ScopeKind.CITY, ScopeKind.COUNTY, ScopeKind.PARK, ScopeKind.AGENCY)
    # A figure of the network's state (outlets, coverage, catalogue): as it is now for a period not
    # yet ended, as recorded in the network snapshots for a past one (standard.NetworkMetric).
    live: bool = False

    def values(self, scopes: Sequence[Scope], period: Period) -> dict[Scope, Decimal | None]:
        """The figure of each scope for the period; None where it is undefined (a rate of nothing)."""
        raise NotImplementedError

    def drilldown(self, user, scope: Scope, period: Period) -> Drilldown | None:
        return None


METRICS: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    if not metric.code or metric.code in METRICS:
        raise ValueError(f"metric code {metric.code!r} is empty or taken")
    METRICS[metric.code] = metric
    return metric


def get_metric(code: str) -> Metric | None:
    return METRICS.get(code)


def metric_choices(scope_kind: str | None = None) -> list[tuple[str, str]]:
    return [(m.code, m.label) for m in METRICS.values() if scope_kind is None or scope_kind in m.scope_kinds]


_shared: ContextVar[dict | None] = ContextVar("evaluation_shared_reads", default=None)


@contextmanager
def shared_reads():
    """Within the block, metrics share what they read (a period's counts, the coverage) instead
    of each asking the database again: a dashboard of many figures costs a few queries."""
    token = _shared.set({}) if _shared.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _shared.reset(token)


def sharing_reads(view):
    """A view whose figures share their reads (see `shared_reads`)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        with shared_reads():
            return view(*args, **kwargs)

    return wrapped


def shared(key, compute: Callable):
    """compute() once per key inside `shared_reads()`; every time outside it."""
    store = _shared.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def reads_are_shared() -> bool:
    return _shared.get() is not None


def values_for(codes: Iterable[str], scopes: Sequence[Scope], period: Period) -> dict:
    """{code: {scope: value}} for several metrics."""
    with shared_reads():
        return {code: METRICS[code].values(scopes, period) for code in codes}
