"""Search documents: the plain dicts the backends index, built from patents.

A document carries the Patent field names the search needs, plus `id` (the patent's primary
key) and the county it lies in (`county`: the region code, `county_name`). Keep it flat and
JSON-like: the tantivy backend and the PostgreSQL backend both read these dicts.
"""

from __future__ import annotations

import datetime as dt

from zhichan.regions.models import RegionKind

TEXT_KEYS = ("title", "abstract", "claims", "address", "agency")
LIST_KEYS = ("applicants", "inventors", "agents", "ipc_codes")
VALUE_FIELDS = (
    "id",
    "application_number",
    "application_date",
    "publication_number",
    "publication_date",
    "grant_number",
    "grant_date",
    "patent_type",
    "title",
    "abstract",
    "claims",
    "applicants",
    "inventors",
    "address",
    "ipc_codes",
    "main_ipc",
    "legal_status",
    "agency",
    "agents",
    "region__code",
    "region__name",
    "region__kind",
    "region__parent__code",
    "region__parent__name",
    "region__parent__kind",
)


def document_from_record(record: dict) -> dict:
    """A document from a dict with the Patent field names (an import row, a generated record).

    `id` must be present; the county comes from `county`/`county_name`, or from `region` when
    it is a Region.
    """
    doc = {
        "id": int(record["id"]),
        "application_number": record.get("application_number") or "",
        "publication_number": record.get("publication_number") or "",
        "grant_number": record.get("grant_number") or "",
        "application_date": _date(record.get("application_date")),
        "publication_date": _date(record.get("publication_date")),
        "grant_date": _date(record.get("grant_date")),
        "patent_type": record.get("patent_type") or "",
        "legal_status": record.get("legal_status") or "unknown",
        "main_ipc": record.get("main_ipc") or "",
        "county": record.get("county") or "",
        "county_name": record.get("county_name") or "",
    }
    for key in TEXT_KEYS:
        doc[key] = record.get(key) or ""
    for key in LIST_KEYS:
        doc[key] = [v for v in (record.get(key) or []) if v]
    region = record.get("region")
    if region is not None and not doc["county"]:
        county = getattr(region, "county", None)
        if county is not None:
            doc["county"], doc["county_name"] = county.code, county.name
    if not doc["main_ipc"] and doc["ipc_codes"]:
        doc["main_ipc"] = doc["ipc_codes"][0]
    return doc


def patent_document(patent) -> dict:
    record = {name: getattr(patent, name) for name in VALUE_FIELDS if "__" not in name}
    record["region"] = patent.region
    return document_from_record(record)


def _county_of_values(row: dict) -> tuple[str, str]:
    if row.get("region__kind") == RegionKind.COUNTY:
        return row["region__code"], row["region__name"]
    if row.get("region__kind") == RegionKind.PARK and row.get("region__parent__kind") == RegionKind.COUNTY:
        return row["region__parent__code"], row["region__parent__name"]
    return "", ""


def documents_from_queryset(queryset, chunk_size: int = 2000):
    """Documents for every patent of `queryset`, streamed (bounded memory for any size)."""
    for row in queryset.values(*VALUE_FIELDS).iterator(chunk_size=chunk_size):
        row["county"], row["county_name"] = _county_of_values(row)
        yield document_from_record(row)


def _date(value):
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def application_year(doc: dict) -> int | None:
    return doc["application_date"].year if doc.get("application_date") else None


def ipc_class(doc: dict) -> str:
    """The facet value: the main IPC's subclass (H01M), or its section when that is all there is."""
    main = (doc.get("main_ipc") or "").strip().upper()
    if len(main) >= 4:
        return main[:4]
    return main[:1]


def ipc_prefixes(codes) -> list[str]:
    """Every prefix a query may name: A, A01, A01B, A01B 1, A01B 1/00."""
    out = []
    seen = set()
    for code in codes:
        norm = " ".join(code.strip().upper().split())
        if len(norm) > 4 and norm[4] != " ":
            norm = norm[:4] + " " + norm[4:]
        candidates = [norm[:1], norm[:3], norm[:4]]
        if len(norm) > 5:
            group = norm.split("/", 1)[0]
            candidates += [group, norm]
        for value in candidates:
            if value and value not in seen:
                seen.add(value)
                out.append(value)
    return out


def publication_keys(doc: dict) -> list[str]:
    """What PN= matches: publication and grant numbers, with and without the kind code."""
    keys = []
    for number in (doc.get("publication_number"), doc.get("grant_number")):
        if not number:
            continue
        number = number.strip().upper()
        keys.append(number)
        stem = _strip_kind(number)
        if stem != number:
            keys.append(stem)
    return list(dict.fromkeys(keys))


def _strip_kind(number: str) -> str:
    # The kind code is a letter and an optional digit after the serial (CN104805195A, ...B1).
    for i in range(len(number) - 1, 1, -1):
        if number[i].isalpha():
            return number[:i]
    return number


def county_keys(doc: dict) -> list[str]:
    return [v for v in (doc.get("county"), doc.get("county_name")) if v]
