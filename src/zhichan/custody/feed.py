"""A custody's deadlines as an iCalendar feed (RFC 5545) that calendar apps subscribe to.

One all-day event per deadline on its due date (after the holiday roll-forward), with the
grace period's end in the description; the UID is stable, so a refreshed feed updates events
in place. Deadlines from a year back to ZHICHAN_CUSTODY_FEED_YEARS ahead are included.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from zhichan.custody import services
from zhichan.custody.models import Custody, CustodyAction
from zhichan.watch import deadlines as dl


def build_calendar(custody: Custody, today: dt.date | None = None) -> bytes:
    today = today or services.today()
    start = today - dt.timedelta(days=366)
    end = today + dt.timedelta(days=366 * settings.ZHICHAN_CUSTODY_FEED_YEARS)
    actions = {(a.right_key, a.deadline_key): a for a in CustodyAction.objects.filter(custody=custody)}
    cal = Calendar()
    cal.add("prodid", "-//zhichan//custody deadlines//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("IP deadlines: %(enterprise)s") % {"enterprise": custody.enterprise.name})
    stamp = timezone.now()
    check = dl.workday_checker()
    for record, deadline in services.custody_deadlines(custody, check):
        if not start <= deadline.due <= end:
            continue
        event = Event()
        event.add("uid", f"custody-{custody.pk}-{deadline.right_key}-{deadline.key}@zhichan")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.due)
        event.add("dtend", deadline.due + dt.timedelta(days=1))
        event.add("summary", f"{deadline.label} · {deadline.right_number}")
        lines = [str(record), f"{deadline.kind_label}: {deadline.due.isoformat()}"]
        if deadline.rolled:
            lines.append(_("Statutory date %(date)s, a holiday") % {"date": deadline.statutory.isoformat()})
        if deadline.grace_ends:
            lines.append(_("Grace with surcharge until %(date)s") % {"date": deadline.grace_ends.isoformat()})
        fee = services.fee_amounts(record, deadline, today, check)
        if fee["amount_yuan"] is not None:
            lines.append(_("Fee: %(amount)d yuan") % {"amount": fee["amount_yuan"]})
        lines.append(deadline.basis)
        done = actions.get((deadline.right_key, deadline.key))
        if done is not None:
            lines.append(f"{done.get_action_display()} {done.done_on.isoformat()}")
        event.add("description", "\n".join(lines))
        event.add("categories", [str(deadline.kind_label)])
        cal.add_component(event)
    return cal.to_ical()
