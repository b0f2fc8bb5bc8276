"""The worker adds new facts to the evaluation's daily counts every few minutes."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhichan.evaluation.counts import update_counts


def _schedule(minutes: int):
    """Every `minutes` minutes within the hour (1 to 59); 60 or more: once an hour."""
    if minutes >= 60:
        return crontab(minute="0")
    return crontab(minute=f"*/{max(1, minutes)}")


@db_periodic_task(_schedule(settings.ZHICHAN_COUNTS_EVERY_MINUTES))
def count_new_facts():
    return update_counts()
