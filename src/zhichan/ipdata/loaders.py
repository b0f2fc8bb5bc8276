"""Industry definitions of a city bundle, from YAML: a list of {name, description, ipc_codes, keywords}.

They belong to no user, are shared with all staff and are kept up to date by name; reloading
the same file changes nothing. Errors name the entry's line and field; a file with any error
saves nothing.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from zhichan.core.dataload import DataFileError, LineError, LoadResult
from zhichan.ipdata import industry_services as services
from zhichan.ipdata.models import clean_ipc_codes, clean_keywords

KEYS = {"name", "description", "ipc_codes", "keywords"}


def load_industries(path) -> LoadResult:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise DataFileError(path, [LineError(0, "", f"cannot read: {exc}")]) from exc
    if not isinstance(data, list):
        raise DataFileError(path, [LineError(0, "", "the file must be a YAML list of industries")])
    errors: list[LineError] = []
    parsed, seen = [], {}
    for index, entry in enumerate(data):
        line = root.value[index].start_mark.line + 1
        if not isinstance(entry, dict):
            errors.append(LineError(line, f"industry {index + 1}", "must be a mapping of fields"))
            continue
        unknown = sorted(set(entry) - KEYS)
        if unknown:
            errors.append(LineError(line, ", ".join(unknown), "unknown key(s)"))
        name = str(entry.get("name") or "").strip()
        if not name or len(name) > 100:
            errors.append(LineError(line, "name", "required, at most 100 characters"))
        elif name in seen:
            errors.append(LineError(line, "name", f"already on line {seen[name]}"))
        seen.setdefault(name, line)
        values = {"name": name, "description": str(entry.get("description") or "").strip()}
        for field, cleaner in (("ipc_codes", clean_ipc_codes), ("keywords", clean_keywords)):
            try:
                values[field] = cleaner(entry.get(field) or [])
            except ValidationError as exc:
                errors.extend(LineError(line, f"{name}: {field}", str(m)) for m in exc.message_dict[field])
        if not (values.get("ipc_codes") or values.get("keywords")):
            errors.append(LineError(line, f"{name}: ipc_codes", "give IPC codes or keywords"))
        parsed.append(values)
    if errors:
        raise DataFileError(path, errors)
    result = LoadResult()
    with transaction.atomic():
        for values in parsed:
            services.load_definition(values, result)
    return result
