"""Worker tasks of the shared kernel."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhichan.core.counters import purge_expired


@db_periodic_task(crontab(minute="7"))
def purge_window_counts():
    return purge_expired()
