"""Worker tasks of the shared kernel."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhichan.core.counters import purge_expired
from zhichan.core.once import purge_old


@db_periodic_task(crontab(minute="7"))
def purge_window_counts():
    return purge_expired()


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_submission_keys():
    return purge_old()
