"""The only code that changes agencies: create, update, status changes and upgrades.

Pages, the API and the data loader share the validation in `clean_agency_fields`
and the writing in `save_agency`, so a rule is stated once.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.agencies.models import (
    COMPREHENSIVE_TYPES,
    TRANSITIONS,
    Agency,
    AgencyEvent,
    AgencyFunction,
    AgencyType,
    Function,
    Level,
    Status,
)
from zhichan.core.audit import record_change, snapshot
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import CHANGE, PermissionDenied, role_of
from zhichan.regions.models import Region, RegionKind

# Plain fields a create/update may carry (besides region, parent, functions, services).
TEXT_FIELDS = (
    "name",
    "name_en",
    "description",
    "address",
    "opening_hours",
    "contact_person",
    "phone",
    "email",
    "website",
)
EDITABLE_FIELDS = (
    *TEXT_FIELDS,
    "level",
    "type",
    "region",
    "parent",
    "lng",
    "lat",
    "functions",
    "services",
)
# What an agency's own administrator may change: how to reach it and what it offers.
AGENCY_ADMIN_FIELDS = frozenset(
    {
        "description",
        "opening_hours",
        "contact_person",
        "phone",
        "email",
        "website",
        "services",
    }
)
LEVEL_KIND = {Level.CITY: RegionKind.CITY, Level.COUNTY: RegionKind.COUNTY, Level.PARK: RegionKind.PARK}
MAX_LENGTHS = {f: Agency._meta.get_field(f).max_length for f in TEXT_FIELDS if f != "description"}


# --- validation shared by services and loader ---------------------------------------------


def city_box(city: Region):
    """(min_lng, min_lat, max_lng, max_lat) of the city: boundaries, else known region centres."""
    from zhichan.regions.loaders import bounding_box

    box = bounding_box(city)
    if box is not None:
        return box
    points = [(r.lng, r.lat) for r in Region.objects.filter(pk__in=city.subtree_ids()) if r.lng and r.lat]
    if not points:
        return None
    lngs, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lngs), min(lats), max(lngs), max(lats)


def km_outside(box, lng: float, lat: float) -> float:
    """Distance in km from the point to the box (0 inside), on a local flat approximation."""
    min_lng, min_lat, max_lng, max_lat = box
    dlng = max(min_lng - lng, 0.0, lng - max_lng)
    dlat = max(min_lat - lat, 0.0, lat - max_lat)
    return math.hypot(dlng * 111.32 * math.cos(math.radians(lat)), dlat * 110.57)


def check_coordinates(lng, lat, city: Region | None, errors: dict, box_cache: dict | None = None):
    if (lng is None) != (lat is None):
        field = "lat" if lat is None else "lng"
        errors.setdefault(field, []).append(_("give both longitude and latitude, or neither"))
        return
    if lng is None or city is None:
        return
    if box_cache is not None and city.pk in box_cache:
        box = box_cache[city.pk]
    else:
        box = city_box(city)
        if box_cache is not None:
            box_cache[city.pk] = box
    if box is None:
        return
    outside = km_outside(box, lng, lat)
    margin = settings.ZHICHAN_COORD_MARGIN_KM
    if outside > margin:
        errors.setdefault("lng", []).append(
            _("(%(lng)s, %(lat)s) is %(km).1f km outside %(city)s (allowed: %(margin)s km)")
            % {"lng": lng, "lat": lat, "km": outside, "city": city.name, "margin": margin}
        )


def region_city(region: Region) -> Region | None:
    return region if region.kind == RegionKind.CITY else region.city


def check_parent(region: Region | None, parent_region: Region | None, errors: dict):
    if region is None or parent_region is None:
        return
    city, parent_city = region_city(region), region_city(parent_region)
    if city is None or parent_city is None or city.pk != parent_city.pk:
        errors.setdefault("parent", []).append(_("the parent agency must be in the same city"))


def _number(value, field, errors, low, high):
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.setdefault(field, []).append(_("not a number: %(value)r") % {"value": value})
        return None
    if not math.isfinite(number) or not low <= number <= high:
        errors.setdefault(field, []).append(
            _("%(value)s is outside %(low)s..%(high)s") % {"value": value, "low": low, "high": high}
        )
        return None
    return number


def clean_agency_fields(data: dict, instance: Agency | None = None, *, box_cache=None) -> dict:
    """Check the given fields (merged over `instance`); return cleaned values or raise ValidationError.

    Accepts region as a Region or a code, parent as an Agency, a pk or None, functions as a list of
    Function values, services as a list of catalogue codes. The parent's own checks (exists, same
    city, no cycle) need a saved parent; the loader checks parents that are rows of its own file.
    """
    from zhichan.catalog.models import ServiceItem

    errors: dict[str, list[str]] = {}
    unknown = set(data) - set(EDITABLE_FIELDS)
    for field in sorted(unknown):
        errors[field] = [_("unknown field")]
    cleaned: dict = {}
    for field in list(data):
        value = data[field]
        values = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            # PostgreSQL cannot store NUL in text; refuse it here rather than fail on save.
            errors.setdefault(field, []).append(_("contains a NUL character"))
            data = {k: v for k, v in data.items() if k != field}

    for field in TEXT_FIELDS:
        if field in data:
            value = data[field]
            value = "" if value is None else str(value).strip()
            limit = MAX_LENGTHS.get(field)
            if limit and len(value) > limit:
                errors.setdefault(field, []).append(
                    _("at most %(n)d characters (got %(m)d)") % {"n": limit, "m": len(value)}
                )
            cleaned[field] = value
    if "name" in cleaned and not cleaned["name"]:
        errors.setdefault("name", []).append(_("required"))
    if instance is None and "name" not in cleaned:
        errors.setdefault("name", []).append(_("required"))
    if cleaned.get("email"):
        try:
            EmailValidator()(cleaned["email"])
        except ValidationError:
            errors.setdefault("email", []).append(_("not an e-mail address"))
    if cleaned.get("website"):
        try:
            URLValidator()(cleaned["website"])
        except ValidationError:
            errors.setdefault("website", []).append(_("not a web address (http://...)"))

    # Region: a Region or its code.
    region = instance.region if instance is not None else None
    if "region" in data:
        value = data["region"]
        if isinstance(value, Region):
            region = value
        elif value in (None, ""):
            region = None
            errors.setdefault("region", []).append(_("required"))
        else:
            region = Region.objects.filter(code=str(value).strip()).first()
            if region is None:
                errors.setdefault("region", []).append(_("unknown region code %(code)s") % {"code": value})
        if region is not None:
            cleaned["region"] = region
    elif instance is None:
        errors.setdefault("region", []).append(_("required"))

    for field, choices in (("level", Level), ("type", AgencyType)):
        if field in data:
            value = data[field]
            if value not in choices.values:
                errors.setdefault(field, []).append(
                    _("%(value)r is not one of %(choices)s")
                    % {"value": value, "choices": ", ".join(choices.values)}
                )
            else:
                cleaned[field] = value
        elif instance is None:
            errors.setdefault(field, []).append(_("required"))

    level = cleaned.get("level", instance.level if instance else None)
    touched = "level" in cleaned or "region" in cleaned
    if region is not None and level in LEVEL_KIND and touched and LEVEL_KIND[level] != region.kind:
        errors.setdefault("level", []).append(
            _("a %(level)s-level agency cannot lie in %(region)s, a %(kind)s")
            % {"level": level, "region": region.name, "kind": region.get_kind_display()}
        )

    # Name unique within its region.
    name = cleaned.get("name", instance.name if instance else None)
    if name and region is not None and ("name" in cleaned or "region" in cleaned):
        clash = Agency.objects.filter(region=region, name=name)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors.setdefault("name", []).append(
                _("an agency named %(name)s already exists in %(region)s")
                % {"name": name, "region": region.name}
            )

    # Parent: same city, not itself, no cycle.
    if "parent" in data:
        value = data["parent"]
        parent = None
        if isinstance(value, Agency):
            parent = value
        elif value not in (None, ""):
            try:
                parent = Agency.objects.select_related("region").filter(pk=int(value)).first()
            except (TypeError, ValueError):
                parent = None
            if parent is None:
                errors.setdefault("parent", []).append(_("unknown agency %(id)s") % {"id": value})
        if parent is not None and instance is not None:
            node, seen = parent, set()
            while node is not None and node.pk not in seen:
                if node.pk == instance.pk:
                    errors.setdefault("parent", []).append(
                        _("an agency cannot be its own parent")
                        if parent.pk == instance.pk
                        else _("%(parent)s is an outlet of this agency (that would make a cycle)")
                        % {"parent": parent.name}
                    )
                    break
                seen.add(node.pk)
                node = node.parent
        if parent is not None:
            check_parent(region, parent.region, errors)
        cleaned["parent"] = parent
    elif instance is not None and "region" in cleaned and instance.parent_id:
        check_parent(region, instance.parent.region, errors)

    # Coordinates.
    coord_given = "lng" in data or "lat" in data
    lng = getattr(instance, "lng", None)
    lat = getattr(instance, "lat", None)
    if "lng" in data:
        lng = _number(data["lng"], "lng", errors, -180, 180)
    if "lat" in data:
        lat = _number(data["lat"], "lat", errors, -90, 90)
    if coord_given or "region" in cleaned:
        if "lng" not in errors and "lat" not in errors:
            check_coordinates(lng, lat, region_city(region) if region else None, errors, box_cache)
        cleaned["lng"], cleaned["lat"] = lng, lat

    if "functions" in data:
        values = [str(f).strip() for f in (data["functions"] or []) if str(f).strip()]
        bad = [f for f in values if f not in Function.values]
        if bad:
            errors.setdefault("functions", []).append(
                _("%(bad)s: not one of %(choices)s")
                % {"bad": ", ".join(bad), "choices": ", ".join(Function.values)}
            )
        cleaned["functions"] = sorted(set(values))

    if "services" in data:
        codes = sorted({str(c).strip() for c in (data["services"] or []) if str(c).strip()})
        found = {i.code: i for i in ServiceItem.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            errors.setdefault("services", []).append(
                _("unknown service code %(codes)s") % {"codes": ", ".join(missing)}
            )
        cleaned["services"] = [found[c] for c in codes if c in found]

    if errors:
        raise ValidationError(errors)
    return cleaned


# --- writing ----------------------------------------------------------------------------------


def _current(agency: Agency, field: str):
    if field == "functions":
        return sorted(agency.function_codes)
    if field == "services":
        return sorted(agency.services.values_list("code", flat=True))
    if field in ("region", "parent"):
        return getattr(agency, f"{field}_id")
    return getattr(agency, field)


def _comparable(field: str, value):
    if field == "services":
        return sorted(i.code for i in value)
    if field in ("region", "parent"):
        return value.pk if value is not None else None
    return value


def _shown(field: str, value):
    if field == "region":
        return Region.objects.filter(pk=value).values_list("code", flat=True).first()
    if field == "parent":
        return Agency.objects.filter(pk=value).values_list("name", flat=True).first() if value else None
    return value


def save_agency(actor, agency: Agency | None, cleaned: dict, *, status: str | None = None) -> tuple:
    """Write cleaned values; returns (agency, created, changes). Writes a created/updated event."""
    created = agency is None
    changes = {}
    before = None if created else snapshot(agency)
    if created:
        agency = Agency(status=status or Status.PLANNED)
        if agency.status != Status.PLANNED:
            agency.status_changed_at = timezone.now()
    else:
        for field, value in cleaned.items():
            old, new = _current(agency, field), _comparable(field, value)
            if old != new:
                changes[field] = [_shown(field, old), _shown(field, new)]
        if status is not None and status != agency.status:
            changes["status"] = [agency.status, status]
            agency.status = status
            agency.status_changed_at = timezone.now()
        if not changes:
            return agency, False, {}
    for field, value in cleaned.items():
        if field not in ("functions", "services"):
            setattr(agency, field, value)
    try:
        with transaction.atomic():
            agency.save()
            if "functions" in cleaned and (created or "functions" in changes):
                agency.functions.all().delete()
                AgencyFunction.objects.bulk_create(
                    AgencyFunction(agency=agency, function=f) for f in cleaned["functions"]
                )
            if "services" in cleaned and (created or "services" in changes):
                agency.services.set(cleaned["services"])
            record_change(actor, agency, "create" if created else "update", before)
    except IntegrityError as exc:
        # Two submissions of the same new name at once: the constraint decides.
        raise ValidationError(
            {
                "name": [
                    _("an agency named %(name)s already exists in %(region)s")
                    % {"name": agency.name, "region": agency.region.name}
                ]
            }
        ) from exc
    if created:
        data = {k: _shown(k, _comparable(k, v)) for k, v in cleaned.items()}
        data["status"] = agency.status
        AgencyEvent.objects.create(
            agency=agency, kind="created", to_state=agency.status, actor=actor, data=data
        )
    else:
        AgencyEvent.objects.create(agency=agency, kind="updated", actor=actor, data=changes)
    return agency, created, changes


# --- who may ---------------------------------------------------------------------------------


def _in_own_county(actor, region: Region) -> bool:
    return bool(actor.region_id) and region.pk in actor.region.subtree_ids()


def _is_superuser(actor):
    return actor is not None and actor.is_authenticated and actor.is_superuser


def can_manage_region(actor, region: Region | None) -> bool:
    """May the actor create agencies in (or move agencies to) this region, and change their status."""
    if _is_superuser(actor):
        return True
    role = role_of(actor)
    if role == "city_admin":
        return True
    if role == "county_admin" and region is not None:
        return _in_own_county(actor, region)
    return False


def can_change(actor, agency: Agency) -> bool:
    return Agency.objects.restrict(actor, CHANGE).filter(pk=agency.pk).exists()


def editable_fields(actor, agency: Agency | None) -> set[str]:
    """Fields the actor may set on this agency (on a new one when agency is None)."""
    if agency is None:
        admin = _is_superuser(actor) or role_of(actor) in ("city_admin", "county_admin")
        return set(EDITABLE_FIELDS) if admin else set()
    if not can_change(actor, agency):
        return set()
    if can_manage_region(actor, agency.region):
        return set(EDITABLE_FIELDS)
    if role_of(actor) == "agency_admin":
        return set(AGENCY_ADMIN_FIELDS)
    return set()


def can_change_status(actor, agency: Agency) -> bool:
    return can_manage_region(actor, agency.region)


# --- actions ---------------------------------------------------------------------------------


def do_create_agency(actor, *, status: str | None = None, **fields) -> Agency:
    """Register a new agency or outlet (planned unless a status is given)."""
    if not editable_fields(actor, None):
        raise PermissionDenied(_("You may not register agencies."))
    if status is not None and status not in Status.values:
        raise ValidationError(
            {
                "status": [
                    _("%(value)r is not one of %(choices)s")
                    % {"value": status, "choices": ", ".join(Status.values)}
                ]
            }
        )
    with transaction.atomic():
        cleaned = clean_agency_fields(fields)
        if not can_manage_region(actor, cleaned["region"]):
            raise ValidationError(
                {
                    "region": [
                        _("%(region)s is outside the region you administer")
                        % {"region": cleaned["region"].name}
                    ]
                }
            )
        agency, _created, _changes = save_agency(actor, None, cleaned, status=status)
    return agency


def do_update_agency(actor, agency: Agency, **fields) -> Agency:
    """Change an agency's details; the actor's role limits which fields."""
    allowed = editable_fields(actor, agency)
    if not allowed:
        raise PermissionDenied(_("You may not change this agency."))
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        cleaned = clean_agency_fields(fields, agency)
        refused = {}
        for field, value in cleaned.items():
            if field not in allowed and _current(agency, field) != _comparable(field, value):
                refused[field] = [_("your role may not change this field")]
        if refused:
            raise ValidationError(refused)
        if "region" in cleaned and not can_manage_region(actor, cleaned["region"]):
            raise ValidationError(
                {
                    "region": [
                        _("%(region)s is outside the region you administer")
                        % {"region": cleaned["region"].name}
                    ]
                }
            )
        agency, _created, _changes = save_agency(actor, agency, cleaned)
    return agency


def allowed_statuses(agency: Agency) -> list[str]:
    return [s for s in Status.values if s in TRANSITIONS[Status(agency.status)]]


def do_change_status(actor, agency: Agency, to_status: str, finding: str = "") -> Agency:
    """Move an agency along its lifecycle after a review; the finding is the review's conclusion."""
    if not can_change(actor, agency) or not can_change_status(actor, agency):
        raise PermissionDenied(_("You may not change the status of this agency."))
    if to_status not in Status.values:
        raise ValidationError(
            {
                "status": [
                    _("%(value)r is not one of %(choices)s")
                    % {"value": to_status, "choices": ", ".join(Status.values)}
                ]
            }
        )
    finding = (finding or "").strip()
    with transaction.atomic():
        # Lock the row: a second, simultaneous submission sees the new status and is refused.
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        current = Status(agency.status)
        if to_status not in TRANSITIONS[current]:
            raise TransitionError(
                _("An agency cannot go from %(from)s to %(to)s.")
                % {"from": current.label, "to": Status(to_status).label},
                from_state=current.value,
                to_state=to_status,
            )
        if to_status in (Status.RECTIFYING, Status.CLOSED) and not finding:
            raise ValidationError({"finding": [_("required: the review finding that explains this change")]})
        before = snapshot(agency)
        agency.status = to_status
        agency.status_changed_at = timezone.now()
        agency.save(update_fields=["status", "status_changed_at", "updated_at"])
        record_change(actor, agency, "update", before)
        AgencyEvent.objects.create(
            agency=agency,
            kind="status",
            from_state=current.value,
            to_state=to_status,
            note=finding,
            actor=actor,
        )
    return agency


def do_upgrade_station(actor, agency: Agency, new_type: str, finding: str = "") -> Agency:
    """Upgrade a trademark brand guidance station to a comprehensive agency, keeping its history."""
    if not can_change(actor, agency) or not can_change_status(actor, agency):
        raise PermissionDenied(_("You may not upgrade this agency."))
    if new_type not in {t.value for t in COMPREHENSIVE_TYPES}:
        raise ValidationError(
            {
                "type": [
                    _("an upgrade leads to one of %(choices)s")
                    % {"choices": ", ".join(sorted(t.value for t in COMPREHENSIVE_TYPES))}
                ]
            }
        )
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        if agency.type != AgencyType.TM_GUIDANCE_STATION:
            raise TransitionError(
                _("Only a trademark brand guidance station can be upgraded (this is a %(type)s).")
                % {"type": agency.get_type_display()},
                from_state=agency.type,
                to_state=new_type,
            )
        if agency.status == Status.CLOSED:
            raise TransitionError(
                _("A closed agency cannot be upgraded."), from_state=agency.type, to_state=new_type
            )
        old = agency.type
        before = snapshot(agency)
        agency.type = new_type
        agency.save(update_fields=["type", "updated_at"])
        record_change(actor, agency, "update", before)
        AgencyEvent.objects.create(
            agency=agency,
            kind="upgrade",
            from_state=old,
            to_state=new_type,
            note=(finding or "").strip(),
            actor=actor,
        )
    return agency
