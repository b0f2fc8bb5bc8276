"""The daily reminder scan, run by the background worker."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhichan.custody.reminders import send_reminders


@db_periodic_task(crontab(minute="17", hour="7"))
def custody_reminders():
    return send_reminders()
