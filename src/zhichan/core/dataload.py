"""Shared shape of the data-file loaders: all lines are checked, then all or nothing is saved."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LineError:
    line: int
    field: str
    message: str

    def __str__(self):
        where = f"line {self.line}" if self.line else "file"
        return f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class DataFileError(Exception):
    """A data file that cannot be loaded; nothing from it was saved."""

    def __init__(self, path, errors: list[LineError]):
        self.path = str(path)
        self.errors = errors
        super().__init__(f"{self.path}: {len(errors)} error(s)\n" + "\n".join(map(str, errors)))


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self):
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def read_csv(path: Path, required: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows with their line numbers (header is line 1); a missing column fails the file."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(path, [LineError(0, "", f"cannot read: {exc}")]) from exc
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    if missing:
        raise DataFileError(path, [LineError(1, c, "column missing") for c in missing])
    rows = []
    for row in reader:
        if None in row:
            raise DataFileError(path, [LineError(reader.line_num, "", "more values than columns")])
        rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
    return rows


def save_if_changed(model, lookup: dict, values: dict, result: LoadResult, *, audit: bool = False):
    """update_or_create that leaves an identical row untouched, so a reload changes nothing.

    With `audit`, each creation and change is written to the change history (no actor: a load).
    """
    from zhichan.core.audit import record_change, snapshot

    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        result.created += 1
        if audit:
            record_change(None, obj, "create")
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        before = snapshot(obj) if audit else None
        for k in changed:
            setattr(obj, k, values[k])
        obj.save()
        result.updated += 1
        if audit:
            record_change(None, obj, "update", before)
    else:
        result.unchanged += 1
    return obj
