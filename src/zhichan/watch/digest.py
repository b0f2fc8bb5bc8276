"""Digests: one notice per watch list and period with its new alerts, instead of one per alert."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhichan.accounts.models import Role
from zhichan.watch.models import Alert, Digest, WatchList

PERIOD = {Digest.DAILY: dt.timedelta(days=1), Digest.WEEKLY: dt.timedelta(days=7)}
LISTED = 20  # alerts written out in a digest; the page has the rest


def recipients(watch_list: WatchList) -> list:
    """The enterprise's confirmed users, and the agency person who keeps the list."""
    people = list(watch_list.enterprise.users.filter(is_active=True, role=Role.ENTERPRISE))
    keeper = watch_list.created_by
    if (
        keeper is not None
        and keeper.is_active
        and watch_list.agency_id
        and keeper.agency_id == watch_list.agency_id
        and keeper not in people
    ):
        people.append(keeper)
    return people


def send_digests(now: dt.datetime | None = None) -> int:
    """Send the digests that are due; returns how many lists got one. Safe to run again: the
    alerts sent are marked, and the notice key makes a rerun reach nobody twice."""
    now = now or timezone.now()
    sent = 0
    pending = WatchList.objects.filter(alerts__digested_at__isnull=True).exclude(digest=Digest.OFF).distinct()
    for watch_list in pending.select_related("enterprise", "created_by"):
        last = (
            watch_list.alerts.exclude(digested_at=None)
            .order_by("-digested_at")
            .values_list("digested_at", flat=True)
            .first()
        )
        if last is not None and now - last < PERIOD[watch_list.digest] - dt.timedelta(hours=1):
            continue
        if _send(watch_list, now):
            sent += 1
    return sent


def _send(watch_list: WatchList, now) -> bool:
    from zhichan.notices.services import notify_on_commit

    with transaction.atomic():
        alerts = list(
            Alert.objects.select_for_update()
            .filter(watch_list=watch_list, digested_at__isnull=True)
            .order_by("due", "-created_at", "pk")
        )
        if not alerts:
            return False
        people = recipients(watch_list)
        lines = [f"- {alert.summary}" for alert in alerts[:LISTED]]
        if len(alerts) > LISTED:
            lines.append(_("… and %(n)d more on the watch list's page.") % {"n": len(alerts) - LISTED})
        subject = ngettext(
            "%(n)d new alert on watch list %(name)s",
            "%(n)d new alerts on watch list %(name)s",
            len(alerts),
        ) % {"n": len(alerts), "name": watch_list.name}
        Alert.objects.filter(pk__in=[a.pk for a in alerts]).update(digested_at=now)
        if people:
            notify_on_commit(
                people,
                "watch_digest",
                subject,
                "\n".join(lines),
                link=reverse("watch:detail", args=[watch_list.pk]),
                key=f"watch-digest:{watch_list.pk}:{max(a.pk for a in alerts)}",
            )
    return True
