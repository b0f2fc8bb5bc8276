"""Worker tasks of the evaluation: new facts into the daily counts every few minutes, and the
daily look for overdue rectification notices."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhichan.evaluation.counts import update_counts
from zhichan.evaluation.rectification import flag_overdue


def _schedule(minutes: int):
    """Every `minutes` minutes within the hour (1 to 59); 60 or more: once an hour."""
    if minutes >= 60:
        return crontab(minute="0")
    return crontab(minute=f"*/{max(1, minutes)}")


@db_periodic_task(_schedule(settings.ZHICHAN_COUNTS_EVERY_MINUTES))
def count_new_facts():
    return update_counts()


@db_periodic_task(crontab(hour="8", minute="17"))
def flag_overdue_rectifications():
    return flag_overdue()
