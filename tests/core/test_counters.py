"""Window counts: in the database without Redis (shared by processes), in the cache with it."""

import datetime as dt
import threading
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from zhichan.core import counters
from zhichan.core.models import WindowCount
from zhichan.core.tasks import purge_window_counts

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 10, 15, tzinfo=dt.UTC)


@pytest.fixture
def no_redis(settings):
    settings.REDIS_URL = ""


@pytest.fixture
def now():
    moment = [START]
    with mock.patch.object(timezone, "now", lambda: moment[0]):
        yield moment


def test_database_counts_survive_a_cleared_cache(no_redis, now):
    for _i in range(3):
        counters.hit("k", window=3600)
        cache.clear()  # another process: its own empty local cache
    assert counters.count("k", window=3600) == 3
    row = WindowCount.objects.get()
    assert (row.key, row.count) == ("k", 3)
    assert row.window_start == dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    assert row.expires_at == dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.UTC)


def test_a_new_window_starts_from_zero(no_redis, now):
    counters.hit("k", window=3600)
    now[0] = START + dt.timedelta(hours=1)
    assert counters.count("k", window=3600) == 0
    counters.hit("k", window=3600)
    assert counters.count("k", window=3600) == 1
    assert WindowCount.objects.count() == 2


def test_keys_count_apart_and_long_keys_fit(no_redis, now):
    long = "x" * 500
    counters.hit(long, window=60)
    counters.hit(long + "y", window=60)
    counters.hit("short", window=60)
    assert counters.count(long, window=60) == 1
    assert counters.count("short", window=60) == 1
    assert all(len(k) <= counters.KEY_MAX for k in WindowCount.objects.values_list("key", flat=True))


def test_losing_the_insert_race_adds_to_the_other_row(no_redis, now):
    """Another process inserts the window's row between our UPDATE and INSERT: no count is lost."""
    real_atomic = counters.transaction.atomic
    raced = []

    def atomic_after_the_other(*args, **kwargs):
        if not raced:
            raced.append(True)
            start = counters._window_start(now[0], 3600)
            WindowCount.objects.create(
                key="k", window_start=start, expires_at=start + dt.timedelta(hours=1), count=1
            )
        return real_atomic(*args, **kwargs)

    with mock.patch.object(counters.transaction, "atomic", atomic_after_the_other):
        counters.hit("k", window=3600)
    assert raced
    assert counters.count("k", window=3600) == 2
    assert WindowCount.objects.count() == 1


def test_with_redis_the_cache_counts_and_no_rows_are_written(settings, now):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"  # the choice only; the test cache stays what it is
    counters.hit("k", window=3600)
    counters.hit("k", window=3600)
    assert counters.count("k", window=3600) == 2
    assert not WindowCount.objects.exists()
    cache.clear()
    assert counters.count("k", window=3600) == 0


def test_expired_rows_are_purged_by_the_periodic_task(no_redis, now):
    counters.hit("old", window=3600)
    now[0] = START + dt.timedelta(hours=1)
    counters.hit("new", window=3600)
    assert purge_window_counts.call_local() == 1
    assert list(WindowCount.objects.values_list("key", flat=True)) == ["new"]
    assert counters.purge_expired() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_from_separate_connections_are_all_counted(settings):
    settings.REDIS_URL = ""
    errors = []
    barrier = threading.Barrier(6)

    def hammer():
        from django.db import connections

        try:
            barrier.wait()
            for _i in range(5):
                counters.hit("shared", window=3600)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hammer) for _i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert counters.count("shared", window=3600) == 30
    assert WindowCount.objects.count() == 1
