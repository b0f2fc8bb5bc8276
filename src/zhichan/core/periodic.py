"""Periodic tasks that run once per scheduled time, however many task workers there are.

huey's scheduler runs inside every consumer (`zhichan worker`): with two workers, on one
machine or two, each would enqueue every periodic task when it is due, and it would run twice.
Every periodic task of zhichan is declared with `periodic_task` below, never with huey's
`db_periodic_task`. When a schedule is due, the scheduler first claims the tick (the task's
name and the minute, UTC, huey's clock) with an atomic `cache.add`; only the worker that
claimed it enqueues the task. The queue then hands the task to one worker (Redis pops it
atomically), so it runs once.

Schedules are in the city's time (TIME_ZONE): `crontab(hour="8")` is 08:00 in Jinzhong, though
huey's own clock is UTC.

The claim needs a cache every worker shares: Redis (REDIS_URL; production requires it).
Without Redis the cache belongs to one process, so run a single worker (the demo does).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

from django.core.cache import cache
from django.utils import timezone
from huey.api import PeriodicTask
from huey.contrib.djhuey import HUEY, close_db

log = logging.getLogger(__name__)

# How long a claim is kept: far longer than any clock difference between two workers' machines.
CLAIM_SECONDS = 3600


def tick_of(timestamp) -> str:
    """The minute a scheduler checked its periodic tasks in, as a claim's key."""
    return timestamp.strftime("%Y-%m-%dT%H:%M")


def local_time(timestamp: dt.datetime) -> dt.datetime:
    """huey's naive UTC timestamp as naive local time (TIME_ZONE), what a crontab is read in."""
    if not HUEY.utc:
        return timestamp
    return timezone.localtime(timestamp.replace(tzinfo=dt.UTC)).replace(tzinfo=None)


def claim(name: str, tick: str) -> bool:
    """True for the first caller of (name, tick) across every process sharing the cache."""
    try:
        return bool(cache.add(f"zhichan:periodic:{name}:{tick}", 1, CLAIM_SECONDS))
    except Exception:  # the cache unreachable: skip this tick rather than risk running it twice
        log.exception("periodic task %s for %s not claimed: the cache did not answer", name, tick)
        return False


class OncePeriodicTask(PeriodicTask):
    """Marks the periodic tasks declared through `periodic_task` (tests check that all are)."""


def periodic_task(schedule, *, retries=0, retry_delay=0, priority=None, expires=None, timeout=None):
    """Like huey's `db_periodic_task(schedule)` (database connections closed around each run),
    but enqueued by one worker only for each time `schedule` (e.g. a crontab) is due.

    `task.call_local()` runs the function in the caller's process, as with huey's decorator."""

    def decorator(fn):
        name = f"{fn.__module__}.{fn.__name__}"

        @functools.wraps(fn)
        def run(tick=None):
            if tick is not None:
                log.info("periodic task %s runs for %s", name, tick)
            return fn()

        def validate_datetime(task, timestamp):
            if not schedule(local_time(timestamp)):
                return False
            tick = tick_of(timestamp)
            if not claim(name, tick):
                log.info("periodic task %s for %s was enqueued by another worker", name, tick)
                return False
            task.kwargs = {"tick": tick}  # the run logs which tick it serves
            return True

        wrapper = HUEY.task_wrapper_class(
            HUEY,
            close_db(run),
            validate_datetime=validate_datetime,
            task_base=OncePeriodicTask,
            default_retries=retries,
            default_retry_delay=retry_delay,
            default_priority=priority,
            default_expires=expires,
            default_timeout=timeout,
        )
        wrapper.call_local = fn
        wrapper.schedule = schedule
        return wrapper

    return decorator
