"""The only code that changes the fair registry; pages and the API call these functions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zhichan.agencies.models import Level
from zhichan.agencies.models import Status as AgencyStatus
from zhichan.core.audit import record_change, snapshot
from zhichan.core.permissions import CHANGE, PermissionDenied, role_of
from zhichan.core.validation import clean_text
from zhichan.fairs.models import Fair

MAX_HOURS = 24 * 30
FIELDS = (
    "name",
    "starts_at",
    "ends_at",
    "venue",
    "organiser",
    "region",
    "workstation",
    "staff",
    "accept_hours",
    "decide_hours",
)


def can_edit_fairs(user) -> bool:
    if user is not None and user.is_authenticated and user.is_superuser:
        return True
    role = role_of(user)
    return role == "city_admin" or (role == "county_admin" and bool(user.region_id))


def _hours(value, field, errors) -> int | None:
    try:
        hours = int(value)
    except (TypeError, ValueError):
        hours = None
    if hours is None or not 1 <= hours <= MAX_HOURS:
        errors[field] = [_("Give a whole number of hours from 1 to %(n)d.") % {"n": MAX_HOURS}]
    return hours


def _clean(actor, data: dict) -> dict:
    errors: dict[str, list] = {}
    cleaned = {
        "name": clean_text(data.get("name"), "name", errors, max_length=200, required=True),
        "venue": clean_text(data.get("venue"), "venue", errors, max_length=255),
        "organiser": clean_text(data.get("organiser"), "organiser", errors, max_length=200),
        "accept_hours": _hours(data.get("accept_hours"), "accept_hours", errors),
        "decide_hours": _hours(data.get("decide_hours"), "decide_hours", errors),
    }
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if starts is None:
        errors["starts_at"] = [_("Give the start.")]
    if ends is None:
        errors["ends_at"] = [_("Give the end.")]
    elif starts is not None and ends <= starts:
        errors["ends_at"] = [_("The fair must end after it starts.")]
    region = data.get("region")
    if region is None:
        errors["region"] = [_("Choose the region where the fair takes place.")]
    elif (
        role_of(actor) == "county_admin"
        and not actor.is_superuser
        and region.pk not in actor.region.subtree_ids()
    ):
        errors["region"] = [_("Choose a region of your county.")]
    workstation = data.get("workstation")
    if workstation is not None:
        if workstation.status != AgencyStatus.OPERATING:
            errors["workstation"] = [_("The workstation must be an operating agency.")]
        elif region is not None and not (
            workstation.level == Level.CITY or workstation.region_id in region.subtree_ids()
        ):
            errors["workstation"] = [_("The workstation must be an agency of the fair's region or the city.")]
    staff = list(data.get("staff") or [])
    if staff:
        if workstation is None:
            errors["staff"] = [_("Choose the workstation before its staff.")]
        elif any(user.agency_id != workstation.pk for user in staff):
            errors["staff"] = [_("On-site staff must be people of the workstation.")]
    if errors:
        raise ValidationError(errors)
    cleaned.update(starts_at=starts, ends_at=ends, region=region, workstation=workstation)
    return cleaned, staff


def current(fair: Fair) -> dict:
    """A fair's editable values, for partial updates."""
    return {
        **{name: getattr(fair, name) for name in FIELDS if name != "staff"},
        "staff": list(fair.staff.all()),
    }


@transaction.atomic
def do_create_fair(actor, **data) -> Fair:
    if not can_edit_fairs(actor):
        raise PermissionDenied
    fields, staff = _clean(actor, data)
    fair = Fair.objects.create(**fields)
    fair.staff.set(staff)
    record_change(actor, fair, "create", fields=FIELDS)
    return fair


@transaction.atomic
def do_update_fair(actor, fair: Fair, **data) -> Fair:
    if not can_edit_fairs(actor):
        raise PermissionDenied
    fair = Fair.objects.restrict(actor, CHANGE).select_for_update().filter(pk=fair.pk).first()
    if fair is None:
        raise PermissionDenied
    fields, staff = _clean(actor, {**current(fair), **data})
    before = snapshot(fair, FIELDS)
    for name, value in fields.items():
        setattr(fair, name, value)
    fair.save()
    fair.staff.set(staff)
    record_change(actor, fair, "update", before, fields=FIELDS)
    return fair
