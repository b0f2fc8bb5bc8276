"""Worker tasks of the evaluation: the daily look for overdue rectification notices."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhichan.evaluation.rectification import flag_overdue


@db_periodic_task(crontab(hour="8", minute="17"))
def flag_overdue_rectifications():
    return flag_overdue()
