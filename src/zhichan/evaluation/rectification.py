"""The only code that changes rectification notices: issue, respond, accept, reject, escalate.

Each action is atomic, writes a RectificationEvent, and moves the agency along its lifecycle
through `agencies.services.do_change_status` in the same transaction (so the agency's own rules
and history apply). Notifications go out after the commit.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.accounts.models import Role, User
from zhichan.agencies.models import Agency, Status
from zhichan.agencies.services import can_manage_region, do_change_status
from zhichan.core.errors import TransitionError
from zhichan.core.files import atomic_with_files
from zhichan.core.once import create_once
from zhichan.core.permissions import PermissionDenied, role_of
from zhichan.core.validation import clean_text
from zhichan.evaluation.models import (
    NoticeStatus,
    RectificationEvent,
    RectificationFile,
    RectificationNotice,
    RectificationResponse,
)

TEXT_MAX = 5000
MAX_FILES = 5
FILES_FOLDER = "rectification"


def default_deadline(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + dt.timedelta(days=settings.ZHICHAN_RECTIFICATION_DAYS)


def can_issue(actor, agency: Agency | None = None) -> bool:
    """City administrators, and county administrators for their own county's agencies."""
    if actor is None or not actor.is_authenticated:
        return False
    if not (actor.is_superuser or role_of(actor) in ("city_admin", "county_admin")):
        return False
    return agency is None or can_manage_region(actor, agency.region)


def can_review(actor, notice: RectificationNotice) -> bool:
    """Accept, reject or escalate: whoever may issue notices to the agency (not only the issuer)."""
    return can_issue(actor, notice.agency)


def can_respond(actor, notice: RectificationNotice) -> bool:
    return (
        actor is not None
        and actor.is_authenticated
        and role_of(actor) == Role.AGENCY_ADMIN
        and actor.agency_id == notice.agency_id
    )


def _event(notice, actor, kind, *, from_state="", to_state="", note="", data=None):
    RectificationEvent.objects.create(
        notice=notice,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )


def _link(notice) -> str:
    return reverse("evaluation:rectification_detail", args=[notice.pk])


def _agency_admins(agency):
    return list(User.objects.filter(agency=agency, role=Role.AGENCY_ADMIN, is_active=True))


def _notify(recipients, kind, subject, body, notice):
    from zhichan.notices.services import notify_on_commit

    if recipients:
        notify_on_commit(recipients, kind, subject, body, link=_link(notice))


def _clean_deadline(value, errors, today) -> dt.date | None:
    if value in (None, ""):
        return default_deadline(today)
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            errors.setdefault("deadline", []).append(_("Not a date: write YYYY-MM-DD."))
            return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        errors.setdefault("deadline", []).append(_("Not a date: write YYYY-MM-DD."))
        return None
    if value <= today:
        errors.setdefault("deadline", []).append(_("The deadline must be after today."))
        return None
    return value


def do_issue_notice(
    actor,
    agency: Agency,
    *,
    findings,
    required_actions,
    deadline=None,
    scorecard_run_id=None,
    submission_key=None,
) -> RectificationNotice:
    """Issue a notice to an operating agency, which goes under rectification in the same transaction.

    The same submission sent twice (`submission_key`, by the same person) answers the first notice.
    """
    if not can_issue(actor, agency):
        raise PermissionDenied(_("You may not issue rectification notices to this agency."))
    return create_once(
        submission_key,
        actor,
        lambda: _issue_notice(
            actor,
            agency,
            findings=findings,
            required_actions=required_actions,
            deadline=deadline,
            scorecard_run_id=scorecard_run_id,
        ),
    )


def _issue_notice(actor, agency, *, findings, required_actions, deadline, scorecard_run_id):
    if not can_issue(actor, agency):
        raise PermissionDenied(_("You may not issue rectification notices to this agency."))
    today = timezone.localdate()
    errors: dict = {}
    findings = clean_text(findings, "findings", errors, required=True, max_length=TEXT_MAX)
    required_actions = clean_text(
        required_actions, "required_actions", errors, required=True, max_length=TEXT_MAX
    )
    deadline = _clean_deadline(deadline, errors, today)
    if scorecard_run_id in ("", None):
        scorecard_run_id = None
    else:
        try:
            scorecard_run_id = int(scorecard_run_id)
            if scorecard_run_id < 1 or scorecard_run_id > 2**31 - 1:
                raise ValueError
        except (TypeError, ValueError):
            errors.setdefault("scorecard_run_id", []).append(_("Not a scorecard run number."))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            # The agency row lock orders simultaneous submissions: the second sees the first notice.
            locked = Agency.objects.select_for_update().get(pk=agency.pk)
            if RectificationNotice.objects.live().filter(agency=locked).exists():
                raise ValidationError(
                    {"agency": [_("This agency already has a rectification notice that is not closed.")]}
                )
            if locked.status != Status.OPERATING:
                raise TransitionError(
                    _("Only an operating agency can be put under rectification (this one is %(status)s).")
                    % {"status": locked.get_status_display()},
                    from_state=locked.status,
                    to_state=Status.RECTIFYING,
                )
            notice = RectificationNotice.objects.create(
                agency=locked,
                findings=findings,
                required_actions=required_actions,
                deadline=deadline,
                issued_by=actor,
                scorecard_run_id=scorecard_run_id,
            )
            do_change_status(actor, locked, Status.RECTIFYING, finding=findings)
            _event(
                notice,
                actor,
                "issued",
                to_state=NoticeStatus.OPEN,
                note=findings,
                data={"deadline": deadline.isoformat(), "scorecard_run_id": scorecard_run_id},
            )
            _notify(
                _agency_admins(locked),
                "rectification_issued",
                _("Rectification notice: respond by %(date)s") % {"date": deadline.isoformat()},
                required_actions,
                notice,
            )
    except IntegrityError as exc:
        # Without row locks (SQLite), the one-live-notice constraint decides.
        raise ValidationError(
            {"agency": [_("This agency already has a rectification notice that is not closed.")]}
        ) from exc
    return notice


def check_files(files) -> list:
    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES:
        raise ValidationError({"files": [_("At most %(n)d files.") % {"n": MAX_FILES}]})
    from zhichan.notices.files import check_uploads

    return check_uploads(files, "files")


def _lock(notice) -> RectificationNotice:
    return RectificationNotice.objects.select_for_update().select_related("agency").get(pk=notice.pk)


def _refuse(notice, *, allowed, to_state):
    if notice.status not in allowed:
        raise TransitionError(
            _("This notice is %(status)s; that is not possible now.")
            % {"status": notice.get_status_display()},
            from_state=notice.status,
            to_state=to_state,
        )


def do_respond(actor, notice: RectificationNotice, *, text, files=None) -> RectificationResponse:
    """The agency's administrator reports what was done; files are optional evidence."""
    if not can_respond(actor, notice):
        raise PermissionDenied(_("Only the agency's administrator responds to its notices."))
    errors: dict = {}
    text = clean_text(text, "text", errors, required=True, max_length=TEXT_MAX)
    if errors:
        raise ValidationError(errors)
    checked = check_files(files)
    from zhichan.notices.files import store_upload

    with atomic_with_files():  # a failure after storing takes the stored files back
        notice = _lock(notice)
        _refuse(notice, allowed=(NoticeStatus.OPEN,), to_state=NoticeStatus.RESPONDED)
        response = RectificationResponse.objects.create(notice=notice, text=text, responded_by=actor)
        for uploaded, content_type, size in checked:
            path = store_upload(uploaded, FILES_FOLDER, content_type=content_type)
            RectificationFile.objects.create(
                response=response,
                path=path,
                original_name=(getattr(uploaded, "name", "") or "file")[-200:],
                content_type=content_type,
                size=size,
            )
        notice.status = NoticeStatus.RESPONDED
        notice.save(update_fields=["status", "updated_at"])
        _event(
            notice,
            actor,
            "responded",
            from_state=NoticeStatus.OPEN,
            to_state=NoticeStatus.RESPONDED,
            note=text,
            data={"files": len(checked)},
        )
        _notify(
            [notice.issued_by] if notice.issued_by else [],
            "rectification_responded",
            _("%(agency)s responded to its rectification notice") % {"agency": notice.agency.name},
            text,
            notice,
        )
    return response


def _decide(notice, actor, decision, note):
    response = notice.responses.filter(decision=RectificationResponse.Decision.PENDING).last()
    if response is not None:
        response.decision = decision
        response.decision_note = note
        response.decided_by = actor
        response.decided_at = timezone.now()
        response.save(update_fields=["decision", "decision_note", "decided_by", "decided_at"])


def do_accept(actor, notice: RectificationNotice, *, note="") -> RectificationNotice:
    """The response is enough: the notice is closed and the agency operates again."""
    if not can_review(actor, notice):
        raise PermissionDenied(_("You may not review this notice."))
    errors: dict = {}
    note = clean_text(note, "note", errors, max_length=TEXT_MAX)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        notice = _lock(notice)
        _refuse(notice, allowed=(NoticeStatus.RESPONDED,), to_state=NoticeStatus.ACCEPTED)
        _decide(notice, actor, RectificationResponse.Decision.ACCEPTED, note)
        do_change_status(actor, notice.agency, Status.OPERATING, finding=note or _("Rectification accepted."))
        notice.status = NoticeStatus.ACCEPTED
        notice.closed_at = timezone.now()
        notice.save(update_fields=["status", "closed_at", "updated_at"])
        _event(
            notice,
            actor,
            "accepted",
            from_state=NoticeStatus.RESPONDED,
            to_state=NoticeStatus.ACCEPTED,
            note=note,
        )
        _notify(
            _agency_admins(notice.agency),
            "rectification_accepted",
            _("Your rectification was accepted"),
            note,
            notice,
        )
    return notice


def do_reject(actor, notice: RectificationNotice, *, note) -> RectificationNotice:
    """The response is not enough: the agency responds again (the reason is required)."""
    if not can_review(actor, notice):
        raise PermissionDenied(_("You may not review this notice."))
    errors: dict = {}
    note = clean_text(note, "note", errors, required=True, max_length=TEXT_MAX)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        notice = _lock(notice)
        _refuse(notice, allowed=(NoticeStatus.RESPONDED,), to_state=NoticeStatus.OPEN)
        _decide(notice, actor, RectificationResponse.Decision.REJECTED, note)
        notice.status = NoticeStatus.OPEN
        notice.save(update_fields=["status", "updated_at"])
        _event(
            notice,
            actor,
            "rejected",
            from_state=NoticeStatus.RESPONDED,
            to_state=NoticeStatus.OPEN,
            note=note,
        )
        _notify(
            _agency_admins(notice.agency),
            "rectification_rejected",
            _("Your rectification response was not accepted: respond again"),
            note,
            notice,
        )
    return notice


def do_escalate(actor, notice: RectificationNotice, *, note) -> RectificationNotice:
    """Rectification failed: the notice is closed and the agency is closed (the reason is required)."""
    if not can_review(actor, notice):
        raise PermissionDenied(_("You may not review this notice."))
    errors: dict = {}
    note = clean_text(note, "note", errors, required=True, max_length=TEXT_MAX)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        notice = _lock(notice)
        _refuse(notice, allowed=(NoticeStatus.OPEN, NoticeStatus.RESPONDED), to_state=NoticeStatus.ESCALATED)
        before = notice.status
        _decide(notice, actor, RectificationResponse.Decision.REJECTED, note)
        do_change_status(actor, notice.agency, Status.CLOSED, finding=note)
        notice.status = NoticeStatus.ESCALATED
        notice.closed_at = timezone.now()
        notice.save(update_fields=["status", "closed_at", "updated_at"])
        _event(notice, actor, "escalated", from_state=before, to_state=NoticeStatus.ESCALATED, note=note)
        _notify(
            _agency_admins(notice.agency),
            "rectification_escalated",
            _("Rectification failed: the agency is closed"),
            note,
            notice,
        )
    return notice


def flag_overdue(today: dt.date | None = None) -> int:
    """Tell each overdue notice's issuer, once; returns how many were told."""
    from zhichan.notices.services import notify

    today = today or timezone.localdate()
    told = 0
    for pk in (
        RectificationNotice.objects.overdue(today)
        .filter(overdue_notified_at__isnull=True)
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            notice = (
                RectificationNotice.objects.select_for_update(of=("self",))
                .select_related("agency", "issued_by")
                .filter(pk=pk, overdue_notified_at__isnull=True)
                .first()
            )
            if notice is None or not notice.is_live or notice.deadline >= today:
                continue
            notice.overdue_notified_at = timezone.now()
            notice.save(update_fields=["overdue_notified_at", "updated_at"])
            _event(notice, None, "overdue", data={"deadline": notice.deadline.isoformat()})
            if notice.issued_by is not None:
                notify(
                    [notice.issued_by],
                    "rectification_overdue",
                    _("Rectification overdue: %(agency)s") % {"agency": notice.agency.name},
                    _("The deadline %(date)s has passed without an accepted response.")
                    % {"date": notice.deadline.isoformat()},
                    link=_link(notice),
                    key=f"rectification-overdue-{notice.pk}",
                )
            told += 1
    return told
