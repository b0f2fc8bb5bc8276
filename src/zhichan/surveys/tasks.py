"""The daily close of surveys whose closing day has passed, run by the background worker."""

from huey import crontab

from zhichan.core.periodic import periodic_task
from zhichan.surveys.services import close_ended_surveys as close_ended


@periodic_task(crontab(hour="0", minute="7"))
def close_ended_surveys():
    return close_ended()
