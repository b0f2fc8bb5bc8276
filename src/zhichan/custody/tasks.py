"""The daily reminder scan, run by the background worker."""

from huey import crontab

from zhichan.core.periodic import periodic_task
from zhichan.custody.reminders import send_reminders


@periodic_task(crontab(minute="17", hour="7"))
def custody_reminders():
    return send_reminders()
