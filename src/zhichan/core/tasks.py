"""Worker tasks of the shared kernel."""

from huey import crontab

from zhichan.core.counters import purge_expired
from zhichan.core.once import purge_old
from zhichan.core.periodic import periodic_task


@periodic_task(crontab(minute="7"))
def purge_window_counts():
    return purge_expired()


@periodic_task(crontab(minute="17", hour="3"))
def purge_submission_keys():
    return purge_old()
