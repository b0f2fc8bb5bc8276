"""Upserting records in batches.

A first pass counts the rows, notes which numbers occur in more than one row, and registers the
file's new local enterprises, so that linking does not depend on the order of the rows.

Counters count rows, each once: processed = created + updated + unchanged + merged + refused.
Rows with the same number are merged into one record, wherever they are in the file: later
values win (field by field: a later row without a column leaves the earlier value), the first
such row counts what happened to the record (created, updated or unchanged, compared with the
database before the import), and each later row counts as merged. An invention's A and B
documents in XML are two rows of one record, so merging is not an error.

Each batch is one transaction: the stored records with the batch's numbers are fetched in one
query, compared field by field, and only new or changed ones are written; refused rows become
ImportRowError rows; the job's counters move on. A failure inside a batch rolls the whole batch
back, so a failed job never leaves half a batch behind. Importing the same file again finds
every record unchanged and writes nothing but the counters.

Two imports may write the same numbers at once: a batch whose insert meets a record the other
import committed meanwhile (a unique-key conflict), or a deadlock, is rolled back and written
again, now finding that record stored. Records are written in number order, so two batches
take their row locks in the same order.

A run can resume a job: the first `skip` rows (those a previous run committed, as the job's
counters say) are read but not written again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from django.db import IntegrityError, OperationalError, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.enterprises.names import is_organisation, normalize_name
from zhichan.ipdata.importers import SPECS, field_label, open_reader
from zhichan.ipdata.importers.records import RowRefused
from zhichan.ipdata.importers.tables import FileProblem
from zhichan.ipdata.linking import Linker
from zhichan.ipdata.models import ImportJob, ImportRowError, ImportStatus
from zhichan.ipdata.validators import InvalidValue, application_number, split_values, text, trademark_number

logger = logging.getLogger(__name__)
BATCH_SIZE = 1000
# Record keys that are not model fields: used for linking only.
LINK_ONLY = {"applicant_uscc"}
LINKS = "enterprises"  # in a repeated number's original values: its enterprise links
NUMBER_CHECKS = {"application_number": application_number, "registration_number": trademark_number}
WRITE_ATTEMPTS = 5
# PostgreSQL: deadlock detected, serialization failure.
RETRY_SQLSTATES = {"40P01", "40001"}


class JobLost(Exception):
    """This run no longer owns the job (it was taken as lost and marked failed, or run again)."""


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        return True  # a unique number another import inserted between our read and our insert
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return state in RETRY_SQLSTATES or "database is locked" in str(exc)


def _compact(number: str):
    """A number as a small int where that is exact (digits, no leading zero): the first pass
    holds one per row."""
    digits = number.replace(".", "")
    return int(digits) if digits.isdigit() and not digits.startswith("0") else number


def obj_number(obj, key: str):
    return _compact(getattr(obj, key))


class Importer:
    def __init__(
        self,
        job: ImportJob,
        path,
        *,
        batch_size: int = BATCH_SIZE,
        linker: Linker | None = None,
        beat: Callable[[], None] | None = None,
        skip: int | None = None,
    ):
        self.job = job
        self._insert_sql = None
        self.kind = job.kind
        self.spec = SPECS[job.kind]
        self.path = path
        self.batch_size = batch_size
        self.linker = linker or Linker()
        self.beat = beat or (lambda force=False: None)
        # Rows a previous run of this job committed: read, not written again.
        self.skip = job.processed_rows if skip is None else skip
        # Numbers (compact) in more than one row of the file -> rows of them not yet written.
        self.repeated: dict = {}
        # Of those, the ones an earlier committed batch wrote -> (what the record counts as,
        # the values before this import of the fields the import changed; None: created).
        # None for a number a previous run wrote (its state is not known here).
        self.state: dict = {}
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
        numbers: set = set()
        check = NUMBER_CHECKS[self.spec.key]
        for _row_number, values in self.rows():
            total += 1
            if not total % 1000:
                self.beat()
            try:
                number = _compact(check(values.get(self.spec.key)))
            except InvalidValue:
                pass
            else:
                if number in numbers:
                    self.repeated[number] = self.repeated.get(number, 1) + 1
                else:
                    numbers.add(number)
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
        del numbers
        if candidates:
            self._retrying(lambda: self.linker.register(candidates.values()))
        return total

    def _retrying(self, write):
        """Run `write` in a transaction, again when another import's concurrent write got in
        its way (the transaction is rolled back first, so nothing is written twice)."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    return write()
            except (IntegrityError, OperationalError) as exc:
                if attempt == WRITE_ATTEMPTS or not _retryable(exc):
                    raise
                logger.info("import job %s: concurrent write (%s); writing the batch again", self.job.pk, exc)
                time.sleep(0.05 * attempt)

    def label(self, field: str) -> str:
        columns = getattr(self, "reader", None) and self.reader.columns
        return (columns or {}).get(field) or field_label(self.kind, field)

    # --- writing ----------------------------------------------------------------------------

    def run(self, progress: Callable[[ImportJob], None] | None = None) -> ImportJob:
        batch: list[tuple[int, dict]] = []
        rows = iter(self.rows())
        for done, (_row_number, values) in enumerate(rows, start=1):
            if done > self.skip:
                batch.append((_row_number, values))
                break
            self._note_skipped(values)
        for row in rows:
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

    def _note_skipped(self, values: dict) -> None:
        """A row a previous run wrote: remember its number if later rows repeat it."""
        if not self.repeated:
            return
        try:
            number = _compact(NUMBER_CHECKS[self.spec.key](values.get(self.spec.key)))
        except InvalidValue:
            return
        if number in self.repeated:
            try:
                self.spec.convert(values)
            except RowRefused:
                return
            self.state[number] = None
            self._written(number, 1)

    def _written(self, number, rows: int) -> None:
        """`rows` rows of a repeated number are in; forget it after its last one."""
        left = self.repeated[number] - rows
        if left > 0:
            self.repeated[number] = left
        else:
            del self.repeated[number]
            self.state.pop(number, None)

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
        order = sorted(merged)  # number order: concurrent imports lock rows in the same order
        return [merged[n] for n in order], [rows_of[n] for n in order], errors, refused

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
        states = self._retrying(lambda: self._write(batch, records, row_counts, errors, refused))
        self.state.update(states)
        for number, rows in zip((_compact(r[self.spec.key]) for r in records), row_counts, strict=True):
            if number in self.repeated:
                self._written(number, rows)
        self.job.refresh_from_db(
            fields=[
                "processed_rows", "created_count", "updated_count", "unchanged_count", "error_count",
                "merged_count",
            ]
        )  # fmt: skip

    def _write(self, batch, records, row_counts, errors, refused) -> None:
        model, key = self.spec.model, self.spec.key
        job_id = self.job.pk
        created = updated = unchanged = merged = 0
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
        count = {"created": 0, "updated": 0, "unchanged": 0}
        merged = 0
        states = {}  # the batch's repeated numbers -> their state (see self.state)
        for record, link, rows in zip(records, links, row_counts, strict=True):
            number = _compact(record[key])
            tracked = number in self.repeated
            # Rows after the first with this number count as merged; an earlier batch may have
            # had the first (then every row here is merged).
            earlier = tracked and number in self.state
            merged += rows if earlier else rows - 1
            data = {k: v for k, v in record.items() if k in self.fields and k not in LINK_ONLY}
            if link.region_known:
                data["region_id"] = link.region_id
            obj = stored.get(record[key])
            if obj is None:
                obj = model(**data, source_job_id=job_id)
                new_objects.append(obj)
                new_links.append(link.enterprise_ids)
                count["created"] += 0 if earlier else 1
                if tracked:
                    states[number] = ("created", None)
                continue
            fields = {name for name, value in data.items() if getattr(obj, name) != value}
            old_links = current_links.get(obj.pk, set())
            links_changed = link.enterprises_known and set(link.enterprise_ids) != old_links
            if tracked:
                state = self._next_state(earlier, obj, data, fields, old_links, link, links_changed)
                if earlier:
                    before = self.state[number]
                    was = before[0] if before else ("unchanged" if obj.source_job_id != job_id else "created")
                    now_is = state[0] if state else ("updated" if fields or links_changed else was)
                    if was != "created" and now_is != was:
                        count[was] -= 1
                        count[now_is] += 1
                else:
                    count[state[0]] += 1
                states[number] = state
            elif fields or links_changed:
                count["updated"] += 1
            else:
                count["unchanged"] += 1
            if not fields and not links_changed:
                continue
            for name in fields:
                setattr(obj, name, data[name])
            obj.source_job_id = job_id  # also for new links only: the job changed the record
            obj.updated_at = now
            changed_objects.append(obj)
            changed_fields |= fields | {"source_job_id", "updated_at"}
            if links_changed:
                relink[obj.pk] = link.enterprise_ids
        created, updated, unchanged = count["created"], count["updated"], count["unchanged"]

        if new_objects:
            self._insert(new_objects)
            for obj, ids in zip(new_objects, new_links, strict=True):
                if ids:
                    relink[obj.pk] = ids
        if changed_objects:
            model.objects.bulk_update(changed_objects, sorted(changed_fields))
        if relink:
            self.through.objects.filter(
                **{f"{self.through_fk}__in": sorted(pk for pk in relink if pk in current_links)}
            ).delete()
            self.through.objects.bulk_create(
                self.through(**{self.through_fk: pk, "enterprise_id": e})
                for pk, ids in sorted(relink.items())
                for e in ids
            )
        if errors:
            ImportRowError.objects.bulk_create(errors)
        alive = ImportJob.objects.filter(
            pk=job_id, status=ImportStatus.RUNNING, attempt=self.job.attempt
        ).update(
            processed_rows=F("processed_rows") + len(batch),
            created_count=F("created_count") + created,
            updated_count=F("updated_count") + updated,
            unchanged_count=F("unchanged_count") + unchanged,
            merged_count=F("merged_count") + merged,
            error_count=F("error_count") + refused,
            heartbeat_at=now,
        )
        if not alive:
            raise JobLost(job_id)  # rolls this batch back: the job is no longer this run's
        return states

    def _insert(self, objs: list) -> None:
        """What bulk_create does for these rows, at a fraction of its cost: one INSERT statement
        run for every row (executemany) instead of statements compiled value by value (its
        compiler was most of an import's database time). Each value is converted by its field
        as bulk_create converts it; the new ids are read back by number."""
        model, key = self.spec.model, self.spec.key
        connection = connections[model.objects.db]
        if self._insert_sql is None:
            fields = [f for f in model._meta.concrete_fields if not f.primary_key]
            self._converters = [(f.attname, f.get_db_prep_save) for f in fields]
            quote = connection.ops.quote_name
            # Names from the model's own metadata, quoted; the values go as parameters.
            self._insert_sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608  # nosec B608  # names from the model's metadata, quoted; values are parameters
                quote(model._meta.db_table),
                ", ".join(quote(f.column) for f in fields),
                ", ".join(["%s"] * len(fields)),
            )
        now = timezone.now()
        rows = []
        for obj in objs:
            obj.created_at = obj.updated_at = now
            rows.append([prep(getattr(obj, attname), connection) for attname, prep in self._converters])
        with connection.cursor() as cursor:
            cursor.executemany(self._insert_sql, rows)
        ids = dict(
            model.objects.filter(**{f"{key}__in": [getattr(o, key) for o in objs]}).values_list(key, "pk")
        )
        for obj in objs:
            obj.pk = ids[getattr(obj, key)]
            obj._state.adding = False
            obj._state.db = connection.alias

    def _next_state(self, earlier, obj, data, fields, old_links, link, links_changed):
        """A repeated number's state after this batch's rows: what the record counts as, compared
        with the database before the import (a later row may undo what an earlier one changed)."""
        if earlier:
            before = self.state[obj_number(obj, self.spec.key)]
            if before is None:
                return None  # written by a previous run: see the source_job rule in _write
            if before[0] == "created":
                return before
            original = dict(before[1])
        else:
            original = {}
        for name in fields:
            original.setdefault(name, getattr(obj, name))
        if links_changed:
            original.setdefault(LINKS, set(old_links))
        for name, value in original.items():
            if name == LINKS:
                now = set(link.enterprise_ids) if link.enterprises_known else old_links
            else:
                now = data[name] if name in fields else getattr(obj, name)
            if now != value:
                return ("updated", original)
        return ("unchanged", original)
