"""Worker tasks of the evaluation: new facts into the daily counts every few minutes, today's
snapshot of the network, and the daily look for overdue rectification notices."""

from django.conf import settings
from huey import crontab

from zhichan.core.periodic import periodic_task
from zhichan.evaluation.counts import update_counts
from zhichan.evaluation.rectification import flag_overdue
from zhichan.evaluation.snapshots import record


def _schedule(minutes: int):
    """Every `minutes` minutes within the hour (1 to 59); 60 or more: once an hour."""
    if minutes >= 60:
        return crontab(minute="0")
    return crontab(minute=f"*/{max(1, minutes)}")


@periodic_task(_schedule(settings.ZHICHAN_COUNTS_EVERY_MINUTES))
def count_new_facts():
    return update_counts()


@periodic_task(crontab(hour="8", minute="17"))
def flag_overdue_rectifications():
    return flag_overdue()


@periodic_task(crontab(minute="55"))
def snapshot_network():
    """Today's snapshot of the network. It is taken every hour and replaces the day's earlier one,
    so a day keeps its last state (the end of a period is the last day's evening), whatever the
    worker's clock zone, and a worker stopped for an hour misses no day."""
    return record()
