"""Timers run by the background worker (and `zhichan run_case_timers`), never on page loads.

Each step claims a case with a conditional UPDATE before writing its event, so running
twice, or in two workers at once, warns and flags each case once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab

from zhichan.cases import deadlines
from zhichan.cases.models import RUNNING, Case, CaseAttachment, Status, case_files
from zhichan.cases.notify import notify_in_transaction
from zhichan.cases.services import _event, handler_or_staff, requester_recipients, staff_link, supervisors
from zhichan.core.files import sweep_orphans
from zhichan.core.periodic import periodic_task

ORPHAN_AGE_SECONDS = 24 * 3600


def warn_due_soon(now=None) -> int:
    """Warn the handler (or the owner's staff) of cases due within ZHICHAN_WARN_BEFORE_DAYS."""
    now = now or timezone.now()
    horizon = deadlines.warn_horizon(now)
    due = Case.objects.filter(
        status__in=RUNNING, warned_at__isnull=True, deadline__gte=now, deadline__lte=horizon
    )
    warned = 0
    for found in due.select_related("fair").only("pk", "deadline", "type", "fair").iterator():
        pk, deadline = found.pk, found.deadline
        if deadlines.warn_from(deadline, found) > now:
            continue
        with transaction.atomic():
            claimed = Case.objects.filter(pk=pk, warned_at__isnull=True, deadline=deadline).update(
                warned_at=now
            )
            if not claimed:
                continue
            case = Case.objects.select_related("owner", "handler").get(pk=pk)
            _event(case, None, "due_soon", data={"deadline": deadline.isoformat()})
            notify_in_transaction(
                handler_or_staff(case),
                "case_due_soon",
                _("Case %(number)s is due soon") % {"number": case.number},
                _("Due by %(deadline)s.")
                % {"deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")},
                link=staff_link(case),
                case=case,
            )
            warned += 1
    return warned


def flag_overdue(now=None) -> int:
    """Mark overdue cases once and tell the county and city administrators (for 督办)."""
    now = now or timezone.now()
    late = Case.objects.filter(status__in=RUNNING, overdue_at__isnull=True, deadline__lt=now)
    flagged = 0
    for pk, deadline in late.values_list("pk", "deadline").iterator():
        with transaction.atomic():
            claimed = Case.objects.filter(pk=pk, overdue_at__isnull=True, deadline=deadline).update(
                overdue_at=now
            )
            if not claimed:
                continue
            case = Case.objects.select_related("owner__region", "handler").get(pk=pk)
            _event(case, None, "overdue", data={"deadline": deadline.isoformat()})
            subject = _("Case %(number)s is overdue") % {"number": case.number}
            notify_in_transaction(
                supervisors(case), "case_overdue", subject, case.subject, link=staff_link(case), case=case
            )
            notify_in_transaction(
                handler_or_staff(case),
                "case_overdue",
                subject,
                case.subject,
                link=staff_link(case),
                case=case,
            )
            flagged += 1
    return flagged


def expire_supplements(now=None) -> int:
    """A supplement not given within ZHICHAN_SUPPLEMENT_DAYS working days: the case counts as withdrawn."""
    now = now or timezone.now()
    waiting = Case.objects.filter(status=Status.WAITING_SUPPLEMENT, paused_at__isnull=False)
    days = settings.ZHICHAN_SUPPLEMENT_DAYS
    expired = 0
    for pk, paused_at in waiting.values_list("pk", "paused_at").iterator():
        if deadlines.add_days(paused_at, days) > now:
            continue
        with transaction.atomic():
            claimed = Case.objects.filter(
                pk=pk, status=Status.WAITING_SUPPLEMENT, paused_at=paused_at
            ).update(status=Status.DECLINED, closed_at=now, paused_at=None)
            if not claimed:
                continue
            case = Case.objects.get(pk=pk)
            note = _("No supplement within %(n)d working days: the case counts as withdrawn.") % {"n": days}
            _event(
                case,
                None,
                "withdrawn",
                from_state=Status.WAITING_SUPPLEMENT,
                to_state=Status.DECLINED,
                note=note,
                public=True,
            )
            notify_in_transaction(
                requester_recipients(case),
                "case_withdrawn",
                _("Case %(number)s closed") % {"number": case.number},
                note,
                link=case.tracking_path,
                case=case,
            )
            expired += 1
    return expired


def run_timers(now=None) -> dict:
    now = now or timezone.now()
    return {
        "warned": warn_due_soon(now),
        "overdue": flag_overdue(now),
        "withdrawn": expire_supplements(now),
    }


@periodic_task(crontab(minute=f"*/{max(1, settings.ZHICHAN_CASE_TIMER_MINUTES)}"))
def case_timers():
    return run_timers()


def remove_orphan_files(now=None) -> int:
    """Delete attachment files older than a day that no attachment row names (left by a crash
    between storing a file and committing its row)."""

    def referenced(names):
        return set(CaseAttachment.objects.filter(file__in=names).values_list("file", flat=True))

    return sweep_orphans(case_files, referenced, older_than=ORPHAN_AGE_SECONDS, now=now)


@periodic_task(crontab(minute="41", hour="3"))
def orphan_files():
    return remove_orphan_files()
