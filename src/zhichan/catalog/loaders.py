"""Load a city's service catalogue from YAML: a list of items, each with its guide.

A new item is created and its guide published as version 1. On reload an item whose
guide differs from the version in force gets a new version ("updated from data file");
an identical item is left alone. Errors name the item's line, code and field; a file
with any error saves nothing.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from zhichan.catalog import services
from zhichan.catalog.models import ServiceItem
from zhichan.core.dataload import DataFileError, LineError, LoadResult
from zhichan.regions.models import Region

ITEM_KEYS = {"code", "name", "name_en", "category", "summary", "owner_region", "sort", "guide"}
CHANGE_NOTE = "updated from data file"


def _read(path: Path) -> tuple[list, list[int]]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DataFileError(path, [LineError(0, "", f"cannot read: {exc}")]) from exc
    if not isinstance(data, list):
        raise DataFileError(path, [LineError(0, "", "the file must be a YAML list of items")])
    lines = [node.start_mark.line + 1 for node in root.value]
    return data, lines


def _messages(exc: ValidationError, prefix=""):
    for field, messages in exc.message_dict.items():
        for message in messages:
            yield f"{prefix}{field}", str(message)


def load_catalog(path) -> LoadResult:
    entries, lines = _read(path)
    errors: list[LineError] = []
    parsed = []
    seen: dict[str, int] = {}
    regions = dict(Region.objects.values_list("code", "pk"))
    for index, entry in enumerate(entries):
        line = lines[index]
        if not isinstance(entry, dict):
            errors.append(LineError(line, f"item {index + 1}", "must be a mapping of fields"))
            continue
        label = str(entry.get("code") or f"item {index + 1}")

        def fail(field, message, line=line, label=label):
            errors.append(LineError(line, f"{label}: {field}", message))

        unknown = sorted(set(entry) - ITEM_KEYS)
        if unknown:
            fail(", ".join(unknown), "unknown key(s)")
        try:
            code = services.clean_code(entry.get("code"))
        except ValidationError as exc:
            for field, message in _messages(exc):
                fail(field, message)
            code = None
        if code in seen:
            fail("code", f"already on line {seen[code]}")
        elif code:
            seen[code] = line
        try:
            fields = services.clean_item({k: entry.get(k) for k in services.ITEM_FIELDS})
        except ValidationError as exc:
            for field, message in _messages(exc):
                fail(field, message)
            fields = None
        owner = entry.get("owner_region")
        owner_pk = None
        if owner not in (None, ""):
            owner_pk = regions.get(str(owner))
            if owner_pk is None:
                fail("owner_region", f"unknown region code {owner}")
        guide = entry.get("guide")
        if not isinstance(guide, dict):
            fail("guide", "required: a mapping of the guide's fields")
            guide = None
        else:
            try:
                guide = services.clean_guide(guide)
            except ValidationError as exc:
                for field, message in _messages(exc, "guide."):
                    fail(field, message)
                guide = None
        if code and fields is not None and guide is not None:
            parsed.append((code, owner_pk, fields, guide))
    if errors:
        raise DataFileError(path, errors)

    result = LoadResult()
    try:
        with transaction.atomic():
            for code, owner_pk, fields, guide in parsed:
                _load_item(code, owner_pk, fields, guide, result)
    except ValidationError as exc:  # a rule only the database state can break
        raise DataFileError(path, [LineError(0, f, m) for f, m in _messages(exc)]) from exc
    return result


def _load_item(code, owner_pk, fields, guide, result: LoadResult):
    item = ServiceItem.objects.select_for_update().filter(code=code).first()
    if item is None:
        item = services._create_item(None, code, None, fields)
        item.owner_region_id = owner_pk
        item.save(update_fields=["owner_region"])
        services._save_draft(None, item, guide)
        services._publish(None, item, "")
        result.created += 1
        return
    changed = False
    details = {k: v for k, v in fields.items() if getattr(item, k) != v}
    if details or item.owner_region_id != owner_pk:
        for key, value in details.items():
            setattr(item, key, value)
        item.owner_region_id = owner_pk
        item.save()
        services._event(item, None, "updated", note=CHANGE_NOTE, data={"fields": sorted(details)})
        changed = True
    if services.changed_fields(item.current, guide):
        # The file is the authority for the items it lists: it replaces any draft.
        services._save_draft(None, item, guide)
        services._publish(None, item, CHANGE_NOTE)
        changed = True
    if changed:
        result.updated += 1
    else:
        result.unchanged += 1
