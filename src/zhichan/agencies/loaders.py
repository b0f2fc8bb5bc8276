"""Load a city's agencies from CSV; rows are keyed by (region, name)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from zhichan.agencies.models import TRANSITIONS, Agency, Status
from zhichan.agencies.services import check_parent, clean_agency_fields, save_agency
from zhichan.core.dataload import DataFileError, LineError, LoadResult, read_csv

AGENCY_COLUMNS = [
    "name",
    "name_en",
    "level",
    "type",
    "region_code",
    "parent_name",
    "functions",
    "services",
    "address",
    "lng",
    "lat",
    "opening_hours",
    "contact_person",
    "phone",
    "email",
    "website",
    "status",
]
# Field names of the services module → columns of the file.
COLUMN_OF = {"region": "region_code", "parent": "parent_name"}
PLAIN = (
    "name",
    "name_en",
    "level",
    "type",
    "address",
    "opening_hours",
    "contact_person",
    "phone",
    "email",
    "website",
)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _line_errors(line: int, exc: ValidationError) -> list[LineError]:
    return [
        LineError(line, COLUMN_OF.get(field, field), message)
        for field, messages in exc.message_dict.items()
        for message in messages
    ]


def load_agencies(path: Path) -> LoadResult:
    rows = read_csv(path, AGENCY_COLUMNS)
    errors: list[LineError] = []
    parsed = []  # (line, key, cleaned, status, existing, parent_name)
    seen: dict[tuple[str, str], int] = {}
    box_cache: dict = {}
    for line, row in rows:
        data = {field: row[field] for field in PLAIN}
        if "description" in row:
            data["description"] = row["description"]
        data["region"] = row["region_code"]
        data["functions"] = _split(row["functions"])
        data["services"] = _split(row["services"])
        data["lng"], data["lat"] = row["lng"] or None, row["lat"] or None
        status = row["status"] or Status.PLANNED
        if status not in Status.values:
            errors.append(LineError(line, "status", f"{status!r} is not one of {', '.join(Status.values)}"))
        key = (row["region_code"], row["name"])
        if row["name"] and key in seen:
            errors.append(LineError(line, "name", f"{row['name']} in {key[0]} already on line {seen[key]}"))
            continue
        seen.setdefault(key, line)
        existing = Agency.objects.filter(region__code=key[0], name=key[1]).select_related("region").first()
        moving = existing is not None and status in Status.values and status != existing.status
        if moving and status not in TRANSITIONS[Status(existing.status)]:
            # The lifecycle holds for files too: a closed agency is not reopened by a reload.
            errors.append(
                LineError(line, "status", f"{existing.name} cannot go from {existing.status} to {status}")
            )
        try:
            cleaned = clean_agency_fields(data, existing, box_cache=box_cache)
        except ValidationError as exc:
            errors.extend(_line_errors(line, exc))
            continue
        parsed.append((line, key, cleaned, status, existing, row["parent_name"]))

    # Parents: a row of this file, else an agency already in the database, in the same city.
    in_file: dict[str, list] = {}
    for item in parsed:
        in_file.setdefault(item[1][1], []).append(item)
    parent_key: dict[tuple, tuple | None] = {}
    for line, key, cleaned, _status, _existing, parent_name in parsed:
        if not parent_name:
            parent_key[key] = None
            continue
        region = cleaned.get("region")
        city_regions = None
        candidates = [(k, c["region"]) for _l, k, c, *_ in in_file.get(parent_name, [])]
        known = {k for k, _r in candidates}
        for agency in Agency.objects.filter(name=parent_name).select_related("region"):
            k = (agency.region.code, agency.name)
            if k not in known:
                candidates.append((k, agency.region))
        if region is not None:
            problems: dict = {}
            city_regions = []
            for k, r in candidates:
                problems.clear()
                check_parent(region, r, problems)
                if not problems:
                    city_regions.append((k, r))
        else:
            city_regions = candidates
        if not city_regions:
            errors.append(LineError(line, "parent_name", f"unknown parent agency {parent_name}"))
        elif len(city_regions) > 1:
            where = ", ".join(k[0] for k, _r in city_regions)
            errors.append(LineError(line, "parent_name", f"{parent_name} is ambiguous (in {where})"))
        elif city_regions[0][0] == key:
            errors.append(LineError(line, "parent_name", "an agency cannot be its own parent"))
        else:
            parent_key[key] = city_regions[0][0]

    # No cycles through the file (or through agencies already saved).
    lines = {item[1]: item[0] for item in parsed}

    def parent_of(key):
        if key in parent_key:
            return parent_key[key]
        agency = (
            Agency.objects.filter(region__code=key[0], name=key[1]).select_related("parent__region").first()
        )
        if agency is None or agency.parent is None:
            return None
        return (agency.parent.region.code, agency.parent.name)

    depth: dict[tuple, int] = {}
    for key in parent_key:
        chain, node = [key], parent_key[key]
        while node is not None and node not in chain:
            chain.append(node)
            node = parent_of(node)
        if node is not None:
            errors.append(LineError(lines[key], "parent_name", "the parent chain makes a cycle"))
            continue
        depth[key] = sum(1 for k in chain[1:] if k in lines)
    if errors:
        raise DataFileError(path, sorted(errors, key=lambda e: e.line))

    result = LoadResult()
    saved: dict[tuple, Agency] = {}
    with transaction.atomic():
        for _line, key, cleaned, status, existing, _parent_name in sorted(parsed, key=lambda p: depth[p[1]]):
            target = parent_key[key]
            if target is None:
                cleaned["parent"] = None
            elif target in saved:
                cleaned["parent"] = saved[target]
            else:
                cleaned["parent"] = Agency.objects.get(region__code=target[0], name=target[1])
            agency, created, changes = save_agency(None, existing, cleaned, status=status)
            saved[key] = agency
            if created:
                result.created += 1
            elif changes:
                result.updated += 1
            else:
                result.unchanged += 1
    return result
