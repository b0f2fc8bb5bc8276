"""Load a city's regions (CSV) and county boundaries (GeoJSON)."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from zhichan.core.dataload import DataFileError, LineError, LoadResult, read_csv, save_if_changed
from zhichan.regions.models import CODE_RE, Region, RegionBoundary, RegionKind

REGION_COLUMNS = ["code", "name", "name_en", "kind", "parent_code", "lng", "lat"]
# Which kinds may be the parent of which.
ALLOWED_PARENTS = {
    RegionKind.PROVINCE: {None},
    RegionKind.CITY: {None, RegionKind.PROVINCE},
    RegionKind.COUNTY: {RegionKind.CITY},
    RegionKind.PARK: {RegionKind.CITY, RegionKind.COUNTY},
}


def _float(value, field, line, errors, low, high):
    if value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        errors.append(LineError(line, field, f"not a number: {value!r}"))
        return None
    if not low <= number <= high:
        errors.append(LineError(line, field, f"{number} is outside {low}..{high}"))
        return None
    return number


def load_regions(path: Path) -> LoadResult:
    rows = read_csv(path, REGION_COLUMNS)
    errors: list[LineError] = []
    parsed = []
    kinds_in_file: dict[str, str] = {}
    seen: dict[str, int] = {}
    for line, row in rows:
        code, kind = row["code"], row["kind"]
        if not CODE_RE.match(code):
            errors.append(LineError(line, "code", f"{code!r} is not a division code"))
        elif code in seen:
            errors.append(LineError(line, "code", f"{code} already on line {seen[code]}"))
        seen.setdefault(code, line)
        if not row["name"]:
            errors.append(LineError(line, "name", "required"))
        if kind not in RegionKind.values:
            errors.append(LineError(line, "kind", f"{kind!r} is not one of {', '.join(RegionKind.values)}"))
        kinds_in_file[code] = kind
        lng = _float(row["lng"], "lng", line, errors, 73.0, 136.0)
        lat = _float(row["lat"], "lat", line, errors, 3.0, 54.0)
        parsed.append((line, row, lng, lat))

    known = dict(Region.objects.values_list("code", "kind"))
    for line, row, _lng, _lat in parsed:
        parent, kind = row["parent_code"] or None, row["kind"]
        if kind not in RegionKind.values:
            continue
        parent_kind = None
        if parent is not None:
            parent_kind = kinds_in_file.get(parent) or known.get(parent)
            if parent_kind is None:
                errors.append(LineError(line, "parent_code", f"unknown region code {parent}"))
                continue
        if parent_kind not in ALLOWED_PARENTS[RegionKind(kind)]:
            errors.append(
                LineError(line, "parent_code", f"a {kind} cannot lie in a {parent_kind or 'nothing'}")
            )
    if errors:
        raise DataFileError(path, errors)

    result = LoadResult()
    with transaction.atomic():
        by_code = {}
        # Parents first: sort by the depth of the kind.
        order = list(RegionKind.values)
        for index, (_line, row, lng, lat) in sorted(
            enumerate(parsed), key=lambda item: (order.index(item[1][1]["kind"]), item[0])
        ):
            parent_code = row["parent_code"] or None
            parent = None
            if parent_code:
                parent = by_code.get(parent_code) or Region.objects.get(code=parent_code)
            values = {
                "name": row["name"],
                "name_en": row["name_en"],
                "kind": row["kind"],
                "parent": parent,
                "lng": lng,
                "lat": lat,
                "sort": index,
            }
            by_code[row["code"]] = save_if_changed(Region, {"code": row["code"]}, values, result)
    return result


def load_boundaries(path: Path, renames: dict[str, str] | None = None) -> LoadResult:
    """Attach GeoJSON geometries to regions by the feature's code (adcode, code or id)."""
    renames = renames or {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataFileError(path, [LineError(0, "", f"not readable GeoJSON: {exc}")]) from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise DataFileError(path, [LineError(0, "features", "a FeatureCollection is required")])
    errors, pending = [], []
    known = set(Region.objects.values_list("code", flat=True))
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        code = str(props.get("adcode") or props.get("code") or feature.get("id") or "")
        code = renames.get(code, code)
        geometry = feature.get("geometry") or {}
        if code not in known:
            errors.append(LineError(number, "code", f"unknown region code {code or '(none)'}"))
        elif geometry.get("type") not in {"Polygon", "MultiPolygon"}:
            errors.append(LineError(number, "geometry", "a Polygon or MultiPolygon is required"))
        else:
            pending.append((code, geometry))
    if errors:
        raise DataFileError(path, errors)
    result = LoadResult()
    with transaction.atomic():
        for code, geometry in pending:
            region = Region.objects.get(code=code)
            save_if_changed(RegionBoundary, {"region": region}, {"geometry": geometry}, result)
    return result


def bounding_box(region: Region) -> tuple[float, float, float, float] | None:
    """(min_lng, min_lat, max_lng, max_lat) of the region's own or its children's boundaries."""
    geometries = list(
        RegionBoundary.objects.filter(Q(region=region) | Q(region__parent=region)).values_list(
            "geometry", flat=True
        )
    )
    points = []
    for geometry in geometries:
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            for ring in polygon:
                points.extend(ring)
    if not points:
        return None
    lngs = [p[0] for p in points]
    lats = [p[1] for p in points]
    return min(lngs), min(lats), max(lngs), max(lats)
