"""The only code that changes industry definitions and navigation reports; pages, the API, the
bundle loader and the worker call these functions.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhichan.accounts.models import STAFF_ROLES
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied, role_of
from zhichan.core.validation import clean_text
from zhichan.ipdata.models import (
    REPORT_ACTIVE,
    IndustryDefinition,
    IndustryEvent,
    NavigationReport,
    ReportStatus,
    clean_ipc_codes,
    clean_keywords,
)

log = logging.getLogger(__name__)

DEFINITION_FIELDS = ("name", "description", "ipc_codes", "keywords", "shared")


def can_define(user) -> bool:
    """Any signed-in user may keep industry definitions (and ask for their reports)."""
    return bool(user is not None and user.is_authenticated)


def can_share(user) -> bool:
    return bool(can_define(user) and (user.is_superuser or role_of(user) in STAFF_ROLES))


def current(definition: IndustryDefinition) -> dict:
    """A definition's editable values, for partial updates."""
    return {name: getattr(definition, name) for name in DEFINITION_FIELDS}


def _clean(actor, data: dict, owner, pk=None) -> dict:
    errors: dict[str, list] = {}
    cleaned = {
        "name": clean_text(data.get("name"), "name", errors, max_length=100, required=True),
        "description": clean_text(data.get("description"), "description", errors, max_length=2000),
        "shared": bool(data.get("shared") or False),
    }
    for name, cleaner in (("ipc_codes", clean_ipc_codes), ("keywords", clean_keywords)):
        try:
            cleaned[name] = cleaner(data.get(name) or [])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if (
        "ipc_codes" not in errors
        and "keywords" not in errors
        and not (cleaned["ipc_codes"] or cleaned["keywords"])
    ):
        errors["ipc_codes"] = [_("Give at least one IPC code or keyword.")]
    if cleaned["shared"] and not can_share(actor):
        errors["shared"] = [_("Only staff can share a definition.")]
    if "name" not in errors:
        same = IndustryDefinition.objects.filter(owner=owner, name=cleaned["name"]).exclude(pk=pk)
        if same.exists():
            errors["name"] = [_("There is already a definition of this name.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _event(kind, actor=None, *, definition=None, report=None, from_state="", to_state="", note="", data=None):
    return IndustryEvent.objects.create(
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        definition=definition,
        report=report,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )


def do_save_definition(actor, definition: IndustryDefinition | None, data: dict) -> IndustryDefinition:
    """Create (definition None) or update a definition; the actor owns what they create."""
    if not can_define(actor):
        raise PermissionDenied
    with transaction.atomic():
        if definition is None:
            cleaned = _clean(actor, data, actor)
            try:
                with transaction.atomic():
                    definition = IndustryDefinition.objects.create(owner=actor, **cleaned)
            except IntegrityError:
                raise ValidationError({"name": [_("There is already a definition of this name.")]}) from None
            _event("created", actor, definition=definition, data={"query": definition.to_query(), **cleaned})
            return definition
        locked = (
            IndustryDefinition.objects.restrict(actor, CHANGE)
            .select_for_update()
            .filter(pk=definition.pk)
            .first()
        )
        if locked is None:
            raise PermissionDenied
        cleaned = _clean(actor, {**current(locked), **data}, locked.owner, pk=locked.pk)
        changes = {k: [getattr(locked, k), v] for k, v in cleaned.items() if getattr(locked, k) != v}
        if not changes:
            return locked
        for name, value in cleaned.items():
            setattr(locked, name, value)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise ValidationError({"name": [_("There is already a definition of this name.")]}) from None
        _event("changed", actor, definition=locked, data={"changes": changes, "query": locked.to_query()})
        return locked


def do_delete_definition(actor, definition: IndustryDefinition) -> None:
    """Delete a definition; its reports stay (they keep the name and query they were made for)."""
    if not can_define(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = (
            IndustryDefinition.objects.restrict(actor, CHANGE)
            .select_for_update()
            .filter(pk=definition.pk)
            .first()
        )
        if locked is None:
            raise PermissionDenied
        _event(
            "deleted",
            actor,
            data={"id": locked.pk, "name": locked.name, "query": locked.to_query(), "owner": locked.owner_id},
        )
        locked.delete()


def load_definition(values: dict, result) -> IndustryDefinition:
    """A bundle definition (no owner, shared) created or brought up to date; for the loader."""
    values = {**values, "shared": True}
    definition = IndustryDefinition.objects.filter(owner__isnull=True, name=values["name"]).first()
    if definition is None:
        definition = IndustryDefinition.objects.create(owner=None, **values)
        _event(
            "created", None, definition=definition, note="city bundle", data={"query": definition.to_query()}
        )
        result.created += 1
        return definition
    changes = {k: [getattr(definition, k), v] for k, v in values.items() if getattr(definition, k) != v}
    if not changes:
        result.unchanged += 1
        return definition
    for name, value in values.items():
        setattr(definition, name, value)
    definition.save()
    _event("changed", None, definition=definition, note="city bundle", data={"changes": changes})
    result.updated += 1
    return definition


# --- navigation reports --------------------------------------------------------------------------


def _stale_before():
    return timezone.now() - timedelta(minutes=settings.ZHICHAN_REPORT_STALE_MINUTES)


def do_request_report(actor, definition: IndustryDefinition) -> NavigationReport:
    """Ask for a navigation report of `definition`; the worker builds it.

    Anyone signed in who can see the definition may ask. While the actor's report of it is
    still queued or running, asking again returns that one (one at a time per definition and
    user); a running one that has not moved for ZHICHAN_REPORT_STALE_MINUTES is taken as lost.
    """
    if not can_define(actor):
        raise PermissionDenied
    with transaction.atomic():
        # The lock makes two requests at once by one user wait for each other.
        locked = (
            IndustryDefinition.objects.restrict(actor, VIEW)
            .select_for_update()
            .filter(pk=definition.pk)
            .first()
        )
        if locked is None:
            raise PermissionDenied
        active = (
            NavigationReport.objects.select_for_update()
            .filter(definition=locked, requested_by=actor, status__in=REPORT_ACTIVE)
            .first()
        )
        if active is not None:
            if not (active.status == ReportStatus.RUNNING and active.updated_at < _stale_before()):
                return active
            _finish_failed(active, _("The worker stopped while building this report."))
        report = NavigationReport.objects.create(
            definition=locked,
            title=locked.name,
            query=locked.to_query(),
            language=translation.get_language() or settings.LANGUAGE_CODE,
            requested_by=actor,
        )
        _event("report_requested", actor, definition=locked, report=report, to_state=ReportStatus.QUEUED)
        transaction.on_commit(lambda: enqueue_report(report.pk), robust=True)
    return report


def enqueue_report(report_id: int) -> None:
    from zhichan.ipdata.tasks import build_navigation_report

    build_navigation_report(report_id)


def requeue_waiting(older_than_minutes: int = 5) -> int:
    """Queued reports whose task was lost (queue down when asked): enqueue them again.

    Building claims the report first, so a report enqueued twice is built once."""
    before = timezone.now() - timedelta(minutes=older_than_minutes)
    ids = list(
        NavigationReport.objects.filter(status=ReportStatus.QUEUED, updated_at__lt=before).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        enqueue_report(pk)
    return len(ids)


def _set_progress(report_id: int, percent: int, message: str = "") -> None:
    # Outside any transaction: the page polling the report sees each step as it happens.
    NavigationReport.objects.filter(pk=report_id, status=ReportStatus.RUNNING).update(
        progress=max(0, min(99, int(percent))), message=message, updated_at=timezone.now()
    )


def _finish_failed(report: NavigationReport, message: str) -> None:
    with transaction.atomic():
        NavigationReport.objects.filter(pk=report.pk).update(
            status=ReportStatus.FAILED, message=message[:2000], finished_at=timezone.now(),
            updated_at=timezone.now(),
        )  # fmt: skip
        _event(
            "report_failed", None, definition=report.definition, report=report,
            from_state=report.status, to_state=ReportStatus.FAILED, note=message[:2000],
        )  # fmt: skip


def build_report(report_id: int) -> str:
    """Build a queued report: claim it, write the DOCX (and PDF), store them, mark it done.

    Running it again, or in two workers at once, builds the report once: only the call that
    moves it from queued to running goes on. Returns what happened ("done", "failed", "skipped").
    """
    from zhichan.ipdata.navigation import build_documents

    now = timezone.now()
    with transaction.atomic():
        claimed = NavigationReport.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
            status=ReportStatus.RUNNING, started_at=now, progress=1, message="", updated_at=now
        )
        if not claimed:
            return "skipped"
        report = NavigationReport.objects.select_related("definition").get(pk=report_id)
        _event(
            "report_started", None, definition=report.definition, report=report,
            from_state=ReportStatus.QUEUED, to_state=ReportStatus.RUNNING,
        )  # fmt: skip
    saved = []
    try:
        with translation.override(report.language):
            result = build_documents(report, progress=lambda p, m="": _set_progress(report_id, p, m))
            _set_progress(report_id, 97, _("Saving the files"))
            report.file.save(report.download_name("docx"), ContentFile(result.docx), save=False)
            saved.append(report.file.name)
            if result.pdf is not None:
                report.pdf.save(report.download_name("pdf"), ContentFile(result.pdf), save=False)
                saved.append(report.pdf.name)
            with transaction.atomic():
                NavigationReport.objects.filter(pk=report_id).update(
                    status=ReportStatus.DONE,
                    progress=100,
                    message=result.note,
                    file=report.file.name,
                    pdf=report.pdf.name if result.pdf is not None else "",
                    finished_at=timezone.now(),
                    updated_at=timezone.now(),
                )
                _event(
                    "report_done", None, definition=report.definition, report=report,
                    from_state=ReportStatus.RUNNING, to_state=ReportStatus.DONE,
                    data={"total": result.total, "pdf": result.pdf is not None},
                )  # fmt: skip
    except Exception as exc:
        log.exception("navigation report %s failed", report_id)
        for name in saved:
            report.file.storage.delete(name)
        with translation.override(report.language):
            _finish_failed(report, _("The report could not be built: %(error)s") % {"error": exc})
        return "failed"
    return "done"
