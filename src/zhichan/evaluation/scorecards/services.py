"""The only code that changes indicators, scorecards, manual values and runs; pages, API and the
demo call these.

Refusals: ValidationError naming the field (nothing is written), TransitionError for a record
moved the wrong way, PermissionDenied for someone who may not act (answered as 404).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.accounts.models import AGENCY_ROLES
from zhichan.agencies.models import PUBLIC_STATUSES, Agency
from zhichan.core.audit import record_change, snapshot
from zhichan.core.errors import TransitionError
from zhichan.core.files import atomic_with_files
from zhichan.core.permissions import CHANGE, PermissionDenied, role_of
from zhichan.core.validation import clean_text
from zhichan.evaluation.metrics import (
    Dimension,
    Direction,
    Drilldown,
    Scope,
    ScopeKind,
    Unit,
    get_metric,
    shared_reads,
)
from zhichan.evaluation.models.scorecards import (
    Indicator,
    IndicatorSource,
    ManualStatus,
    ManualValue,
    ManualValueEvent,
    ManualValueEvidence,
    RunEvent,
    RunStatus,
    Scorecard,
    ScorecardItem,
    ScorecardResult,
    ScorecardRun,
    ScoringRule,
)
from zhichan.evaluation.periods import Period, PeriodKind
from zhichan.evaluation.scorecards.scoring import ItemRule, ranks_within, score_run
from zhichan.regions.models import Region, RegionKind

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
WEIGHT_TOTAL = Decimal(100)
MAX_VALUE = Decimal("999999999999")
EVIDENCE_FOLDER = "evaluation-evidence"
INDICATOR_FIELDS = ("code", "name", "dimension", "unit", "direction", "source", "metric_code", "description",
                    "active")  # fmt: skip
SCORECARD_FIELDS = ("name", "level", "period_kind", "description", "active")


def _superuser(user) -> bool:
    return user is not None and user.is_authenticated and user.is_superuser


def can_define(user) -> bool:
    """City administrators define indicators and scorecards and run them."""
    return _superuser(user) or role_of(user) == "city_admin"


def can_read_definitions(user) -> bool:
    return _superuser(user) or role_of(user) in ("city_admin", "county_admin", *AGENCY_ROLES)


def can_enter_values(user) -> bool:
    role = role_of(user)
    return (
        _superuser(user)
        or role == "city_admin"
        or (role == "county_admin" and bool(user.region_id))
        or (role == "agency_admin" and bool(user.agency_id))
    )


def can_review_values(user) -> bool:
    return _superuser(user) or role_of(user) in ("city_admin", "county_admin")


# --- indicators -----------------------------------------------------------------------------------


def _choice(value, field, choices, errors, message):
    if value not in choices:
        errors[field] = [message]
    return value


def _clean_indicator(data: dict, indicator: Indicator | None) -> dict:
    errors: dict[str, list] = {}
    code = clean_text(data.get("code"), "code", errors, required=True, max_length=40).lower()
    if code and "code" not in errors:
        if not CODE_RE.match(code):
            errors["code"] = [
                _("Use 2 to 40 lower-case letters, digits and underscores, starting with a letter.")
            ]
        elif Indicator.objects.filter(code=code).exclude(pk=getattr(indicator, "pk", None)).exists():
            errors["code"] = [_("Another indicator has this code.")]
    cleaned = {
        "code": code,
        "name": clean_text(data.get("name"), "name", errors, required=True, max_length=120),
        "description": clean_text(data.get("description"), "description", errors, max_length=5000),
        "dimension": _choice(data.get("dimension"), "dimension", Dimension.values, errors,
                             _("Choose one of the dimensions.")),
        "unit": _choice(data.get("unit"), "unit", Unit.values, errors, _("Choose one of the units.")),
        "direction": _choice(data.get("direction"), "direction", Direction.values, errors,
                             _("Choose whether higher or lower is better.")),
        "source": _choice(data.get("source"), "source", IndicatorSource.values, errors,
                          _("Choose computed or entered by hand.")),
        "active": bool(data.get("active", True)),
    }  # fmt: skip
    metric_code = clean_text(data.get("metric_code"), "metric_code", errors, max_length=40)
    if cleaned["source"] == IndicatorSource.COMPUTED:
        if not metric_code:
            errors["metric_code"] = [_("A computed indicator names the metric it reads.")]
        elif get_metric(metric_code) is None and not (indicator and indicator.metric_code == metric_code):
            errors["metric_code"] = [_("There is no metric %(code)s.") % {"code": metric_code}]
    elif cleaned["source"] == IndicatorSource.MANUAL:
        metric_code = ""
    cleaned["metric_code"] = metric_code
    if indicator is not None and indicator.items.exists():
        # Scored already: what it measures stays; the name, the description and "in use" may change.
        for name in ("source", "metric_code", "direction"):
            if name not in errors and cleaned[name] != getattr(indicator, name):
                errors[name] = [_("The indicator is used in scorecards; this can no longer change.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def do_create_indicator(actor, **data) -> Indicator:
    if not can_define(actor):
        raise PermissionDenied
    indicator = Indicator.objects.create(created_by=actor, **_clean_indicator(data, None))
    record_change(actor, indicator, "create", fields=INDICATOR_FIELDS)
    return indicator


def indicator_values(indicator: Indicator) -> dict:
    return {name: getattr(indicator, name) for name in INDICATOR_FIELDS}


@transaction.atomic
def do_update_indicator(actor, indicator: Indicator, **data) -> Indicator:
    indicator = Indicator.objects.restrict(actor, CHANGE).select_for_update().filter(pk=indicator.pk).first()
    if indicator is None:
        raise PermissionDenied
    before = snapshot(indicator, INDICATOR_FIELDS)
    for name, value in _clean_indicator({**indicator_values(indicator), **data}, indicator).items():
        setattr(indicator, name, value)
    indicator.save()
    record_change(actor, indicator, "update", before, fields=INDICATOR_FIELDS)
    return indicator


# --- scorecards -----------------------------------------------------------------------------------


def _decimal(value, field, errors, message, *, required=True) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(_("This field is required."))
        return None
    if isinstance(value, bool):
        errors.setdefault(field, []).append(message)
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite() or abs(number) > MAX_VALUE:
        errors.setdefault(field, []).append(message)
        return None
    return number


def _clean_items(raw_items, level: str, errors: dict) -> list[dict]:
    """Each item: {indicator (Indicator or id), weight, rule, target}; errors under "items"."""
    problems: list[str] = []
    items: list[dict] = []
    seen: set[int] = set()
    for number, raw in enumerate(raw_items or [], start=1):
        row: dict[str, list] = {}
        indicator = raw.get("indicator")
        if indicator is not None and not isinstance(indicator, Indicator):
            indicator = Indicator.objects.filter(pk=indicator if isinstance(indicator, int) else None).first()
        if indicator is None:
            row.setdefault("indicator", []).append(_("choose an indicator"))
        elif indicator.pk in seen:
            row.setdefault("indicator", []).append(_("%(code)s is listed twice") % {"code": indicator.code})
        else:
            seen.add(indicator.pk)
            metric = indicator.metric
            if indicator.source == IndicatorSource.COMPUTED:
                if metric is None:
                    row.setdefault("indicator", []).append(
                        _("the metric %(code)s of %(name)s is not available")
                        % {"code": indicator.metric_code, "name": indicator.name}
                    )
                elif level and level not in metric.scope_kinds:
                    row.setdefault("indicator", []).append(
                        _("%(name)s cannot be computed for this level") % {"name": indicator.name}
                    )
        weight = _decimal(raw.get("weight"), "weight", row, _("give a weight above 0"))
        if weight is not None and weight <= 0:
            row.setdefault("weight", []).append(_("give a weight above 0"))
            weight = None
        elif weight is not None and weight != weight.quantize(Decimal("0.01")):
            row.setdefault("weight", []).append(_("at most two decimals"))
            weight = None
        rule = raw.get("rule") or ScoringRule.MINMAX
        if rule not in ScoringRule.values:
            row.setdefault("rule", []).append(_("choose min–max or target"))
        target = _decimal(raw.get("target"), "target", row, _("give a number"), required=False)
        if rule == ScoringRule.TARGET and (target is None or target <= 0):
            row.setdefault("target", []).append(_("a target rule needs a target above 0"))
        if rule != ScoringRule.TARGET:
            target = None
        for messages in row.values():
            for message in messages:
                problems.append(_("Row %(n)d: %(problem)s.") % {"n": number, "problem": message})
        items.append({"indicator": indicator, "weight": weight, "rule": rule, "target": target})
    if not items:
        problems.append(_("Add at least one indicator."))
    elif not problems:
        total = sum(item["weight"] for item in items)
        if total != WEIGHT_TOTAL:
            problems.append(
                _("The weights add up to %(total)s; they must add up to 100.")
                % {"total": f"{total.normalize():f}"}
            )
    if problems:
        errors["items"] = problems
    return items


def _clean_scorecard(data: dict, scorecard: Scorecard | None = None) -> tuple[dict, list[dict]]:
    errors: dict[str, list] = {}
    cleaned = {
        "name": clean_text(data.get("name"), "name", errors, required=True, max_length=120),
        "description": clean_text(data.get("description"), "description", errors, max_length=5000),
        "level": _choice(data.get("level"), "level", ScopeKind.values, errors,
                         _("Choose agencies, parks, counties or the city.")),
        "period_kind": _choice(data.get("period_kind"), "period_kind", PeriodKind.values, errors,
                               _("Choose quarter, half-year or year.")),
        "active": bool(data.get("active", True)),
    }  # fmt: skip
    if (
        cleaned["name"]
        and Scorecard.objects.filter(name=cleaned["name"]).exclude(pk=getattr(scorecard, "pk", None)).exists()
    ):
        # Also what makes a form sent twice one scorecard.
        errors["name"] = [_("Another scorecard has this name.")]
    items = _clean_items(data.get("items"), cleaned["level"] if "level" not in errors else "", errors)
    if errors:
        raise ValidationError(errors)
    return cleaned, items


def _snapshot_scorecard(scorecard: Scorecard) -> dict:
    out = snapshot(scorecard, SCORECARD_FIELDS)
    out["items"] = [
        f"{item.indicator.code} {item.weight} {item.rule}{'' if item.target is None else f' {item.target}'}"
        for item in scorecard.items.select_related("indicator")
    ]
    return out


def _write_items(scorecard: Scorecard, items: list[dict]) -> None:
    scorecard.items.all().delete()
    ScorecardItem.objects.bulk_create(
        ScorecardItem(scorecard=scorecard, sort=n, **item) for n, item in enumerate(items, start=1)
    )


def _audit_scorecard(actor, scorecard, action, before=None):
    from django.contrib.contenttypes.models import ContentType

    from zhichan.core.audit import diff
    from zhichan.core.models import AuditEntry

    after = _snapshot_scorecard(scorecard)
    changes = diff(None if action == "create" else before, after)
    if changes:
        AuditEntry.objects.create(
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=action,
            content_type=ContentType.objects.get_for_model(scorecard),
            object_id=str(scorecard.pk),
            object_repr=str(scorecard)[:200],
            changes=changes,
        )


@transaction.atomic
def do_create_scorecard(actor, **data) -> Scorecard:
    """name, level, period_kind, description, active, items=[{indicator, weight, rule, target}]."""
    if not can_define(actor):
        raise PermissionDenied
    cleaned, items = _clean_scorecard(data)
    scorecard = Scorecard.objects.create(created_by=actor, **cleaned)
    _write_items(scorecard, items)
    _audit_scorecard(actor, scorecard, "create")
    return scorecard


def scorecard_values(scorecard: Scorecard) -> dict:
    values = {name: getattr(scorecard, name) for name in SCORECARD_FIELDS}
    values["items"] = [
        {"indicator": item.indicator, "weight": item.weight, "rule": item.rule, "target": item.target}
        for item in scorecard.items.select_related("indicator")
    ]
    return values


@transaction.atomic
def do_update_scorecard(actor, scorecard: Scorecard, **data) -> Scorecard:
    """Changes apply to later runs; runs already made keep the items they were computed with."""
    scorecard = Scorecard.objects.restrict(actor, CHANGE).select_for_update().filter(pk=scorecard.pk).first()
    if scorecard is None:
        raise PermissionDenied
    before = _snapshot_scorecard(scorecard)
    cleaned, items = _clean_scorecard({**scorecard_values(scorecard), **data}, scorecard)
    if cleaned["level"] != scorecard.level and scorecard.runs.exists():
        raise ValidationError({"level": [_("The scorecard has runs; its level can no longer change.")]})
    if cleaned["period_kind"] != scorecard.period_kind and scorecard.runs.exists():
        raise ValidationError(
            {"period_kind": [_("The scorecard has runs; its period can no longer change.")]}
        )
    for name, value in cleaned.items():
        setattr(scorecard, name, value)
    scorecard.save()
    _write_items(scorecard, items)
    _audit_scorecard(actor, scorecard, "update", before)
    return scorecard


# --- scopes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeInfo:
    scope: Scope
    name: str
    agency: Agency | None = None


# The kind of region each area level scores.
REGION_KINDS = {
    ScopeKind.CITY: RegionKind.CITY,
    ScopeKind.COUNTY: RegionKind.COUNTY,
    ScopeKind.PARK: RegionKind.PARK,
}


def scored_scopes(level: str) -> list[ScopeInfo]:
    """Every scope a scorecard of `level` scores: the city, its counties, its parks, or its open agencies."""
    if level == ScopeKind.AGENCY:
        agencies = Agency.objects.filter(status__in=PUBLIC_STATUSES).select_related("region")
        return [
            ScopeInfo(Scope(ScopeKind.AGENCY, a.pk), a.name, a)
            for a in agencies.order_by("region__sort", "name")
        ]
    regions = Region.objects.filter(kind=REGION_KINDS[level])
    if level == ScopeKind.PARK:  # each county's parks together, then the city's own
        regions = regions.order_by("parent__sort", "parent__code", "sort", "code")
    else:
        regions = regions.order_by("sort", "code")
    return [ScopeInfo(Scope(level, r.pk), r.name) for r in regions]


def scope_label(scope: Scope) -> str | None:
    """The name of an existing scope, else None."""
    if scope.kind == ScopeKind.AGENCY:
        agency = Agency.objects.filter(pk=scope.id).first()
        return agency.name if agency else None
    if scope.kind not in REGION_KINDS:
        return None
    region = Region.objects.filter(pk=scope.id, kind=REGION_KINDS[scope.kind]).first()
    return region.name if region else None


def enterable_scopes(user, kind: str | None = None) -> list[ScopeInfo]:
    """The scopes `user` may enter manual values for."""
    role = role_of(user)
    infos = []
    for level in (ScopeKind.CITY, ScopeKind.COUNTY, ScopeKind.PARK, ScopeKind.AGENCY):
        if kind is None or kind == level:
            infos.extend(scored_scopes(level))
    if _superuser(user) or role == "city_admin":
        return infos
    if role == "county_admin" and user.region_id:
        ids = set(user.region.subtree_ids())
        return [
            i for i in infos
            if (i.scope.kind in (ScopeKind.COUNTY, ScopeKind.PARK) and i.scope.id in ids)
            or (i.agency is not None and i.agency.region_id in ids)
        ]  # fmt: skip
    if role == "agency_admin" and user.agency_id:
        return [i for i in infos if i.scope == Scope(ScopeKind.AGENCY, user.agency_id)]
    return []


# --- manual values --------------------------------------------------------------------------------


def _period(text, field="period") -> Period:
    if isinstance(text, Period):
        return text
    if not isinstance(text, str):
        raise ValidationError({field: [_("Write the period as 2026Q3, 2026H1 or 2026.")]})
    try:
        return Period.parse(text)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def _event(model, actor, kind, *, from_state="", to_state="", note="", data=None, **target):
    model.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind, from_state=from_state, to_state=to_state, note=note, data=data or {}, **target,
    )  # fmt: skip


def _check_files(files) -> list:
    files = [f for f in (files or []) if f]
    limit = settings.ZHICHAN_EVALUATION_EVIDENCE_FILES
    if not files:
        raise ValidationError(
            {"evidence": [_("Attach the evidence the value rests on (at least one file).")]}
        )
    if len(files) > limit:
        raise ValidationError({"evidence": [_("At most %(n)d files.") % {"n": limit}]})
    from zhichan.notices.files import check_uploads

    return check_uploads(files, "evidence")


def do_enter_manual_value(
    actor, indicator, scope, period, value, note="", files=()
) -> tuple[ManualValue, bool]:
    """A value of a manual indicator for a scope and period, with its evidence, to be reviewed.

    Returns (value, created); the same value entered twice by the same person while it awaits
    review is the same record.
    """
    if not can_enter_values(actor):
        raise PermissionDenied
    errors: dict[str, list] = {}
    if not isinstance(indicator, Indicator):
        indicator = Indicator.objects.filter(pk=indicator if isinstance(indicator, int) else None).first()
    if indicator is None or indicator.source != IndicatorSource.MANUAL or not indicator.active:
        errors["indicator"] = [_("Choose an indicator in use that is entered by hand.")]
    if not isinstance(scope, Scope):
        try:
            scope = Scope.parse(scope if isinstance(scope, str) else "")
        except ValueError:
            scope = None
    allowed = {i.scope: i for i in enterable_scopes(actor)} if scope is not None else {}
    if scope is None or scope not in allowed:
        errors["scope"] = [_("Choose a city, county, park or agency that you may enter values for.")]
    try:
        period = _period(period)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        period = None
    amount = _decimal(value, "value", errors, _("Give a number."))
    if amount is not None:
        amount = amount.quantize(Decimal("0.0001"))
    note = clean_text(note, "note", errors, max_length=2000)
    if period is not None and period.start > timezone.localdate():
        errors["period"] = [_("The period has not started yet.")]
    if errors:
        raise ValidationError(errors)
    checked = _check_files(files)
    info = allowed[scope]
    with atomic_with_files():
        key = {"indicator": indicator, "scope_kind": scope.kind, "scope_id": scope.id, "period": period.code}
        pending = ManualValue.objects.select_for_update().filter(status=ManualStatus.PENDING, **key).first()
        if pending is not None:
            if pending.entered_by_id == actor.pk and pending.value == amount:
                return pending, False
            raise ValidationError(
                {"value": [_("A value for this indicator, scope and period awaits review; review it first.")]}
            )
        record = ManualValue.objects.create(
            value=amount, note=note, entered_by=actor, agency=info.agency, **key
        )
        from zhichan.notices.files import store_upload

        stored = []
        for uploaded, content_type, size in checked:
            path = store_upload(uploaded, EVIDENCE_FOLDER, content_type=content_type)
            stored.append(
                ManualValueEvidence.objects.create(
                    value=record,
                    path=path,
                    original_name=(getattr(uploaded, "name", "") or "file")[-200:],
                    content_type=content_type,
                    size=size,
                )  # fmt: skip
            )
        _event(ManualValueEvent, actor, "entered", to_state=ManualStatus.PENDING, value=record,
               data={"value": str(amount), "evidence": [e.original_name for e in stored]})  # fmt: skip
    return record, True


def review_refusal(user, record: ManualValue) -> str | None:
    """Why `user` may not review this value (None: they may)."""
    if not can_review_values(user):
        return _("Only the city or county administrators review values.")
    if record.entered_by_id == user.pk:
        return _("You entered this value; another person reviews it.")
    if not _superuser(user) and role_of(user) == "county_admin" and record.scope_kind != ScopeKind.AGENCY:
        return _("The city administrators review the values of counties, parks and of the city.")
    return None


@transaction.atomic
def do_review_manual_value(actor, record: ManualValue, decision: str, note="") -> ManualValue:
    """Approve (the value counts in runs from now on, replacing an earlier approved one) or reject."""
    if not can_review_values(actor):
        raise PermissionDenied
    record = (
        ManualValue.objects.restrict(actor, CHANGE)
        .select_for_update(of=("self",))
        .filter(pk=record.pk)
        .first()
    )
    if record is None:
        raise PermissionDenied
    errors: dict[str, list] = {}
    note = clean_text(note, "note", errors, max_length=2000)
    if decision not in (ManualStatus.APPROVED, ManualStatus.REJECTED):
        errors["decision"] = [_("Choose approve or reject.")]
    elif decision == ManualStatus.REJECTED and not note and "note" not in errors:
        errors["note"] = [_("Say why the value is rejected.")]
    refusal = review_refusal(actor, record)
    if refusal:
        errors["decision"] = [refusal]
    if errors:
        raise ValidationError(errors)
    if record.status != ManualStatus.PENDING:
        raise TransitionError(
            _("The value is %(status)s; only values awaiting review can be reviewed.")
            % {"status": record.get_status_display().lower()},
            from_state=record.status,
            to_state=decision,
        )
    if decision == ManualStatus.APPROVED:
        for old in ManualValue.objects.select_for_update().filter(
            indicator=record.indicator, scope_kind=record.scope_kind, scope_id=record.scope_id,
            period=record.period, status=ManualStatus.APPROVED,
        ):  # fmt: skip
            old.status = ManualStatus.SUPERSEDED
            old.save(update_fields=["status"])
            _event(ManualValueEvent, actor, "superseded", from_state=ManualStatus.APPROVED,
                   to_state=ManualStatus.SUPERSEDED, value=old, data={"by": record.pk})  # fmt: skip
    record.status = decision
    record.reviewed_by = actor
    record.reviewed_at = timezone.now()
    record.review_note = note
    record.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    _event(ManualValueEvent, actor, decision, from_state=ManualStatus.PENDING, to_state=decision,
           note=note, value=record)  # fmt: skip
    return record


def review_queue(user):
    """Values awaiting review that `user` may decide."""
    if not can_review_values(user):
        return ManualValue.objects.none()
    qs = (
        ManualValue.objects.restrict(user, CHANGE)
        .filter(status=ManualStatus.PENDING)
        .exclude(entered_by=user)
        .select_related("indicator", "entered_by", "agency")
    )
    if not _superuser(user) and role_of(user) == "county_admin":
        qs = qs.filter(scope_kind=ScopeKind.AGENCY)
    return qs.order_by("entered_at", "pk")


def approved_values(indicator_code: str, scopes, period: Period) -> dict[Scope, Decimal | None]:
    rows = ManualValue.objects.filter(
        indicator__code=indicator_code, status=ManualStatus.APPROVED, period=period.code,
        scope_kind__in={s.kind for s in scopes}, scope_id__in=[s.id for s in scopes],
    ).values_list("scope_kind", "scope_id", "value")  # fmt: skip
    found = {Scope(kind, ident): value for kind, ident, value in rows}
    return {scope: found.get(scope) for scope in scopes}


# --- runs -----------------------------------------------------------------------------------------


def _item_snapshot(item: ScorecardItem) -> dict:
    indicator = item.indicator
    return {
        "code": indicator.code,
        "name": indicator.name,
        "dimension": indicator.dimension,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "source": indicator.source,
        "metric_code": indicator.metric_code,
        "weight": str(item.weight),
        "rule": item.rule,
        "target": None if item.target is None else str(item.target.normalize()),
    }


def _raw_values(items: list[dict], scopes: list[Scope], period: Period, warnings: list[str]) -> dict:
    with shared_reads():  # the items read the period's counts once
        return _read_values(items, scopes, period, warnings)


def _read_values(items: list[dict], scopes: list[Scope], period: Period, warnings: list[str]) -> dict:
    raw: dict[str, dict] = {}
    for item in items:
        if item["source"] == IndicatorSource.MANUAL:
            raw[item["code"]] = approved_values(item["code"], scopes, period)
            continue
        metric = get_metric(item["metric_code"])
        if metric is None:
            warnings.append(
                _("The metric %(code)s is not available; %(name)s is missing for every scope.")
                % {"code": item["metric_code"], "name": item["name"]}
            )
            raw[item["code"]] = dict.fromkeys(scopes)
            continue
        values = metric.values(scopes, period) if scopes else {}
        raw[item["code"]] = {s: None if values.get(s) is None else Decimal(values[s]) for s in scopes}
    return raw


def _dec(value) -> str | None:
    return None if value is None else str(value)


def previous_run(scorecard: Scorecard, period: Period) -> ScorecardRun | None:
    """The run of the period before: the published one, else the latest draft."""
    runs = ScorecardRun.objects.filter(scorecard=scorecard, period=period.previous().code)
    return runs.filter(status=RunStatus.PUBLISHED).first() or runs.filter(status=RunStatus.DRAFT).first()


def _counties(infos: list[ScopeInfo]) -> dict[Scope, Region | None]:
    """The county each scored agency lies in (agency runs only; the rank within a county)."""
    region_ids = {i.agency.region_id for i in infos if i.agency is not None}
    regions = Region.objects.select_related("parent").in_bulk(region_ids)
    return {
        i.scope: regions[i.agency.region_id].county
        for i in infos
        if i.agency is not None and i.agency.region_id in regions
    }


def do_run(actor, scorecard: Scorecard, period) -> ScorecardRun:
    """Score every scope for the period. A draft of the same period is recomputed in place
    (its findings kept); when the period's run is published a new draft is made."""
    if not can_define(actor):
        raise PermissionDenied
    period = _period(period)
    with transaction.atomic():
        scorecard = (
            Scorecard.objects.restrict(actor, CHANGE).select_for_update().filter(pk=scorecard.pk).first()
        )
        if scorecard is None:
            raise PermissionDenied
        if period.kind != scorecard.period_kind:
            example = Period.containing(timezone.localdate(), scorecard.period_kind).code
            kind = scorecard.get_period_kind_display().lower()
            raise ValidationError(
                {
                    "period": [
                        _("This scorecard is for a %(kind)s; write e.g. %(example)s.")
                        % {"kind": kind, "example": example}
                    ]
                }
            )
        if period.start > timezone.localdate():
            raise ValidationError({"period": [_("The period has not started yet.")]})
        items = [_item_snapshot(i) for i in scorecard.items.select_related("indicator")]
        if not items:
            raise ValidationError({"period": [_("The scorecard has no indicators.")]})
        infos = scored_scopes(scorecard.level)
        scopes = [i.scope for i in infos]
        warnings: list[str] = []
        raw = _raw_values(items, scopes, period, warnings)
        rules = [
            ItemRule(
                code=i["code"], weight=Decimal(i["weight"]), direction=i["direction"], rule=i["rule"],
                target=None if i["target"] is None else Decimal(i["target"]), dimension=i["dimension"],
            )
            for i in items
        ]  # fmt: skip
        scored = score_run(rules, raw, scopes)
        previous = previous_run(scorecard, period)
        before = {}
        if previous is not None:
            before = {(r.scope_kind, r.scope_id): r for r in previous.results.all()}
        run = (
            ScorecardRun.objects.select_for_update()
            .filter(scorecard=scorecard, period=period.code, status=RunStatus.DRAFT)
            .first()
        )
        kind = "recomputed" if run is not None else "computed"
        if run is None:
            run = ScorecardRun(
                scorecard=scorecard, period=period.code, level=scorecard.level, created_by=actor
            )
        run.items, run.warnings, run.previous = items, warnings, previous
        run.computed_at = timezone.now()
        run.save()
        run.results.all().delete()
        names = {i.scope: i for i in infos}
        counties = _counties(infos)
        county_ranks = ranks_within(
            {s.key: s.total for s in scored}, {key: getattr(c, "pk", None) for key, c in counties.items()}
        )
        ScorecardResult.objects.bulk_create(
            ScorecardResult(
                run=run, scope_kind=s.key.kind, scope_id=s.key.id, scope_name=names[s.key].name[:200],
                agency=names[s.key].agency, total=s.total, rank=s.rank, missing=s.missing,
                county=counties.get(s.key), county_rank=county_ranks[s.key],
                values={code: {"raw": _dec(s.raw[code]), "score": _dec(s.scores[code]),
                               "weighted": _dec(s.weighted[code])} for code in s.raw},
                subtotals={dim: str(v) for dim, v in s.subtotals.items()},
                previous_total=getattr(before.get((s.key.kind, s.key.id)), "total", None),
                previous_rank=getattr(before.get((s.key.kind, s.key.id)), "rank", None),
            )
            for s in scored
        )  # fmt: skip
        _event(RunEvent, actor, kind, to_state=run.status, run=run,
               data={"scopes": len(scored), "warnings": warnings})  # fmt: skip
    return run


def _run_for_change(actor, run: ScorecardRun) -> ScorecardRun:
    locked = ScorecardRun.objects.restrict(actor, CHANGE).select_for_update().filter(pk=run.pk).first()
    if locked is None or not can_define(actor):
        raise PermissionDenied
    return locked


@transaction.atomic
def do_set_findings(actor, run: ScorecardRun, findings) -> ScorecardRun:
    run = _run_for_change(actor, run)
    errors: dict = {}
    findings = clean_text(findings, "findings", errors, max_length=20000)
    if errors:
        raise ValidationError(errors)
    if run.frozen:
        raise TransitionError(
            _("The run is %(status)s and can no longer change; run the scorecard again for a new draft.")
            % {"status": run.get_status_display().lower()},
            from_state=run.status,
        )
    if findings != run.findings:
        run.findings = findings
        run.save(update_fields=["findings"])
        _event(RunEvent, actor, "findings", run=run, data={"length": len(findings)})
    return run


@transaction.atomic
def do_publish_run(actor, run: ScorecardRun) -> ScorecardRun:
    """Draft → published; the period's run published before is marked replaced."""
    run = _run_for_change(actor, run)
    if run.status != RunStatus.DRAFT:
        raise TransitionError(
            _("Only a draft run can be published; this one is %(status)s.")
            % {"status": run.get_status_display().lower()},
            from_state=run.status,
            to_state=RunStatus.PUBLISHED,
        )
    for old in ScorecardRun.objects.select_for_update().filter(
        scorecard_id=run.scorecard_id, period=run.period, status=RunStatus.PUBLISHED
    ):
        old.status = RunStatus.SUPERSEDED
        old.save(update_fields=["status"])
        _event(RunEvent, actor, "superseded", from_state=RunStatus.PUBLISHED, to_state=RunStatus.SUPERSEDED,
               run=old, data={"by": run.pk})  # fmt: skip
    run.status = RunStatus.PUBLISHED
    run.published_at = timezone.now()
    run.save(update_fields=["status", "published_at"])
    _event(RunEvent, actor, "published", from_state=RunStatus.DRAFT, to_state=RunStatus.PUBLISHED, run=run)
    return run


# --- drill-down -----------------------------------------------------------------------------------


def run_item(run: ScorecardRun, code: str) -> dict | None:
    return next((item for item in run.items if item["code"] == code), None)


def drilldown(user, run: ScorecardRun, result: ScorecardResult, code: str) -> Drilldown | None:
    """The records behind one figure of a run, restricted to what `user` may see (None: none kept).

    The caller has checked that the user may see the run's row (ScorecardResult.restrict).
    """
    item = run_item(run, code)
    if item is None:
        return None
    scope = Scope(result.scope_kind, result.scope_id)
    period = Period.parse(run.period)
    if item["source"] == IndicatorSource.MANUAL:
        from django.urls import reverse

        qs = (
            ManualValue.objects.restrict(user, "view")
            .filter(indicator__code=code, scope_kind=scope.kind, scope_id=scope.id, period=period.code)
            .select_related("entered_by", "reviewed_by")
            .order_by("-entered_at", "-pk")
        )
        return Drilldown(
            title=_("Values entered for %(name)s") % {"name": item["name"]},
            queryset=qs,
            columns=[
                (_("value"), lambda v: v.value.normalize()),
                (_("status"), lambda v: v.get_status_display()),
                (_("entered by"), lambda v: v.entered_by or "—"),
                (_("reviewed by"), lambda v: v.reviewed_by or "—"),
                (_("entered at"), lambda v: timezone.localtime(v.entered_at).strftime("%Y-%m-%d %H:%M")),
            ],
            url=lambda v: reverse("evaluation:manual_detail", args=[v.pk]),
        )
    metric = get_metric(item["metric_code"])
    if metric is None:
        return None
    return metric.drilldown(user, scope, period)
