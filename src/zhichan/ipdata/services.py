"""The only code that changes import jobs; pages, the API, the command and the worker call these.

    do_start_import(actor, kind, file, original_name)  the job row, then the worker task on commit
    do_run_import(job_id)                               what the worker runs (idempotent)
    do_import_file(actor, kind, path, progress=...)     the command: a job run here and now
    do_rerun_import(actor, job_id)                      a failed job again, resuming after its last batch
    fail_stale_jobs()                                   running jobs whose worker gave no sign of life
    remove_old_files()                                  uploaded files of jobs ended long enough ago

Each state change (queued, running, done, failed, file removed) writes an ImportJobEvent in its
transaction.

A running job's worker writes `heartbeat_at` with every batch (and every few seconds while it
counts the rows). A job without a heartbeat for ZHICHAN_IMPORT_STALE_MINUTES is marked failed
with the reason; it is not re-queued by itself, since a file that stops its worker (memory, a
crash) would stop every worker in turn. Whoever started it can run it again from its page: the
run resumes after the last committed batch (batches and the job's counters commit together, so
the counters say exactly which rows are in), and the rows before it are not read again into the
database. Each run has its own `attempt` number; a worker taken for dead that wakes up finds its
attempt gone and stops without writing.
"""

from __future__ import annotations

import logging
import secrets
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from zhichan.core.permissions import VIEW, PermissionDenied, role_of
from zhichan.ipdata import importers
from zhichan.ipdata.importers.engine import Importer, JobLost
from zhichan.ipdata.importers.tables import FileProblem
from zhichan.ipdata.models import ImportJob, ImportJobEvent, ImportKind, ImportStatus

logger = logging.getLogger(__name__)
IMPORT_FOLDER = "imports"


def can_import(user) -> bool:
    if user is not None and user.is_authenticated and user.is_superuser:
        return True
    return role_of(user) in {"city_admin", "county_admin"}


def max_bytes() -> int:
    return int(float(settings.ZHICHAN_IMPORT_MAX_MB) * 1024 * 1024)


def _event(job, actor, kind, from_state="", to_state="", note="", data=None) -> ImportJobEvent:
    return ImportJobEvent.objects.create(
        job=job,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )


def check_import_file(file) -> str:
    """The format ("csv", "xlsx", "xml") of an upload, judged by its content; ValidationError otherwise."""
    limit = max_bytes()
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {
                "file": [
                    _("The file is %(size).1f MB; the limit for imports is %(limit).0f MB.")
                    % {"size": size / 1048576, "limit": limit / 1048576}
                ]
            }
        )
    try:
        return importers.detect_format(file)
    except importers.UnknownFormat as exc:
        raise ValidationError(
            {
                "file": [
                    _("This file's content is %(what)s. Accepted: CSV, XLSX or XML (whatever the name says).")
                    % {"what": exc}
                ]
            }
        ) from exc


def _store(file, fmt: str) -> str:
    from zhichan.notices.files import private_storage

    file.seek(0)
    return private_storage().save(f"{IMPORT_FOLDER}/{secrets.token_urlsafe(24)}.{fmt}", file)


def _clean_kind(kind) -> str:
    kind = str(getattr(kind, "value", kind) or "")
    if kind and kind not in ImportKind.values:
        raise ValidationError(
            {"kind": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(ImportKind.values)}]}
        )
    return kind


def do_start_import(actor, kind, file, original_name: str) -> ImportJob:
    """Check and store the file, create the queued job; the worker starts once this commits.

    `kind` may be empty: it is then read from the file (XML is patents; a table by its headers).
    """
    if not can_import(actor):
        raise PermissionDenied
    kind = _clean_kind(kind)
    if file is None:
        raise ValidationError({"file": [_("Choose a file.")]})
    fmt = check_import_file(file)
    if kind and fmt not in importers.KIND_FORMATS[kind]:
        raise ValidationError(
            {
                "file": [
                    _("A %(kind)s import needs a %(formats)s file; this one is %(found)s.")
                    % {
                        "kind": ImportKind(kind).label,
                        "formats": " / ".join(f.upper() for f in importers.KIND_FORMATS[kind]),
                        "found": fmt.upper(),
                    }
                ]
            }
        )
    name = Path(str(original_name or "").replace("\\", "/")).name.replace("\x00", "")[:200] or f"upload.{fmt}"
    stored = _store(file, fmt)
    try:
        if not kind:
            from zhichan.core.files import local_copy
            from zhichan.notices.files import private_storage

            with local_copy(private_storage(), stored) as path:
                kind = importers.guess_kind(path)
            if not kind:
                raise ValidationError(
                    {"kind": [_("The kind of records cannot be told from this file's headers; choose it.")]}
                )
        with transaction.atomic():
            job = ImportJob.objects.create(kind=kind, file=stored, original_name=name, created_by=actor)
            _event(job, actor, "queued", to_state=ImportStatus.QUEUED, data={"file": name})
            transaction.on_commit(lambda: _enqueue(job.pk))
    except Exception:
        from zhichan.notices.files import private_storage

        private_storage().delete(stored)
        raise
    return job


def _enqueue(job_id: int) -> None:
    from zhichan.ipdata.tasks import run_import

    run_import(job_id)


def _claim(job_id: int, actor=None) -> ImportJob | None:
    """Queued -> running, once: a second worker (or a retry) finds nothing to claim."""
    now = timezone.now()
    with transaction.atomic():
        claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.RUNNING, started_at=now, updated_at=now, heartbeat_at=now,
            attempt=F("attempt") + 1,
        )  # fmt: skip
        if not claimed:
            return None
        job = ImportJob.objects.get(pk=job_id)
        _event(job, actor, "running", from_state=ImportStatus.QUEUED, to_state=ImportStatus.RUNNING)
    return job


def _finish(job: ImportJob, status: str, message: str = "", actor=None) -> ImportJob:
    now = timezone.now()
    with transaction.atomic():
        ended = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING, attempt=job.attempt).update(
            status=status, message=message[:5000], finished_at=now, updated_at=now
        )
        job.refresh_from_db()
        if not ended:
            return job  # this run was taken as lost meanwhile: its end is already recorded
        _event(
            job,
            actor,
            status,
            from_state=ImportStatus.RUNNING,
            to_state=status,
            note=message[:5000],
            data={
                "processed": job.processed_rows,
                "created": job.created_count,
                "updated": job.updated_count,
                "unchanged": job.unchanged_count,
                "refused": job.error_count,
                "merged": job.merged_count,
            },
        )
    return job


class Heartbeat:
    """Calling it records that this run is alive (at most every `every` seconds); JobLost when
    the job is no longer this run's (taken as lost and failed, or run again)."""

    def __init__(self, job: ImportJob, every: float = 15.0):
        self.job = job
        self.every = every
        self.last = time.monotonic()

    def __call__(self, force: bool = False) -> None:
        if not force and time.monotonic() - self.last < self.every:
            return
        self.last = time.monotonic()
        alive = ImportJob.objects.filter(
            pk=self.job.pk, status=ImportStatus.RUNNING, attempt=self.job.attempt
        ).update(heartbeat_at=timezone.now())
        if not alive:
            raise JobLost(self.job.pk)


def _run(job: ImportJob, path, progress=None, actor=None, batch_size=None) -> ImportJob:
    beat = Heartbeat(job)
    try:
        importer = Importer(job, path, beat=beat, **({"batch_size": batch_size} if batch_size else {}))
        total = importer.prepare()
        ImportJob.objects.filter(pk=job.pk).update(total_rows=total)
        job.total_rows = total
        if progress:
            progress(job)
        importer.run(progress)
    except JobLost:
        logger.warning("import job %s: this run was taken as lost; it stops here", job.pk)
        job.refresh_from_db()
        return job
    except FileProblem as exc:
        return _finish(job, ImportStatus.FAILED, str(exc), actor)
    except Exception as exc:
        logger.exception("import job %s stopped", job.pk)
        _update_search_index(job, beat)  # the rows before the error are kept: searches should find them
        return _finish(
            job,
            ImportStatus.FAILED,
            _("The import stopped at an unexpected error (%(error)s); the rows before it are kept.")
            % {"error": f"{type(exc).__name__}: {exc}"[:500]},
            actor,
        )
    _update_search_index(job, beat)
    _queue_watch_scan(job)
    note = ""
    if importer.linker.created:
        note = _("%(n)d new local enterprises were registered from the applicants.") % {
            "n": importer.linker.created
        }
    return _finish(job, ImportStatus.DONE, note, actor)


def _update_search_index(job: ImportJob, beat=None) -> None:
    """The patents this job wrote go into the search index (their rows are committed by now);
    trademarks into the screening index."""
    if job.kind == ImportKind.TRADEMARK_TABLE:
        from zhichan.screening.services import update_index

        try:
            update_index()
        except Exception:
            logger.exception(
                "import job %s: screening index not updated; run `zhichan screening_index`", job.pk
            )
        return
    if job.kind not in (ImportKind.PATENT_TABLE, ImportKind.PATENT_XML):
        return
    from zhichan.ipdata.search.service import index_import_job

    try:
        index_import_job(job, progress=beat)
    except JobLost:
        pass  # taken as lost meanwhile: a re-run indexes the job's patents again
    except Exception:
        # The records are in; only the index lags, and a rebuild brings it in step.
        logger.exception(
            "import job %s: search index not updated; run `zhichan search_index rebuild`", job.pk
        )


def _queue_watch_scan(job: ImportJob) -> None:
    """Watch lists are checked against what the import brought (after the indexes are updated)."""
    try:
        from zhichan.watch.tasks import scan_after_import

        scan_after_import()
    except Exception:
        # The hourly scan catches up; an import is not failed for its alerts.
        logger.exception("import job %s: watch scan not queued", job.pk)


def do_run_import(job_id: int, progress=None, batch_size=None) -> ImportJob | None:
    """Run a queued job (the worker task). A job that is running, done or failed is left alone."""
    job = _claim(job_id)
    if job is None:
        return ImportJob.objects.filter(pk=job_id).first()
    from zhichan.core.files import local_copy

    with ExitStack() as stack:
        try:
            # The importers read a file by path: from a bucket it is copied to local disk first.
            path = stack.enter_context(local_copy(job.file.storage, job.file.name)) if job.file.name else None
        except FileNotFoundError:
            path = None
        if path is None:
            return _finish(job, ImportStatus.FAILED, _("The job's file is missing."))
        return _run(job, path, progress, batch_size=batch_size)


def do_import_file(actor, kind, path, progress=None, batch_size=None) -> ImportJob:
    """Import a local file now, in this process (the command); the job records it like any other.

    The file is read where it is, not copied; the job keeps its name only.
    """
    path = Path(path)
    kind = _clean_kind(kind)
    if not path.is_file():
        raise ValidationError({"file": [_("No such file: %(path)s") % {"path": path}]})
    if not kind:
        kind = importers.guess_kind(path)
        if not kind:
            raise ValidationError(
                {"kind": [_("The kind of records cannot be told from this file's headers; give --kind.")]}
            )
    with transaction.atomic():
        job = ImportJob.objects.create(kind=kind, file="", original_name=path.name[:200], created_by=actor)
        _event(job, actor, "queued", to_state=ImportStatus.QUEUED, data={"file": str(path)[:500]})
    job = _claim(job.pk, actor)
    return _run(job, path, progress, actor, batch_size=batch_size)


def do_rerun_import(actor, job_id: int) -> ImportJob:
    """A failed job back to the queue, its file and counters kept: the worker resumes it after the
    rows already saved. A second request (a double click) finds it queued and changes nothing."""
    if not can_import(actor):
        raise PermissionDenied
    job = ImportJob.objects.restrict(actor, VIEW).filter(pk=job_id).first()
    if job is None:
        raise PermissionDenied
    if job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return job
    if not job.can_rerun:
        raise ValidationError(
            _("Only a failed import whose uploaded file is still kept can be run again.")
            if job.status == ImportStatus.FAILED
            else _("Only a failed import can be run again.")
        )
    with transaction.atomic():
        moved = (
            ImportJob.objects.filter(pk=job.pk, status=ImportStatus.FAILED, file_removed_at__isnull=True)
            .exclude(file="")
            .update(status=ImportStatus.QUEUED, message="", finished_at=None, updated_at=timezone.now())
        )
        job.refresh_from_db()
        if not moved:
            return job
        _event(
            job,
            actor,
            "requeued",
            from_state=ImportStatus.FAILED,
            to_state=ImportStatus.QUEUED,
            data={"resume_after": job.processed_rows},
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def stale_before(now=None):
    return (now or timezone.now()) - timedelta(minutes=settings.ZHICHAN_IMPORT_STALE_MINUTES)


def fail_stale_jobs(now=None) -> int:
    """Mark failed the running jobs whose worker gave no sign of life for
    ZHICHAN_IMPORT_STALE_MINUTES (it was killed, or the machine restarted). Returns how many."""
    now = now or timezone.now()
    cutoff = stale_before(now)
    lost = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, updated_at__lt=cutoff)
    failed = 0
    for job in ImportJob.objects.filter(lost, status=ImportStatus.RUNNING):
        seen = job.heartbeat_at or job.updated_at
        message = _(
            "The worker running this import gave no sign of life after %(time)s (more than %(minutes)d "
            "minutes): it was stopped or its machine restarted. The %(rows)d rows processed before are "
            "kept. Run the import again to continue after them."
        ) % {
            "time": formats.date_format(timezone.localtime(seen), "Y-m-d H:i:s"),
            "minutes": settings.ZHICHAN_IMPORT_STALE_MINUTES,
            "rows": job.processed_rows,
        }
        with transaction.atomic():
            # The same conditions again: a heartbeat since the query keeps the job running.
            ended = ImportJob.objects.filter(
                lost, pk=job.pk, status=ImportStatus.RUNNING, attempt=job.attempt
            ).update(status=ImportStatus.FAILED, message=message, finished_at=now, updated_at=now)
            if ended:
                _event(
                    job, None, "stale", from_state=ImportStatus.RUNNING, to_state=ImportStatus.FAILED,
                    note=message, data={"last_heartbeat": seen.isoformat(), "processed": job.processed_rows},
                )  # fmt: skip
                failed += 1
    if failed:
        logger.warning("%d import job(s) without a worker were marked failed", failed)
    return failed


def remove_old_files(now=None) -> int:
    """Delete the uploaded file of jobs that ended more than ZHICHAN_IMPORT_KEEP_DAYS ago; the job
    and its counts stay, marked with the removal. Returns how many files were removed."""
    from zhichan.notices.files import private_storage

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ZHICHAN_IMPORT_KEEP_DAYS)
    storage = private_storage()
    removed = 0
    old = ImportJob.objects.filter(
        status__in=(ImportStatus.DONE, ImportStatus.FAILED), finished_at__lt=cutoff
    ).exclude(file="")
    for job in old.only("pk", "file", "status"):
        name = job.file.name
        with transaction.atomic():
            marked = ImportJob.objects.filter(pk=job.pk, status=job.status, file=name).update(
                file="", file_removed_at=now, updated_at=now
            )
            if not marked:
                continue  # run again meanwhile
            _event(
                job, None, "file_removed", note=name,
                data={"keep_days": settings.ZHICHAN_IMPORT_KEEP_DAYS},
            )  # fmt: skip
            transaction.on_commit(lambda name=name: storage.delete(name))
        removed += 1
    return removed
