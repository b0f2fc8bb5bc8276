"""Reminders ahead of custody deadlines, sent by the daily scan (tasks.py, `zhichan custody_reminders`).

For each deadline still open in an active custody with no action recorded, the scan sends the
reminder of the shortest lead time (ZHICHAN_CUSTODY_REMIND_DAYS, e.g. 90, 30, 7 days) the
deadline has reached, once: a CustodyReminder row per deadline and lead time claims it, so a
rerun, or two workers at once, send nothing twice. A scan that missed a day catches up with
the shortest lead reached, not with every lead it passed.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from zhichan.custody import services
from zhichan.custody.models import Custody, CustodyAction, CustodyReminder
from zhichan.watch import deadlines as dl

log = logging.getLogger(__name__)


def recipients(custody: Custody) -> list:
    """The enterprise's contacts and the agency's active staff."""
    from zhichan.accounts.models import AGENCY_ROLES, User

    people = list(custody.contacts.filter(is_active=True))
    people += list(User.objects.filter(agency_id=custody.agency_id, role__in=AGENCY_ROLES, is_active=True))
    return people


def lead_due(deadline: dl.Deadline, today: dt.date, leads: list[int]) -> int | None:
    """The shortest lead time the deadline has reached, or None (too far, or already passed)."""
    left = (deadline.due - today).days
    if left < 0:
        return None
    reached = [lead for lead in leads if left <= lead]
    return min(reached) if reached else None


def send_reminders(today: dt.date | None = None) -> int:
    today = today or services.today()
    leads = settings.ZHICHAN_CUSTODY_REMIND_DAYS
    if not leads:
        return 0
    check = dl.workday_checker()
    sent = 0
    custodies = Custody.objects.active().filter(starts_on__lte=today).select_related("agency", "enterprise")
    for custody in custodies.iterator():
        if custody.ends_on is not None and custody.ends_on < today:
            continue
        done = set(CustodyAction.objects.filter(custody=custody).values_list("right_key", "deadline_key"))
        already = set(
            CustodyReminder.objects.filter(custody=custody).values_list(
                "right_key", "deadline_key", "lead_days"
            )
        )
        for record, deadline in services.custody_deadlines(custody, check):
            if not deadline.actionable or (deadline.right_key, deadline.key) in done:
                continue
            lead = lead_due(deadline, today, leads)
            if lead is None or (deadline.right_key, deadline.key, lead) in already:
                continue
            if _send(custody, record, deadline, lead, today):
                sent += 1
    return sent


def _send(custody, record, deadline, lead, today) -> bool:
    from zhichan.notices.services import notify

    with transaction.atomic():
        try:
            with transaction.atomic():
                CustodyReminder.objects.create(
                    custody=custody,
                    right_key=deadline.right_key,
                    deadline_key=deadline.key,
                    lead_days=lead,
                    due=deadline.due,
                )
        except IntegrityError:  # another scan claimed it
            return False
        days = (deadline.due - today).days
        subject = _("%(label)s of %(number)s due in %(days)d days") % {
            "label": deadline.label,
            "number": deadline.right_number,
            "days": days,
        }
        body = _("%(enterprise)s: %(record)s. %(label)s, due %(due)s%(grace)s (%(basis)s).") % {
            "enterprise": custody.enterprise.name,
            "record": str(record),
            "label": deadline.label,
            "due": deadline.due.isoformat(),
            "grace": (_("; grace with surcharge until %(date)s") % {"date": deadline.grace_ends.isoformat()})
            if deadline.grace_ends
            else "",
            "basis": deadline.basis,
        }
        notify(
            recipients(custody),
            "custody_deadline",
            subject,
            body,
            link=reverse("custody:detail", args=[custody.pk]),
            key=f"custody:{custody.pk}:{deadline.right_key}:{deadline.key}:{lead}",
        )
    return True
