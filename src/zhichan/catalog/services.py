"""The only code that changes the catalogue: items, their draft guide, and publishing it.

Pages, the API and the data loader all call these functions. `do_*` functions check
that the actor may change the item; the loader, which speaks for the city's data
file, uses the same helpers without an actor.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.agencies.models import AgencyType
from zhichan.catalog.models import (
    Category,
    Channel,
    GuideStatus,
    GuideVersion,
    ServiceItem,
    ServiceItemEvent,
)
from zhichan.core.audit import record_change, snapshot
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import CHANGE, PermissionDenied, get_restricted_or_404, role_of
from zhichan.core.validation import clean_text
from zhichan.regions.models import Region

CODE_RE = re.compile(r"^[A-Z][A-Z0-9-]{1,29}$")
ITEM_FIELDS = ("name", "name_en", "category", "summary", "sort")
GUIDE_FIELDS = (
    "steps",
    "materials",
    "fees",
    "legal_basis",
    "time_limit_days",
    "time_limit_note",
    "channels",
    "agency_types",
    "faq",
)
MAX_TIME_LIMIT_DAYS = 365


class DuplicateCode(ValidationError):
    """The code is taken: bad input for a form, a conflict (409) for the API."""

    def __init__(self, code):
        super().__init__({"code": [_("The code %(code)s is already used.") % {"code": code}]})


# --- access ---------------------------------------------------------------------------------


def can_change(user, item: ServiceItem) -> bool:
    return ServiceItem.objects.restrict(user, CHANGE).filter(pk=item.pk).exists()


def can_create(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or role_of(user) == "city_admin"
        or (role_of(user) == "county_admin" and user.region_id is not None)
    )


def get_item_or_404(user, action, code, queryset=None) -> ServiceItem:
    """The item with this code if the user may see (or change) it; a malformed code is missing too."""
    if not isinstance(code, str) or not CODE_RE.match(code):
        raise Http404
    return get_restricted_or_404(
        queryset if queryset is not None else ServiceItem.objects.all(), user, action, code=code
    )


def _require_change(actor, item):
    if not can_change(actor, item):
        raise PermissionDenied("may not change this service item")


# --- validation -----------------------------------------------------------------------------


def _int(value, field, errors, *, low, high, required_message=None):
    if value is None or value == "":
        if required_message:
            errors.setdefault(field, []).append(required_message)
        return None
    if isinstance(value, bool):
        value = None
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        errors.setdefault(field, []).append(_("Must be a whole number."))
        return None
    if not low <= value <= high:
        errors.setdefault(field, []).append(
            _("Must be between %(low)d and %(high)d.") % {"low": low, "high": high}
        )
        return None
    return value


def _records(value, field, errors, keys: dict[str, type], required_keys: set[str]):
    """A list of dicts with only `keys`; `required_keys` must be non-empty text."""
    if value is None:
        return []
    if not isinstance(value, list):
        errors.setdefault(field, []).append(_("Must be a list."))
        return []
    out = []
    for number, entry in enumerate(value, start=1):
        if isinstance(entry, str) and "name" in required_keys:
            entry = {"name": entry}
        if not isinstance(entry, dict):
            errors.setdefault(field, []).append(_("Entry %(n)d must be a record.") % {"n": number})
            continue
        unknown = sorted(set(entry) - set(keys))
        if unknown:
            errors.setdefault(field, []).append(
                _("Entry %(n)d has unknown keys: %(keys)s.") % {"n": number, "keys": ", ".join(unknown)}
            )
            continue
        clean = {}
        for key, kind in keys.items():
            raw = entry.get(key)
            if key in required_keys and (not isinstance(raw, str) or not raw.strip()):
                errors.setdefault(field, []).append(
                    _("Entry %(n)d needs “%(key)s”.") % {"n": number, "key": key}
                )
                continue
            if raw is None:
                continue
            if kind is str:
                if not isinstance(raw, str | int):
                    errors.setdefault(field, []).append(
                        _("Entry %(n)d: “%(key)s” must be text.") % {"n": number, "key": key}
                    )
                    continue
                text = str(raw).strip()
                if text:
                    clean[key] = text
            elif kind is bool:
                if not isinstance(raw, bool):
                    errors.setdefault(field, []).append(
                        _("Entry %(n)d: “%(key)s” must be true or false.") % {"n": number, "key": key}
                    )
                    continue
                clean[key] = raw
            elif kind is int:
                if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 99:
                    errors.setdefault(field, []).append(
                        _("Entry %(n)d: “%(key)s” must be a number from 1 to 99.") % {"n": number, "key": key}
                    )
                    continue
                clean[key] = raw
        out.append(clean)
    return out


def _choices(value, field, errors, allowed: list[str]):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.setdefault(field, []).append(_("Must be a list of codes."))
        return []
    bad = [v for v in value if v not in allowed]
    if bad:
        errors.setdefault(field, []).append(
            _("Unknown value(s): %(bad)s. Allowed: %(allowed)s.")
            % {"bad": ", ".join(bad), "allowed": ", ".join(allowed)}
        )
    return list(dict.fromkeys(str(v) for v in value if v in allowed))


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _refuse_nul(data: dict) -> None:
    # The database cannot store NUL characters; refuse them as bad input, field by field.
    bad = {k: [_("Contains a NUL character.")] for k, v in data.items() if _has_nul(v)}
    if bad:
        raise ValidationError(bad)


def clean_guide(data: dict) -> dict:
    """Checked and normalised guide content; ValidationError names each bad field."""
    unknown = sorted(set(data) - set(GUIDE_FIELDS))
    if unknown:
        raise ValidationError({k: [_("Not a guide field.")] for k in unknown})
    _refuse_nul(data)
    errors: dict[str, list[str]] = {}
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        errors["steps"] = [_("A guide needs at least one step (a list of texts).")]
        steps = []
    elif not all(isinstance(s, str) and s.strip() for s in steps):
        errors["steps"] = [_("Every step must be a non-empty text.")]
    else:
        steps = [s.strip() for s in steps]
    materials = _records(
        data.get("materials"),
        "materials",
        errors,
        {"name": str, "copies": int, "required": bool, "note": str},
        {"name"},
    )
    legal_basis = _records(
        data.get("legal_basis"), "legal_basis", errors, {"law": str, "article": str}, {"law"}
    )
    faq = _records(data.get("faq"), "faq", errors, {"q": str, "a": str}, {"q", "a"})
    time_limit = _int(
        data.get("time_limit_days"),
        "time_limit_days",
        errors,
        low=1,
        high=MAX_TIME_LIMIT_DAYS,
        required_message=_("A guide needs a time limit in working days."),
    )
    channels = _choices(data.get("channels"), "channels", errors, list(Channel.values))
    guide = {
        "steps": steps,
        "materials": materials,
        "fees": clean_text(data.get("fees"), "fees", errors),
        "legal_basis": legal_basis,
        "time_limit_days": time_limit,
        "time_limit_note": clean_text(data.get("time_limit_note"), "time_limit_note", errors, max_length=200),
        "channels": channels,
        "agency_types": _choices(data.get("agency_types"), "agency_types", errors, list(AgencyType.values)),
        "faq": faq,
    }
    if errors:
        raise ValidationError(errors)
    return guide


def clean_item(data: dict, *, partial=False) -> dict:
    _refuse_nul(data)
    errors: dict[str, list[str]] = {}
    out = {}
    if not partial or "name" in data:
        out["name"] = clean_text(data.get("name"), "name", errors, required=True, max_length=150)
    if not partial or "name_en" in data:
        out["name_en"] = clean_text(data.get("name_en"), "name_en", errors, max_length=200)
    if not partial or "category" in data:
        category = data.get("category")
        if category not in Category.values:
            errors["category"] = [_("Choose one of: %(allowed)s.") % {"allowed": ", ".join(Category.values)}]
        out["category"] = category
    if not partial or "summary" in data:
        out["summary"] = clean_text(data.get("summary"), "summary", errors)
    if not partial or "sort" in data:
        sort = data.get("sort")
        out["sort"] = 0 if sort in (None, "") else _int(sort, "sort", errors, low=0, high=1_000_000)
    if errors:
        raise ValidationError(errors)
    return out


def clean_code(code) -> str:
    code = (code or "").strip() if isinstance(code, str) else ""
    if not CODE_RE.match(code):
        raise ValidationError(
            {
                "code": [
                    _(
                        "A code is 2 to 30 capital letters, digits or hyphens, starting with a letter "
                        "(e.g. TM-REG)."
                    )
                ]
            }
        )
    return code


def guide_content(version: GuideVersion | None) -> dict:
    if version is None:
        return {}
    return {field: getattr(version, field) for field in GUIDE_FIELDS}


def changed_fields(old: GuideVersion | None, new: GuideVersion | dict) -> list[str]:
    """Guide fields whose value differs between two versions (or a version and content)."""
    new_content = new if isinstance(new, dict) else guide_content(new)
    old_content = guide_content(old)
    return [f for f in GUIDE_FIELDS if old_content.get(f) != new_content.get(f)]


def _event(item, actor, kind, *, from_state="", to_state="", note="", data=None):
    ServiceItemEvent.objects.create(
        item=item,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )


# --- items ----------------------------------------------------------------------------------


def _create_item(actor, code, owner_region, fields: dict) -> ServiceItem:
    if ServiceItem.objects.filter(code=code).exists():
        raise DuplicateCode(code)
    try:
        with transaction.atomic():
            item = ServiceItem.objects.create(code=code, owner_region=owner_region, **fields)
    except IntegrityError as exc:  # a concurrent submission took the code first
        raise DuplicateCode(code) from exc
    _event(item, actor, "created", to_state="unpublished", data={"code": code})
    record_change(actor, item, "create", region=owner_region)
    return item


def do_create_item(actor, code, name, category, *, name_en="", summary="", sort=0, owner_region=None):
    """A new, unpublished item. A county administrator's items belong to their own county."""
    if not can_create(actor):
        raise PermissionDenied("may not create service items")
    if owner_region == "":
        owner_region = None
    if isinstance(owner_region, str):
        found = Region.objects.filter(code=owner_region).first()
        if found is None:
            raise ValidationError(
                {"owner_region": [_("Unknown region code %(code)s.") % {"code": owner_region}]}
            )
        owner_region = found
    if role_of(actor) == "county_admin" and not actor.is_superuser:
        if owner_region is None:
            owner_region = actor.region
        elif owner_region.pk not in actor.region.subtree_ids():
            raise ValidationError(
                {"owner_region": [_("A county administrator can only create items of their own county.")]}
            )
    code = clean_code(code)
    fields = clean_item(
        {"name": name, "name_en": name_en, "category": category, "summary": summary, "sort": sort}
    )
    with transaction.atomic():
        return _create_item(actor, code, owner_region, fields)


def do_update_item(actor, item: ServiceItem, **changes) -> ServiceItem:
    """Change the item's own details (not its guide, which is versioned)."""
    unknown = sorted(set(changes) - set(ITEM_FIELDS))
    if unknown:
        raise ValidationError({k: [_("This field cannot be changed here.")] for k in unknown})
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        _require_change(actor, item)
        fields = clean_item(changes, partial=True)
        changed = {k: v for k, v in fields.items() if getattr(item, k) != v}
        if changed:
            before = snapshot(item)
            old = {k: getattr(item, k) for k in changed}
            for key, value in changed.items():
                setattr(item, key, value)
            item.save()
            _event(item, actor, "updated", data={"old": old, "new": changed})
            record_change(actor, item, "update", before, region=item.owner_region)
    return item


# --- guide versions -------------------------------------------------------------------------


def draft_of(item: ServiceItem) -> GuideVersion | None:
    return item.versions.filter(status=GuideStatus.DRAFT).first()


def _save_draft(actor, item: ServiceItem, fields: dict) -> GuideVersion:
    """Create or update the single draft; a new draft starts from the version in force."""
    draft = draft_of(item)
    base = guide_content(draft) if draft else guide_content(item.current)
    content = clean_guide({**base, **fields})
    if draft is None:
        draft = GuideVersion(item=item, status=GuideStatus.DRAFT)
    for key, value in content.items():
        setattr(draft, key, value)
    draft.edited_by = actor if actor is not None and actor.is_authenticated else None
    draft.save()
    _event(item, actor, "draft_saved", to_state=GuideStatus.DRAFT)
    return draft


def do_save_draft(actor, item: ServiceItem, **guide_fields) -> GuideVersion:
    with transaction.atomic():
        # The row lock keeps two editors from creating two drafts at once.
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        _require_change(actor, item)
        return _save_draft(actor, item, guide_fields)


def _publish(actor, item: ServiceItem, change_note) -> GuideVersion:
    """Turn the draft into the next numbered version; `item` must be locked by the caller."""
    draft = draft_of(item)
    if draft is None:
        raise TransitionError(
            _("There is no draft to publish: it was published already or never written."),
            from_state="none",
            to_state=GuideStatus.PUBLISHED,
        )
    note = change_note.strip() if isinstance(change_note, str) else ""
    content = clean_guide(guide_content(draft))
    last = item.versions.aggregate(n=Max("number"))["n"] or 0
    if last and not note:
        raise ValidationError({"change_note": [_("Say what changed from the version in force.")]})
    if len(note) > 255:
        raise ValidationError({"change_note": [_("At most 255 characters.")]})
    previous = item.current
    before = snapshot(item)
    item.versions.filter(status=GuideStatus.PUBLISHED).update(status=GuideStatus.SUPERSEDED)
    now = timezone.now()
    for key, value in content.items():
        setattr(draft, key, value)
    draft.number = last + 1
    draft.status = GuideStatus.PUBLISHED
    draft.published_at = now
    draft.change_note = note
    if actor is not None and actor.is_authenticated:
        draft.edited_by = actor
    draft.save()
    was_published = item.published
    item.current = draft
    item.published = True
    item.save(update_fields=["current", "published", "updated_at"])
    record_change(actor, item, "update", before, region=item.owner_region)
    _event(
        item,
        actor,
        "published",
        from_state=f"v{previous.number}" if previous else ("published" if was_published else "unpublished"),
        to_state=f"v{draft.number}",
        note=note,
    )
    # The hotline's answer search shows the guide in force; keep its entry in the same transaction.
    from zhichan.knowledge.search import index_object

    index_object(item)
    return draft


def do_publish(actor, item: ServiceItem, change_note="") -> GuideVersion:
    """Publish the draft. A second submission finds no draft and is refused; nothing changes."""
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        _require_change(actor, item)
        return _publish(actor, item, change_note)


def version_in_force(item: ServiceItem, at=None) -> GuideVersion | None:
    """The version that was in force at `at` (now by default); None before the first one."""
    at = at or timezone.now()
    return (
        item.versions.filter(number__isnull=False, published_at__lte=at)
        .order_by("-published_at", "-number")
        .first()
    )
