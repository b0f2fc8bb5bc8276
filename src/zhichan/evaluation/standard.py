"""The metrics the system measures itself, registered into `zhichan.evaluation.metrics.METRICS`.

Case and activity figures are sums over the daily counts (evaluation/counts.py); the network
figures (outlets, coverage, catalogue) are read from the live tables as they are now for a period
not yet ended, and from the network snapshots (evaluation/snapshots.py) for a past one. Each
metric names the records behind its figure through the records' own `restrict(user, "view")`.
Definitions: docs/evaluation.md, "Counts and metrics".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhichan.evaluation import counts as facts
from zhichan.evaluation.metrics import (
    Dimension,
    Direction,
    Drilldown,
    Metric,
    Scope,
    ScopeKind,
    Unit,
    reads_are_shared,
    register,
    shared,
    shared_reads,
)
from zhichan.evaluation.periods import Period

ZERO = Decimal(0)
PROVIDER_TYPES = ("university", "library", "social_org", "market_provider")
GOOD_LEVELS = ("satisfied", "basic")
AREA_KINDS = (ScopeKind.CITY, ScopeKind.COUNTY, ScopeKind.PARK)


# --- scopes and periods --------------------------------------------------------------------------


_TREE_KEY = "evaluation:region-tree:v1"
_TREE_SECONDS = 300


def _children() -> dict:
    """parent id -> child ids of every region; regions change rarely, so kept a few minutes."""
    from zhichan.regions.models import Region

    found = cache.get(_TREE_KEY)
    if found is None:
        found = defaultdict(list)
        for pk, parent in Region.objects.values_list("pk", "parent_id"):
            found[parent].append(pk)
        found = dict(found)
        cache.set(_TREE_KEY, found, _TREE_SECONDS)
    return found


def _subtrees(region_ids) -> dict[int, set[int]]:
    """Each region and every region below it."""
    children = _children()
    out = {}
    for region_id in region_ids:
        found, frontier = {region_id}, [region_id]
        while frontier:
            frontier = [c for p in frontier for c in children.get(p, ())]
            found.update(frontier)
        out[region_id] = found
    return out


def _subtree(region_id: int) -> list[int]:
    return sorted(_subtrees([region_id])[region_id])


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period as moments in the local time zone (start included, end excluded)."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(period.start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(period.end, dt.time.min, tzinfo=tz),
    )


def _agency_filter(scope: Scope, field: str = "agency") -> Q:
    """Records of the scope by their agency: the agency, or agencies located in the area."""
    if scope.kind == ScopeKind.AGENCY:
        return Q(**{f"{field}_id": scope.id})
    return Q(**{f"{field}__region_id__in": _subtree(scope.id)})


def _round(value: Decimal, places: str = "0.1") -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def sums(
    keys: Sequence[str], scopes: Sequence[Scope], period: Period, *, agency_types=None, by_kind: bool = False
) -> dict[Scope, dict[tuple[str, str], Decimal]]:
    """{scope: {(key, kind): total}} over the daily counts of the period, in one query (kind is
    "" unless `by_kind`). An area adds the rows of its whole subtree: a county its own and its
    parks' (the counts keep each fact's own region), the city every region's."""
    grouped = _grouped_counts(keys, period, agency_types, by_kind)
    # Which scopes a row of (region, agency) adds to. The city also takes the facts of no known
    # place (an anonymous screening).
    by_agency: dict[int, list[Scope]] = defaultdict(list)
    by_region: dict[int | None, list[Scope]] = defaultdict(list)
    trees = _subtrees({s.id for s in scopes if s.kind != ScopeKind.AGENCY})
    for scope in scopes:
        if scope.kind == ScopeKind.AGENCY:
            by_agency[scope.id].append(scope)
            continue
        extra = (None,) if scope.kind == ScopeKind.CITY else ()
        for region_id in (*trees[scope.id], *extra):
            by_region[region_id].append(scope)
    out: dict[Scope, dict] = {s: defaultdict(Decimal) for s in scopes}
    for region_id, agency_id, key, kind, total in grouped:
        for scope in (*by_region.get(region_id, ()), *by_agency.get(agency_id, ())):
            out[scope][(key, kind)] += total
    return out


def _grouped_counts(keys, period: Period, agency_types, by_kind: bool) -> list[tuple]:
    """(region, agency, key, kind, total) of the period's counts. Inside `shared_reads()` every
    key of the period is read once and shared by all the metrics asking."""
    from zhichan.evaluation.models import DailyCount

    def read(key_filter, with_kind):
        rows = DailyCount.objects.filter(day__gte=period.start, day__lt=period.end)
        if key_filter is not None:
            rows = rows.filter(key__in=list(key_filter))
        if agency_types is not None:  # the agency's type now (an agency may change its type)
            rows = rows.filter(agency__type__in=list(agency_types))
        fields = ["region_id", "agency_id", "key"] + (["kind"] if with_kind else [])
        grouped = rows.values_list(*fields).annotate(total=Sum("value")).order_by()
        return [(r[0], r[1], r[2], r[3] if with_kind else "", r[-1]) for r in grouped]

    if not reads_are_shared():
        return read(keys, by_kind)
    types = tuple(agency_types or ()) or None
    every = shared(("counts", period.start, period.end, types), lambda: read(None, True))
    wanted = set(keys)
    return [(r, a, k, kind if by_kind else "", t) for r, a, k, kind, t in every if k in wanted]


def _total(found: dict, key: str, kinds: Sequence[str] | None = None) -> Decimal:
    return sum((v for (k, kind), v in found.items() if k == key and (kinds is None or kind in kinds)), ZERO)


# --- drill-downs ---------------------------------------------------------------------------------


def _case_columns():
    return [
        (_("Number"), lambda c: c.number),
        (_("Subject"), lambda c: c.subject),
        (_("Type"), lambda c: c.get_type_display()),
        (_("Status"), lambda c: c.get_status_display()),
        (_("Owner agency"), lambda c: c.owner.display_name),
        (_("Deadline"), lambda c: timezone.localtime(c.deadline).strftime("%Y-%m-%d %H:%M")),
    ]


def _case_url(case) -> str:
    return reverse("cases:detail", args=[case.pk])


def _event_cases(user, scope: Scope, period: Period, kinds: Sequence[str], extra: Q | None = None):
    """The cases the user may see that had one of the steps in the period, counted for the scope."""
    from zhichan.cases.models import Case, CaseEvent

    start, end = _bounds(period)
    events = CaseEvent.objects.filter(_agency_filter(scope), kind__in=list(kinds), at__gte=start, at__lt=end)
    if extra is not None:
        events = events.filter(extra)
    return (
        Case.objects.restrict(user, "view")
        .filter(pk__in=events.values("case_id"))
        .select_related("owner")
        .order_by("-created_at", "-id")
    )


def _case_drilldown(title, queryset) -> Drilldown:
    return Drilldown(str(title), queryset, _case_columns(), _case_url)


# --- the metric kinds ----------------------------------------------------------------------------


class CountMetric(Metric):
    """The sum of one fact (optionally of some kinds) over the period."""

    key = ""
    kinds: tuple[str, ...] | None = None

    agency_types: tuple[str, ...] | None = None

    def values(self, scopes, period):
        found = sums(
            [self.key], scopes, period, agency_types=self.agency_types, by_kind=self.kinds is not None
        )
        return {s: _total(found[s], self.key, self.kinds) for s in scopes}


class RateMetric(Metric):
    """part / whole in percent (one decimal); None when the whole is nothing."""

    unit = Unit.PERCENT
    part = ""
    whole = ""
    part_kinds: tuple[str, ...] | None = None

    def values(self, scopes, period):
        found = sums({self.part, self.whole}, scopes, period, by_kind=self.part_kinds is not None)
        out = {}
        for scope in scopes:
            whole = _total(found[scope], self.whole)
            part = _total(found[scope], self.part, self.part_kinds)
            out[scope] = _round(part * 100 / whole) if whole else None
        return out


class CasesReceived(CountMetric):
    code = "cases_received"
    label = _("Cases received")
    description = _("Requests received by the agencies in the period (referrals count where first received).")
    dimension = Dimension.UTILISATION
    key = facts.RECEIVED

    def drilldown(self, user, scope, period):
        return _case_drilldown(self.label, _event_cases(user, scope, period, ["created"]))


class CasesClosed(CountMetric):
    code = "cases_closed"
    label = _("Cases closed")
    description = _("Closings (办结) in the period, counted for the agency that held the case.")
    dimension = Dimension.UTILISATION
    key = facts.CLOSED

    def drilldown(self, user, scope, period):
        return _case_drilldown(self.label, _event_cases(user, scope, period, ["closed"]))


class OnTimeRate(RateMetric):
    code = "on_time_rate"
    label = _("On-time rate")
    description = _(
        "Cases finished (first reply or closing) in the period before their deadline, "
        "out of all cases finished in the period."
    )
    dimension = Dimension.QUALITY
    part = facts.FINISHED_ON_TIME
    whole = facts.FINISHED

    def drilldown(self, user, scope, period):
        from zhichan.cases.models import Case

        late = _event_cases(user, scope, period, ["reply", "closed"], Q(data__finish__on_time=False))
        overdue = Case.objects.restrict(user, "view").overdue().filter(_agency_filter(scope, "owner"))
        cases = (
            Case.objects.restrict(user, "view")
            .filter(Q(pk__in=late.values("pk")) | Q(pk__in=overdue.values("pk")))
            .select_related("owner")
            .order_by("deadline", "id")
        )
        return _case_drilldown(_("Finished late, or still overdue"), cases)


class FirstContactRate(RateMetric):
    code = "first_contact_rate"
    label = _("First-contact resolution rate")
    description = _("Hotline cases closed at the first contact, out of hotline cases received.")
    dimension = Dimension.QUALITY
    part = facts.HOTLINE_FIRST_CONTACT
    whole = facts.HOTLINE_RECEIVED

    def drilldown(self, user, scope, period):
        cases = _event_cases(user, scope, period, ["created"]).filter(channel="hotline")
        drill = _case_drilldown(_("Hotline cases received"), cases)
        drill.columns.append(
            (_("Closed at first contact"), lambda c: _("yes") if c.first_contact else _("no"))
        )
        return drill


class AvgHandlingDays(Metric):
    code = "avg_handling_days"
    label = _("Average handling time")
    description = _(
        "Mean working days from receipt by the owner to the first reply or closing, "
        "of the cases finished in the period."
    )
    unit = Unit.DAYS
    dimension = Dimension.QUALITY
    direction = Direction.LOWER

    def values(self, scopes, period):
        found = sums([facts.HANDLING_DAYS, facts.FINISHED], scopes, period)
        out = {}
        for scope in scopes:
            n = _total(found[scope], facts.FINISHED)
            out[scope] = _round(_total(found[scope], facts.HANDLING_DAYS) / n) if n else None
        return out

    def drilldown(self, user, scope, period):
        from zhichan.cases.models import CaseEvent

        cases = _event_cases(user, scope, period, ["reply", "closed"], Q(data__has_key="finish"))
        start, end = _bounds(period)
        days = {
            case_id: (data or {}).get("finish", {}).get("days")
            for case_id, data in CaseEvent.objects.filter(
                case__in=cases.values("pk"), kind__in=["reply", "closed"], at__gte=start, at__lt=end
            )
            .filter(data__has_key="finish")
            .values_list("case_id", "data")
        }
        drill = _case_drilldown(_("Cases finished"), cases)
        drill.columns.append((_("Working days"), lambda c: days.get(c.pk)))
        return drill


class SupervisionCount(CountMetric):
    code = "supervision_count"
    label = _("Cases supervised")
    description = _("Supervision orders (督办) on overdue cases in the period.")
    dimension = Dimension.QUALITY
    direction = Direction.LOWER
    key = facts.SUPERVISED

    def drilldown(self, user, scope, period):
        return _case_drilldown(self.label, _event_cases(user, scope, period, ["supervised"]))


class SatisfactionRate(RateMetric):
    code = "satisfaction_rate"
    label = _("Satisfaction rate")
    description = _("Ratings satisfied or basically satisfied, out of all ratings given in the period.")
    dimension = Dimension.SATISFACTION
    part = facts.RATING
    whole = facts.RATING
    part_kinds = GOOD_LEVELS

    def drilldown(self, user, scope, period):
        from zhichan.cases.models import Case, Rating

        start, end = _bounds(period)
        ratings = Rating.objects.filter(
            _agency_filter(scope), level="dissatisfied", at__gte=start, at__lt=end
        )
        cases = (
            Case.objects.restrict(user, "view")
            .filter(pk__in=ratings.values("case_id"))
            .select_related("owner", "rating")
            .order_by("-created_at", "-id")
        )
        drill = _case_drilldown(_("Cases rated dissatisfied"), cases)
        drill.columns.append((_("Comment"), lambda c: c.rating.comment))
        return drill


class ReopenRate(RateMetric):
    code = "reopen_rate"
    label = _("Reopen rate")
    description = _("Cases reopened by the requester in the period, out of closings in the period.")
    dimension = Dimension.QUALITY
    direction = Direction.LOWER
    part = facts.REOPENED
    whole = facts.CLOSED

    def drilldown(self, user, scope, period):
        return _case_drilldown(_("Cases reopened"), _event_cases(user, scope, period, ["reopened"]))


class ProviderServices(CountMetric):
    code = "provider_services"
    label = _("Services by outside providers")
    description = _(
        "Cases closed in the period by universities, libraries, social organisations and market providers."
    )
    dimension = Dimension.RESOURCE_SUPPLY
    key = facts.CLOSED
    agency_types = PROVIDER_TYPES

    def drilldown(self, user, scope, period):
        cases = _event_cases(user, scope, period, ["closed"], Q(agency__type__in=PROVIDER_TYPES))
        return _case_drilldown(self.label, cases)


class ReportsDelivered(CountMetric):
    code = "reports_delivered"
    label = _("Reports delivered")
    description = _("Risk diagnosis reports submitted and patent navigation reports built in the period.")
    dimension = Dimension.RESOURCE_SUPPLY
    key = facts.REPORT

    def drilldown(self, user, scope, period):
        from zhichan.diagnosis.models import Diagnosis

        start, end = _bounds(period)
        area = Q() if scope.kind == ScopeKind.CITY else Q(region_id__in=_subtree(scope.id))
        if scope.kind == ScopeKind.AGENCY:
            return None  # diagnoses belong to no agency
        rows = (
            Diagnosis.objects.restrict(user, "view")
            .filter(area, status="submitted", submitted_at__gte=start, submitted_at__lt=end)
            .order_by("-submitted_at", "-id")
        )
        return Drilldown(
            str(_("Risk diagnoses submitted")),
            rows,
            [
                (_("Enterprise"), lambda d: d.enterprise_name),
                (_("Risk level"), lambda d: d.get_risk_level_display()),
                (_("Submitted at"), lambda d: timezone.localtime(d.submitted_at).strftime("%Y-%m-%d")),
            ],
            lambda d: reverse("diagnosis:detail", args=[d.pk]),
        )


class ScreeningsServed(CountMetric):
    code = "screenings_served"
    label = _("Trademark screenings served")
    description = _("Screenings of proposed marks served by the page, its export and the API in the period.")
    dimension = Dimension.UTILISATION
    key = facts.SCREENING


class WatchAlerts(CountMetric):
    code = "watch_alerts"
    label = _("Risk alerts raised")
    description = _("Watch-list alerts raised for enterprises in the period.")
    dimension = Dimension.RESOURCE_SUPPLY
    key = facts.ALERT

    def drilldown(self, user, scope, period):
        from zhichan.watch.models import Alert

        start, end = _bounds(period)
        if scope.kind == ScopeKind.AGENCY:
            area = Q(watch_list__agency_id=scope.id)
        else:
            ids = _subtree(scope.id)
            area = Q(watch_list__agency__region_id__in=ids) | Q(
                watch_list__agency__isnull=True, watch_list__enterprise__region_id__in=ids
            )
        rows = (
            Alert.objects.restrict(user, "view")
            .filter(area, created_at__gte=start, created_at__lt=end)
            .select_related("watch_list__enterprise")
            .order_by("-created_at", "-pk")
        )
        return Drilldown(
            str(self.label),
            rows,
            [
                (_("Enterprise"), lambda a: a.watch_list.enterprise.name),
                (_("Alert"), lambda a: a.get_kind_display()),
                (_("Summary"), lambda a: a.summary),
            ],
            lambda a: reverse("watch:detail", args=[a.watch_list_id]),
        )


class PledgeAmount(CountMetric):
    code = "pledge_amount"
    label = _("Pledge financing registered")
    description = _("Amount of IP pledges registered in the period, by the county of the pledgor.")
    unit = Unit.YUAN
    dimension = Dimension.RESOURCE_SUPPLY
    key = facts.PLEDGE_AMOUNT

    def drilldown(self, user, scope, period):
        from zhichan.finance.models import Pledge

        if scope.kind == ScopeKind.AGENCY:
            area = Q(pledgee_id=scope.id)
        else:
            area = Q(pledgor__region_id__in=_subtree(scope.id))
        rows = (
            Pledge.objects.restrict(user, "view")
            .filter(area, registered_on__gte=period.start, registered_on__lt=period.end)
            .select_related("pledgor", "pledgee")
            .order_by("-registered_on", "-id")
        )
        return Drilldown(
            str(self.label),
            rows,
            [
                (_("Registration number"), lambda p: p.registration_number),
                (_("Pledgor"), lambda p: p.pledgor.name),
                (_("Pledgee"), lambda p: p.pledgee.display_name),
                (_("Amount (yuan)"), lambda p: p.amount),
            ],
            lambda p: reverse("finance:pledge", args=[p.pk]),
        )


class TrainingHours(CountMetric):
    code = "training_hours"
    label = _("Staff training hours")
    description = _("Hours credited to agency staff who attended training events held in the period.")
    unit = Unit.HOURS
    dimension = Dimension.CONSTRUCTION
    key = facts.TRAINING_HOURS


# --- network figures -----------------------------------------------------------------------------
#
# Outlets, coverage and catalogue are states, not events: for a period that has not ended they are
# read from the live tables as they are now; for a past period from the network snapshot recorded
# on the latest day within the period (evaluation/snapshots.py), and not at all (None) when no
# snapshot was recorded then. `network_facts` is what a snapshot records: the same reads as now.

OUTLETS = "outlets_operating"
COVERED = "functions_covered"
FUNCTIONS = "functions_total"
CATALOGUE = "catalogue_items"


def _is_past(period: Period) -> bool:
    """Whether the period ended before today (its figures of the network are history)."""
    return period.end <= timezone.localdate()


def _recorded(period: Period) -> dict | None:
    """{(key, region id, agency id): value} of the latest snapshot within the period; None: none."""
    from zhichan.evaluation.snapshots import recorded

    return shared(("network-recorded", period.start, period.end), lambda: recorded(period.start, period.end))


def _row_key(key: str, scope: Scope) -> tuple:
    return (key, None, scope.id) if scope.kind == ScopeKind.AGENCY else (key, scope.id, None)


class NetworkMetric(Metric):
    """A figure of the network's state: now for a current or future period, else as recorded."""

    live = True

    def values(self, scopes, period):
        if not _is_past(period):
            return self.now(scopes)
        found = _recorded(period)
        if found is None:
            return dict.fromkeys(scopes)
        return self.as_recorded(scopes, found)

    def now(self, scopes) -> dict:
        raise NotImplementedError

    def as_recorded(self, scopes, found: dict) -> dict:
        raise NotImplementedError


class OutletsOperating(NetworkMetric):
    code = "outlets_operating"
    label = _("Outlets operating")
    description = _(
        "Agencies of the network operating in the area: now, or at the end of a past period as recorded then."
    )
    dimension = Dimension.CONSTRUCTION
    scope_kinds = AREA_KINDS

    def now(self, scopes):
        from zhichan.agencies.models import Agency, Status

        by_region = shared(
            ("outlets",),
            lambda: dict(
                Agency.objects.filter(status=Status.OPERATING)
                .values_list("region_id")
                .annotate(n=Count("pk"))
                .order_by()
            ),
        )
        trees = _subtrees({s.id for s in scopes if s.kind != ScopeKind.AGENCY})
        return {
            s: Decimal(sum(by_region.get(r, 0) for r in trees[s.id])) if s.kind != ScopeKind.AGENCY else None
            for s in scopes
        }

    def as_recorded(self, scopes, found):
        return {
            s: Decimal(found.get(_row_key(OUTLETS, s), 0)) if s.kind != ScopeKind.AGENCY else None
            for s in scopes
        }

    def drilldown(self, user, scope, period):
        from zhichan.agencies.models import Agency, Status

        if scope.kind == ScopeKind.AGENCY:
            return None
        rows = Agency.objects.restrict(user, "view").filter(
            status=Status.OPERATING, region_id__in=_subtree(scope.id)
        )
        return Drilldown(
            str(self.label),
            rows.select_related("region"),
            [
                (_("Agency"), lambda a: a.display_name),
                (_("Type"), lambda a: a.get_type_display()),
                (_("Region"), lambda a: a.region.display_name),
            ],
            lambda a: reverse("agencies:detail", args=[a.pk]),
        )


def _coverage_rows(scopes):
    """{scope: (functions covered, functions in all)} from agencies/coverage.py: the city's
    total, and the row of a county (its subtree) or of a park (its own outlets)."""
    from zhichan.agencies.coverage import compute_coverage
    from zhichan.regions.models import Region

    ids = tuple(sorted({s.id for s in scopes if s.kind != ScopeKind.AGENCY}))
    regions = shared(("regions", ids), lambda: Region.objects.select_related("parent__parent").in_bulk(ids))
    out = {}
    cities: dict[int, object] = {}
    for scope in scopes:
        region = regions.get(scope.id) if scope.kind != ScopeKind.AGENCY else None
        city = region.city if region is not None else None
        if city is None:
            continue
        if city.pk not in cities:
            cities[city.pk] = shared(("coverage", city.pk), lambda city=city: compute_coverage(city))
        coverage = cities[city.pk]
        if scope.kind == ScopeKind.CITY:
            out[scope] = (coverage.covered, coverage.total)
        else:
            row = next((r for r in coverage.rows if r.region.pk == scope.id), None)
            if row is not None:
                out[scope] = (row.covered_count, len(row.cells))
    return out


def _recorded_coverage(scopes, found) -> dict:
    """{scope: (covered, in all)} of the scopes that had a coverage row in the snapshot."""
    out = {}
    for scope in scopes:
        total = found.get(_row_key(FUNCTIONS, scope))
        if total is not None:
            out[scope] = (found.get(_row_key(COVERED, scope), 0), total)
    return out


class FunctionsCovered(NetworkMetric):
    code = "functions_covered"
    label = _("Functions covered")
    description = _(
        "Service functions with an operating outlet: for a county, of its seven functions; "
        "for the city, the covered cells of every county and park."
    )
    dimension = Dimension.CONSTRUCTION
    scope_kinds = AREA_KINDS

    def now(self, scopes):
        return self._figures(scopes, _coverage_rows(scopes))

    def as_recorded(self, scopes, found):
        return self._figures(scopes, _recorded_coverage(scopes, found))

    @staticmethod
    def _figures(scopes, rows):
        return {s: Decimal(rows[s][0]) if s in rows else None for s in scopes}


class CoverageRate(NetworkMetric):
    code = "coverage_rate"
    label = _("Coverage rate")
    description = _("Functions covered out of all functions of the area's counties and parks, in percent.")
    unit = Unit.PERCENT
    dimension = Dimension.CONSTRUCTION
    scope_kinds = AREA_KINDS

    def now(self, scopes):
        return self._figures(scopes, _coverage_rows(scopes))

    def as_recorded(self, scopes, found):
        return self._figures(scopes, _recorded_coverage(scopes, found))

    @staticmethod
    def _figures(scopes, rows):
        out = {}
        for scope in scopes:
            covered, total = rows.get(scope, (0, 0))
            out[scope] = _round(Decimal(covered) * 100 / total) if total else None
        return out


def _listed():
    """(owner region, provider's region, provider) of every item listed in the catalogue now."""
    from zhichan.catalog.models import LISTED, ServiceItem

    return shared(
        ("catalogue",),
        lambda: list(
            ServiceItem.objects.filter(LISTED).values_list(
                "owner_region_id", "provider__region_id", "provider_id"
            )
        ),
    )


class CatalogueItems(NetworkMetric):
    code = "catalogue_items"
    label = _("Catalogue items listed")
    description = _(
        "Services listed in the public catalogue (now, or at the end of a past period as recorded then): "
        "published by the area or offered by its providers; for an agency, its own offers."
    )
    dimension = Dimension.RESOURCE_SUPPLY

    def queryset(self, scope, trees=None):
        from zhichan.catalog.models import LISTED, ServiceItem

        items = ServiceItem.objects.filter(LISTED)
        if scope.kind == ScopeKind.AGENCY:
            return items.filter(provider_id=scope.id)
        if scope.kind == ScopeKind.CITY:
            return items
        ids = (trees or _subtrees([scope.id]))[scope.id]
        return items.filter(Q(owner_region_id__in=ids) | Q(provider__region_id__in=ids))

    def now(self, scopes):
        listed = _listed()
        trees = _subtrees({s.id for s in scopes if s.kind not in (ScopeKind.CITY, ScopeKind.AGENCY)})
        out = {}
        for scope in scopes:
            if scope.kind == ScopeKind.CITY:
                n = len(listed)
            elif scope.kind == ScopeKind.AGENCY:
                n = sum(1 for _o, _r, provider in listed if provider == scope.id)
            else:
                ids = trees[scope.id]
                n = sum(1 for owner, region, _p in listed if owner in ids or region in ids)
            out[scope] = Decimal(n)
        return out

    def as_recorded(self, scopes, found):
        return {s: Decimal(found.get(_row_key(CATALOGUE, s), 0)) for s in scopes}

    def drilldown(self, user, scope, period):
        from zhichan.catalog.models import ServiceItem

        rows = ServiceItem.objects.restrict(user, "view").filter(pk__in=self.queryset(scope).values("pk"))
        return Drilldown(
            str(self.label),
            rows,
            [(_("Code"), lambda i: i.code), (_("Service"), lambda i: i.display_name)],
        )


def network_facts() -> list[tuple[str, int | None, int | None, int]]:
    """The network now as the four metrics above read it, for a snapshot: (key, region id, agency
    id, value) of every region below the provinces (the city, each county and park: the figure a
    scope of it shows, its subtree included) and the catalogue items of each providing agency."""
    from zhichan.regions.models import Region, RegionKind

    with shared_reads():
        # Only the city and agencies are told apart by the reads; any other region reads as an area.
        scopes = [
            Scope(ScopeKind.CITY if kind == RegionKind.CITY else ScopeKind.COUNTY, pk)
            for pk, kind in Region.objects.exclude(kind=RegionKind.PROVINCE).values_list("pk", "kind")
        ]
        providers = sorted({provider for _o, _r, provider in _listed() if provider is not None})
        outlets = OutletsOperating().now(scopes)
        coverage = _coverage_rows(scopes)
        catalogue = CatalogueItems().now(scopes + [Scope(ScopeKind.AGENCY, pk) for pk in providers])
    facts = []
    for scope in scopes:
        facts.append((OUTLETS, scope.id, None, int(outlets[scope])))
        facts.append((CATALOGUE, scope.id, None, int(catalogue[scope])))
        if scope in coverage:
            covered, total = coverage[scope]
            facts += [(COVERED, scope.id, None, covered), (FUNCTIONS, scope.id, None, total)]
    facts += [(CATALOGUE, None, pk, int(catalogue[Scope(ScopeKind.AGENCY, pk)])) for pk in providers]
    return facts


STANDARD = [
    OutletsOperating(),
    FunctionsCovered(),
    CoverageRate(),
    CatalogueItems(),
    CasesReceived(),
    CasesClosed(),
    OnTimeRate(),
    FirstContactRate(),
    AvgHandlingDays(),
    SupervisionCount(),
    SatisfactionRate(),
    ReopenRate(),
    ReportsDelivered(),
    ScreeningsServed(),
    WatchAlerts(),
    PledgeAmount(),
    TrainingHours(),
    ProviderServices(),
]


def register_standard() -> None:
    from zhichan.evaluation.metrics import METRICS

    for metric in STANDARD:
        if METRICS.get(metric.code) is not metric:
            register(metric)
