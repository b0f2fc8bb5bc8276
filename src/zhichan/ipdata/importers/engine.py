"""Upserting records in batches.

A first pass counts the rows and registers the file's new local enterprises, so that linking
does not depend on the order of the rows. Counters count rows: rows of one batch with the same
number are merged into one record, and each row is counted with what happened to that record.

Each batch is one transaction: the stored records with the batch's numbers are fetched in one
query, compared field by field, and only new or changed ones are written; refused rows become
ImportRowError rows; the job's counters move on. A failure inside a batch rolls the whole batch
back, so a failed job never leaves half a batch behind. Importing the same file again finds
every record unchanged and writes nothing but the counters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.enterprises.names import is_organisation, normalize_name
from zhichan.ipdata.importers import SPECS, field_label, open_reader
from zhichan.ipdata.importers.records import RowRefused
from zhichan.ipdata.importers.tables import FileProblem
from zhichan.ipdata.linking import Linker
from zhichan.ipdata.models import ImportJob, ImportRowError
from zhichan.ipdata.validators import split_values, text

BATCH_SIZE = 1000
# Record keys that are not model fields: used for linking only.
LINK_ONLY = {"applicant_uscc"}


class Importer:
    def __init__(self, job: ImportJob, path, *, batch_size: int = BATCH_SIZE, linker: Linker | None = None):
        self.job = job
        self.kind = job.kind
        self.spec = SPECS[job.kind]
        self.path = path
        self.batch_size = batch_size
        self.linker = linker or Linker()
        model = self.spec.model
        self.fields = {
            f.name for f in model._meta.concrete_fields if f.name not in {"id", "created_at", "updated_at"}
        }
        self.through = model.enterprises.through
        self.through_fk = model._meta.model_name + "_id"  # patent_id / trademark_id

    # --- reading ----------------------------------------------------------------------------

    def rows(self) -> Iterable[tuple[int, dict]]:
        reader = open_reader(self.kind, self.path)
        self.reader = reader
        checked = False
        for row_number, values in reader.rows():
            if not checked:
                self._check_columns(reader)
                checked = True
            yield row_number, values
        if not checked and getattr(reader, "header_row", 1):
            self._check_columns(reader)

    def _check_columns(self, reader) -> None:
        columns = getattr(reader, "columns", None)
        if not self.spec.required or columns is None:
            return
        missing = [field_label(self.kind, f) for f in self.spec.required if f not in columns]
        if missing:
            raise FileProblem(
                _("The table has no %(columns)s column (found: %(found)s).")
                % {"columns": ", ".join(missing), "found": ", ".join(columns.values()) or "—"}
            )

    def prepare(self) -> int:
        """A first pass over the file: count its rows, and register the local organisations that
        are first applicants of acceptable rows as enterprises. Returns the number of rows.

        Holds one name per new local enterprise, not the rows.
        """
        candidates: dict[str, object] = {}
        total = 0
        for _row_number, values in self.rows():
            total += 1
            names = split_values(values.get("applicants"))
            if not names or normalize_name(names[0]) in candidates:
                continue
            if not values.get("applicant_uscc") and not is_organisation(names[0]):
                continue
            if self.linker.finder.county_id(text(values.get("address"))) is None:
                continue
            try:
                record = self.spec.convert(values)
            except RowRefused:
                continue
            candidate = self.linker.candidate(record)
            if candidate is not None:
                candidates[candidate.normal] = candidate
        if candidates:
            with transaction.atomic():
                self.linker.register(candidates.values())
        return total

    def label(self, field: str) -> str:
        columns = getattr(self, "reader", None) and self.reader.columns
        return (columns or {}).get(field) or field_label(self.kind, field)

    # --- writing ----------------------------------------------------------------------------

    def run(self, progress: Callable[[ImportJob], None] | None = None) -> ImportJob:
        batch: list[tuple[int, dict]] = []
        for row in self.rows():
            batch.append(row)
            if len(batch) >= self.batch_size:
                self.write_batch(batch)
                batch = []
                if progress:
                    progress(self.job)
        if batch:
            self.write_batch(batch)
            if progress:
                progress(self.job)
        return self.job

    def _convert(self, batch):
        """Clean records (rows with the same number merged, later values winning), their row
        counts, the refused rows' errors and how many rows were refused."""
        merged: dict[str, dict] = {}
        rows_of: dict[str, int] = {}
        errors, refused = [], 0
        key = self.spec.key
        for row_number, values in batch:
            try:
                record = self.spec.convert(values)
            except RowRefused as exc:
                refused += 1
                errors.extend(self._error(row_number, p.field, p.message, p.value) for p in exc.problems)
                continue
            number = record[key]
            if number in merged:
                # An invention's A and B documents, or a table listing a record twice.
                merged[number].update(record)
                rows_of[number] += 1
            else:
                merged[number] = record
                rows_of[number] = 1
        return list(merged.values()), [rows_of[n] for n in merged], errors, refused

    def _error(self, row_number, field, message, value) -> ImportRowError:
        return ImportRowError(
            job_id=self.job.pk,
            row=row_number,
            field=str(self.label(field))[:60],
            message=str(message)[:300],
            value=str(value or "")[:200],
        )

    def write_batch(self, batch: list[tuple[int, dict]]) -> None:
        records, row_counts, errors, refused = self._convert(batch)
        model, key = self.spec.model, self.spec.key
        created = updated = unchanged = 0
        with transaction.atomic():
            stored = {
                getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": [r[key] for r in records]})
            }
            links = self.linker.link(records)
            current_links: dict[int, set[int]] = {}
            if stored:
                pairs = self.through.objects.filter(
                    **{f"{self.through_fk}__in": [o.pk for o in stored.values()]}
                ).values_list(self.through_fk, "enterprise_id")
                for owner, enterprise in pairs:
                    current_links.setdefault(owner, set()).add(enterprise)

            now = timezone.now()
            new_objects, new_links = [], []
            changed_objects, changed_fields, relink = [], set(), {}
            for record, link, rows in zip(records, links, row_counts, strict=True):
                data = {k: v for k, v in record.items() if k in self.fields and k not in LINK_ONLY}
                if link.region_known:
                    data["region_id"] = link.region_id
                obj = stored.get(record[key])
                if obj is None:
                    obj = model(**data, source_job_id=self.job.pk)
                    new_objects.append(obj)
                    new_links.append(link.enterprise_ids)
                    created += rows
                    continue
                fields = {name for name, value in data.items() if getattr(obj, name) != value}
                links_changed = link.enterprises_known and set(link.enterprise_ids) != current_links.get(
                    obj.pk, set()
                )
                if not fields and not links_changed:
                    unchanged += rows
                    continue
                for name in fields:
                    setattr(obj, name, data[name])
                if fields:
                    obj.source_job_id = self.job.pk
                    obj.updated_at = now
                    changed_objects.append(obj)
                    changed_fields |= fields | {"source_job_id", "updated_at"}
                if links_changed:
                    relink[obj.pk] = link.enterprise_ids
                updated += rows

            if new_objects:
                model.objects.bulk_create(new_objects)
                for obj, ids in zip(new_objects, new_links, strict=True):
                    if ids:
                        relink[obj.pk] = ids
            if changed_objects:
                model.objects.bulk_update(changed_objects, sorted(changed_fields))
            if relink:
                self.through.objects.filter(
                    **{f"{self.through_fk}__in": [pk for pk in relink if pk in current_links]}
                ).delete()
                self.through.objects.bulk_create(
                    self.through(**{self.through_fk: pk, "enterprise_id": e})
                    for pk, ids in relink.items()
                    for e in ids
                )
            if errors:
                ImportRowError.objects.bulk_create(errors)
            ImportJob.objects.filter(pk=self.job.pk).update(
                processed_rows=F("processed_rows") + len(batch),
                created_count=F("created_count") + created,
                updated_count=F("updated_count") + updated,
                unchanged_count=F("unchanged_count") + unchanged,
                error_count=F("error_count") + refused,
            )
        self.job.refresh_from_db(
            fields=["processed_rows", "created_count", "updated_count", "unchanged_count", "error_count"]
        )
