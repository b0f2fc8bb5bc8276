"""The worker adds new facts to the evaluation's daily counts every few minutes."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhichan.evaluation.counts import update_counts


@db_periodic_task(crontab(minute=f"*/{max(1, min(59, settings.ZHICHAN_COUNTS_EVERY_MINUTES))}"))
def count_new_facts():
    return update_counts()
