"""The hourly close of ended training events, run by the background worker."""

from huey import crontab

from zhichan.core.periodic import periodic_task
from zhichan.training.services import finish_ended_events


@periodic_task(crontab(minute="41"))
def finish_training_events():
    return finish_ended_events()
