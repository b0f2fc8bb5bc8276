"""Periodic tasks are enqueued once per scheduled minute, however many schedulers look."""

import datetime as dt
import logging

import pytest
from django.utils.module_loading import autodiscover_modules
from huey import crontab
from huey.contrib.djhuey import HUEY

from zhichan.core import periodic
from zhichan.notices.tasks import retry_deliveries

# huey's clock is UTC; any minute matches retry_deliveries (every minute).
TICK = dt.datetime(2031, 5, 6, 7, 1)


def due_names(timestamp):
    """What one consumer's scheduler would enqueue at `timestamp`."""
    return {task.name for task in HUEY.read_periodic(timestamp)}


def test_every_periodic_task_goes_through_the_claim():
    autodiscover_modules("tasks")  # what the worker does at start
    periodic_tasks = HUEY._registry._periodic_tasks
    assert len(periodic_tasks) >= 15
    strays = [t.__name__ for t in periodic_tasks if not issubclass(t, periodic.OncePeriodicTask)]
    assert strays == [], "declare periodic tasks with zhichan.core.periodic.periodic_task"


def test_two_schedulers_at_the_same_minute_enqueue_each_task_once(caplog):
    caplog.set_level(logging.INFO, logger="zhichan.core.periodic")
    first = HUEY.read_periodic(TICK)
    second = HUEY.read_periodic(TICK + dt.timedelta(seconds=30))  # another worker, same minute
    assert "retry_deliveries" in {t.name for t in first}
    assert second == []
    said = "zhichan.notices.tasks.retry_deliveries for 2031-05-06T07:01 was enqueued by another worker"
    assert said in caplog.text
    # The enqueued task carries its minute, and runs the function once.
    task = next(t for t in first if t.name == "retry_deliveries")
    assert task.kwargs == {"tick": "2031-05-06T07:01"}


def test_the_next_minute_is_claimed_again():
    assert "retry_deliveries" in due_names(TICK)
    assert "retry_deliveries" in due_names(TICK + dt.timedelta(minutes=1))
    assert due_names(TICK + dt.timedelta(minutes=1)) == set()


def test_a_task_not_due_claims_nothing():
    hourly = dt.datetime(2031, 5, 6, 7, 17)
    assert "retry_deliveries" in due_names(TICK)
    assert "scan_hourly" not in due_names(TICK)
    assert "scan_hourly" in due_names(hourly)  # its minute was not taken by the check above


def test_without_the_cache_no_worker_enqueues(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(periodic.cache, "add", broken)
    assert due_names(TICK) == set()
    assert "the cache did not answer" in caplog.text


@pytest.mark.django_db
def test_running_the_enqueued_task_runs_the_function(monkeypatch):
    calls = []
    monkeypatch.setattr("zhichan.notices.services.retry_due", lambda: calls.append(1) or 0)
    task = next(t for t in HUEY.read_periodic(TICK) if t.name == "retry_deliveries")
    assert HUEY.execute(task) == 0  # what a consumer does with it
    assert calls == [1]
    assert retry_deliveries.call_local() == 0 and calls == [1, 1]


def test_a_new_periodic_task_keeps_its_schedule_and_name():
    @periodic.periodic_task(crontab(minute="3"))
    def sample():
        return "done"

    try:
        assert sample.call_local() == "done"
        assert sample.task_class.__name__ == "sample"
        assert sample.task_class.__module__ == __name__
        assert sample.schedule(dt.datetime(2031, 1, 1, 0, 3))
    finally:
        HUEY._registry.unregister(sample.task_class)


def test_schedules_are_in_the_citys_time(settings):
    # send_digests is crontab(hour="8", minute="5"): 08:05 in Asia/Shanghai is 00:05 UTC.
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert "send_digests" in due_names(dt.datetime(2031, 5, 6, 0, 5))
    assert "send_digests" not in due_names(dt.datetime(2031, 5, 7, 8, 5))
