"""Indicators, hand-entered values, scorecards and their runs.

An indicator is defined by the city administrator: computed (it names a metric of the
registry by its code) or manual (a value per scope and period entered with evidence and
approved by a second person). A scorecard weighs indicators for one level (agencies,
parks, counties or the city) and one period kind; a run scores every scope of that level for one
period and is kept as it was computed: a draft until published, frozen afterwards.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhichan.accounts.models import AGENCY_ROLES
from zhichan.core.models import EventModel, TimeStampedModel
from zhichan.core.permissions import CHANGE, RestrictedQuerySet, role_of
from zhichan.evaluation.metrics import Dimension, Direction, ScopeKind, Unit
from zhichan.evaluation.periods import PeriodKind


def _county_ids(user) -> list[int]:
    return user.region.subtree_ids() if user.region_id else []


class IndicatorSource(models.TextChoices):
    COMPUTED = "computed", _("Computed by the system")
    MANUAL = "manual", _("Entered by hand")


class DefinitionQuerySet(RestrictedQuerySet):
    """Indicators and scorecards: the administrators and agency staff read them; the city changes them."""

    def for_role(self, user, action):
        role = role_of(user)
        if role == "city_admin":
            return self
        if action == CHANGE:
            return self.none()
        if role == "county_admin" or role in AGENCY_ROLES:
            return self
        return self.none()


class Indicator(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    source = models.CharField(_("source"), max_length=10, choices=IndicatorSource.choices)
    metric_code = models.CharField(_("metric"), max_length=40, blank=True)
    description = models.TextField(_("description and method"), blank=True)
    active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    objects = DefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["dimension", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=(Q(source="computed") & ~Q(metric_code=""))
                | (Q(source="manual") & Q(metric_code="")),
                name="evaluation_indicator_source_metric",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def metric(self):
        from zhichan.evaluation.metrics import get_metric

        return get_metric(self.metric_code) if self.source == IndicatorSource.COMPUTED else None


class ScoringRule(models.TextChoices):
    MINMAX = "minmax", _("Best and worst of the scored scopes (min–max)")
    TARGET = "target", _("Against a target value")


class Scorecard(TimeStampedModel):
    name = models.CharField(_("name"), max_length=120)
    level = models.CharField(_("scores"), max_length=10, choices=ScopeKind.choices)
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    objects = DefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["level", "name", "pk"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")

    def __str__(self):
        return self.name


class ScorecardItem(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="items"
    )
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    rule = models.CharField(
        _("scoring"), max_length=10, choices=ScoringRule.choices, default=ScoringRule.MINMAX
    )
    target = models.DecimalField(_("target value"), max_digits=16, decimal_places=4, null=True, blank=True)
    sort = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["scorecard", "sort", "pk"]
        verbose_name = _("scorecard item")
        verbose_name_plural = _("scorecard items")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "indicator"], name="evaluation_item_once"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="evaluation_item_weight_positive"),
        ]

    def __str__(self):
        return f"{self.indicator.code} × {self.weight}"


# --- hand-entered values --------------------------------------------------------------------------


class ManualStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Replaced by a later value")


class ScopedQuerySet(RestrictedQuerySet):
    """Rows about one scope (region and/or agency columns): each role reads its own scopes' rows."""

    def scope_filter(self, user) -> Q | None:
        """The rows `user` may read as a Q (None: none; Q(): all)."""
        role = role_of(user)
        if role == "city_admin":
            return Q()
        if role == "county_admin" and user.region_id:
            ids = _county_ids(user)  # the county and its parks
            return Q(scope_kind__in=(ScopeKind.COUNTY, ScopeKind.PARK), scope_id__in=ids) | Q(
                agency__region_id__in=ids
            )
        if role in AGENCY_ROLES and user.agency_id:
            return Q(scope_kind=ScopeKind.AGENCY, scope_id=user.agency_id)
        return None


class ManualValueQuerySet(ScopedQuerySet):
    def for_role(self, user, action):
        own = self.scope_filter(user)
        if own is None:
            return self.none()
        if action == CHANGE and role_of(user) == "agency_staff":
            return self.none()
        return self.filter(own) if own else self


class ManualValue(models.Model):
    """The value of a manual indicator for one scope and period, with its evidence and review."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="manual_values"
    )
    scope_kind = models.CharField(_("scope"), max_length=10, choices=ScopeKind.choices)
    scope_id = models.PositiveIntegerField(_("scope id"))
    # The agency of an agency scope, for access by county (empty for a city, county or park scope).
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=8, db_index=True)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    note = models.TextField(_("how it was obtained"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ManualStatus.choices, default=ManualStatus.PENDING, db_index=True
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    objects = ManualValueQuerySet.as_manager()

    class Meta:
        ordering = ["-entered_at", "-pk"]
        verbose_name = _("manual value")
        verbose_name_plural = _("manual values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "scope_kind", "scope_id", "period"],
                condition=Q(status="pending"),
                name="evaluation_manual_one_pending",
            ),
            models.UniqueConstraint(
                fields=["indicator", "scope_kind", "scope_id", "period"],
                condition=Q(status="approved"),
                name="evaluation_manual_one_approved",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.scope_kind}:{self.scope_id} {self.period} = {self.value}"

    @property
    def scope_key(self) -> str:
        return f"{self.scope_kind}:{self.scope_id}"


class ManualValueEvidence(models.Model):
    value = models.ForeignKey(ManualValue, on_delete=models.CASCADE, related_name="evidence")
    path = models.CharField(max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.original_name


class ManualValueEvent(EventModel):
    """entered, approved, rejected, superseded."""

    value = models.ForeignKey(ManualValue, on_delete=models.CASCADE, related_name="events")

    class Meta(EventModel.Meta):
        verbose_name = _("manual value event")
        verbose_name_plural = _("manual value events")

    @property
    def label(self):
        return EVENT_LABELS.get(self.kind, self.kind)


# --- runs ----------------------------------------------------------------------------------------


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Replaced by a later run")


class RunQuerySet(RestrictedQuerySet):
    def for_role(self, user, action):
        role = role_of(user)
        if role == "city_admin":
            return self
        if action == CHANGE:
            return self.none()
        # Others read published runs only, and of those only their own rows (ScorecardResult).
        if role == "county_admin" and user.region_id:
            return self.filter(status=RunStatus.PUBLISHED)
        if role in AGENCY_ROLES and user.agency_id:
            return self.filter(status=RunStatus.PUBLISHED, level=ScopeKind.AGENCY)
        return self.none()


class ScorecardRun(models.Model):
    scorecard = models.ForeignKey(Scorecard, verbose_name=_("scorecard"), on_delete=models.PROTECT,
                                  related_name="runs")  # fmt: skip
    period = models.CharField(_("period"), max_length=8, db_index=True)
    level = models.CharField(_("scores"), max_length=10, choices=ScopeKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.DRAFT, db_index=True
    )
    # The scorecard as it was when computed: [{code, name, dimension, unit, direction, source,
    # metric_code, weight, rule, target}], so later edits of the scorecard leave the run alone.
    items = models.JSONField(_("items"), default=list)
    # Notes from the computation (a metric no longer registered, …).
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    previous = models.ForeignKey(
        "self", verbose_name=_("previous period's run"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    findings = models.TextField(_("findings"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("run by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    computed_at = models.DateTimeField(_("computed at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "-computed_at", "-pk"]
        verbose_name = _("scorecard run")
        verbose_name_plural = _("scorecard runs")
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "period"], condition=Q(status="draft"), name="evaluation_run_one_draft"
            ),
            models.UniqueConstraint(
                fields=["scorecard", "period"],
                condition=Q(status="published"),
                name="evaluation_run_one_published",
            ),
        ]

    def __str__(self):
        return f"{self.scorecard.name} {self.period}"

    @property
    def frozen(self) -> bool:
        return self.status != RunStatus.DRAFT

    def dimensions(self) -> list[tuple[str, str]]:
        """(code, label) of the dimensions the run's items belong to, in Dimension order."""
        used = {item["dimension"] for item in self.items}
        return [(value, label) for value, label in Dimension.choices if value in used]


class ResultQuerySet(ScopedQuerySet):
    def for_role(self, user, action):
        if action == CHANGE:
            return self.none()
        runs = ScorecardRun.objects.restrict(user, "view")
        own = self.scope_filter(user)
        if own is None:
            return self.none()
        rows = self.filter(run__in=runs.values("pk"))
        if role_of(user) == "county_admin":
            own |= Q(scope_kind=ScopeKind.CITY)  # the city's published figures
        return rows.filter(own) if own else rows


class ScorecardResult(models.Model):
    """One scored scope of a run: its raw values, scores, total, rank and change."""

    run = models.ForeignKey(ScorecardRun, on_delete=models.CASCADE, related_name="results")
    scope_kind = models.CharField(_("scope"), max_length=10, choices=ScopeKind.choices)
    scope_id = models.PositiveIntegerField(_("scope id"))
    scope_name = models.CharField(_("name"), max_length=200)
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {indicator code: {"raw": "12.5" | None, "score": "80.00" | None, "weighted": "16.00"}}
    values = models.JSONField(_("values"), default=dict)
    # {dimension: "32.50"}: the weighted scores of each dimension's items added up.
    subtotals = models.JSONField(_("subtotals"), default=dict)
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"))
    # Agency runs: the county the agency lies in and its rank among that county's agencies
    # (same tie rule); empty for an agency of no county and for county and city runs.
    county = models.ForeignKey(
        "regions.Region", verbose_name=_("county"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    county_rank = models.PositiveIntegerField(_("rank in county"), null=True, blank=True)
    missing = models.PositiveIntegerField(_("missing values"), default=0)
    previous_total = models.DecimalField(_("previous total"), max_digits=7, decimal_places=2, null=True)
    previous_rank = models.PositiveIntegerField(_("previous rank"), null=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["run", "rank", "scope_name", "pk"]
        verbose_name = _("scorecard result")
        verbose_name_plural = _("scorecard results")
        constraints = [
            models.UniqueConstraint(fields=["run", "scope_kind", "scope_id"], name="evaluation_result_once")
        ]

    def __str__(self):
        return f"{self.run} · {self.scope_name}: {self.total}"

    @property
    def scope_key(self) -> str:
        return f"{self.scope_kind}:{self.scope_id}"

    @property
    def change(self):
        return None if self.previous_total is None else self.total - self.previous_total

    @property
    def rank_change(self):
        """Places gained since the previous period (positive: moved up)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


class RunEvent(EventModel):
    """computed, recomputed, findings, published, superseded."""

    run = models.ForeignKey(ScorecardRun, on_delete=models.CASCADE, related_name="events")

    class Meta(EventModel.Meta):
        verbose_name = _("scorecard run event")
        verbose_name_plural = _("scorecard run events")

    @property
    def label(self):
        return EVENT_LABELS.get(self.kind, self.kind)


EVENT_LABELS = {
    "entered": _("Value entered"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "superseded": _("Replaced by a later one"),
    "computed": _("Computed"),
    "recomputed": _("Computed again"),
    "findings": _("Findings written"),
    "published": _("Published"),
}
