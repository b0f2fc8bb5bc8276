"""Reminders of custody deadlines, sent by the daily scan (tasks.py, `zhichan custody_reminders`).

For each fee or renewal in an active custody with no action recorded:

- before its due date, the reminder of the shortest lead time (ZHICHAN_CUSTODY_REMIND_DAYS,
  e.g. 90, 30, 7 days) the deadline has reached;
- once the due date has passed, while the grace period runs: one reminder on entering it
  (surcharge applies, last day X) and one ZHICHAN_CUSTODY_GRACE_REMIND_DAYS before its end.

Each is sent once: a CustodyReminder row per deadline, stage and lead time claims it, so a
rerun, or two workers at once, send nothing twice. A scan that missed days catches up with
the latest reminder reached, not with every one it passed (deep in the grace period, only the
one before its end).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from zhichan.custody import services
from zhichan.custody.models import Custody, CustodyReminder, ReminderStage
from zhichan.watch import deadlines as dl

log = logging.getLogger(__name__)


def recipients(custody: Custody) -> list:
    """The users who represent the enterprise and the agency's staff (active ones)."""
    from zhichan.accounts.models import AGENCY_ROLES, Role, User

    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(role=Role.ENTERPRISE, enterprise_id=custody.enterprise_id)
            | Q(role__in=AGENCY_ROLES, agency_id=custody.agency_id)
        )
        .order_by("pk")
    )


def enterprise_users(custody: Custody) -> list:
    """The active users who represent the custody's enterprise."""
    from zhichan.accounts.models import Role, User

    return list(
        User.objects.filter(
            is_active=True, role=Role.ENTERPRISE, enterprise_id=custody.enterprise_id
        ).order_by("username")
    )


def lead_due(deadline: dl.Deadline, today: dt.date, leads: list[int]) -> int | None:
    """The shortest lead time the deadline has reached, or None (too far, or already passed)."""
    left = (deadline.due - today).days
    if left < 0:
        return None
    reached = [lead for lead in leads if left <= lead]
    return min(reached) if reached else None


def grace_stage(deadline: dl.Deadline, today: dt.date, grace_lead: int) -> tuple[str, int] | None:
    """(stage, lead_days) of the grace reminder the deadline has reached, or None (not in grace)."""
    if deadline.grace_ends is None or not deadline.due < today <= deadline.grace_ends:
        return None
    if (deadline.grace_ends - today).days <= grace_lead:
        return ReminderStage.GRACE_END.value, grace_lead
    return ReminderStage.GRACE.value, 0


def send_reminders(today: dt.date | None = None) -> int:
    today = today or services.today()
    leads = settings.ZHICHAN_CUSTODY_REMIND_DAYS
    grace_lead = settings.ZHICHAN_CUSTODY_GRACE_REMIND_DAYS
    check = dl.workday_checker()
    sent = 0
    custodies = Custody.objects.active().filter(starts_on__lte=today).select_related("agency", "enterprise")
    for custody in custodies.iterator():
        if custody.ends_on is not None and custody.ends_on < today:
            continue
        actions = services.recorded_actions(custody)
        already = set(
            CustodyReminder.objects.filter(custody=custody).values_list(
                "right_key", "deadline_key", "stage", "lead_days"
            )
        )
        for record, deadline in services.custody_deadlines(custody, check, actions):
            if not deadline.actionable or (deadline.right_key, deadline.key) in actions:
                continue
            lead = lead_due(deadline, today, leads) if leads else None
            if lead is not None:
                stage = (ReminderStage.DUE.value, lead)
            else:
                stage = grace_stage(deadline, today, grace_lead)
            if stage is None or (deadline.right_key, deadline.key, *stage) in already:
                continue
            if _send(custody, record, deadline, stage, today, check):
                sent += 1
    return sent


def _message(custody, record, deadline, stage, today, check) -> tuple[str, str]:
    kind, _lead = stage
    fees = services.fee_amounts(record, deadline, today, check)
    fee = ""
    if fees["amount_yuan"] is not None:
        fee = " " + _("Fee: %(amount)d yuan.") % {"amount": fees["amount_yuan"]}
        if fees["surcharge_yuan"]:
            fee += " " + _("Surcharge if paid today: %(amount)d yuan.") % {"amount": fees["surcharge_yuan"]}
    facts = {
        "enterprise": custody.enterprise.name,
        "record": str(record),
        "label": deadline.label,
        "number": deadline.right_number,
        "due": deadline.due.isoformat(),
        "basis": deadline.basis,
        "last": deadline.grace_ends.isoformat() if deadline.grace_ends else "",
    }
    if kind == ReminderStage.DUE:
        subject = _("%(label)s of %(number)s due in %(days)d days") % {
            **facts,
            "days": (deadline.due - today).days,
        }
        grace = ""
        if facts["last"]:
            grace = _("; grace with surcharge until %(date)s") % {"date": facts["last"]}
        body = _("%(enterprise)s: %(record)s. %(label)s, due %(due)s%(grace)s (%(basis)s).") % {
            **facts,
            "grace": grace,
        }
    elif kind == ReminderStage.GRACE:
        subject = _("%(label)s of %(number)s: in grace, surcharge applies, last day %(last)s") % facts
        body = (
            _(
                "%(enterprise)s: %(record)s. %(label)s was due %(due)s and is in its grace period: "
                "acting now costs a surcharge; the last day is %(last)s (%(basis)s)."
            )
            % facts
        )
    else:
        subject = _("%(label)s of %(number)s: grace period ends in %(days)d days, on %(last)s") % {
            **facts,
            "days": (deadline.grace_ends - today).days,
        }
        body = (
            _(
                "%(enterprise)s: %(record)s. %(label)s was due %(due)s; its grace period ends %(last)s, "
                "after which the right lapses (%(basis)s)."
            )
            % facts
        )
    return subject, body + fee


def _send(custody, record, deadline, stage, today, check) -> bool:
    from zhichan.notices.services import notify

    kind, lead = stage
    with transaction.atomic():
        try:
            with transaction.atomic():
                CustodyReminder.objects.create(
                    custody=custody,
                    right_key=deadline.right_key,
                    deadline_key=deadline.key,
                    stage=kind,
                    lead_days=lead,
                    due=deadline.due,
                )
        except IntegrityError:  # another scan claimed it
            return False
        subject, body = _message(custody, record, deadline, stage, today, check)
        # The key of due-date reminders is unchanged from before grace stages existed.
        suffix = f"{lead}" if kind == ReminderStage.DUE else f"{kind}:{lead}"
        notify(
            recipients(custody),
            "custody_deadline",
            subject,
            body,
            link=reverse("custody:detail", args=[custody.pk]),
            key=f"custody:{custody.pk}:{deadline.right_key}:{deadline.key}:{suffix}",
        )
    return True
