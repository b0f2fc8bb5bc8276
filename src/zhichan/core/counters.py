"""Counts per key in fixed time windows (for limits such as wrong tracking guesses per hour).

With REDIS_URL the Django cache (Redis) keeps them, shared by every process. Without it the
cache is per process, so the counts live in the database instead (`WindowCount`): an UPDATE
with F() or, for the window's first hit, an INSERT that loses a race only to retry the
UPDATE, so two processes never lose a count. `purge_expired` (a periodic task) removes old
rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from zhichan.core.models import WindowCount

KEY_MAX = 200


def _shared_cache() -> bool:
    return bool(getattr(settings, "REDIS_URL", ""))


def _window_start(now: dt.datetime, seconds: int) -> dt.datetime:
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def _key(key: str) -> str:
    key = str(key)
    if len(key) > KEY_MAX:
        key = key[: KEY_MAX - 65] + ":" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _cache_key(key: str, start: dt.datetime) -> str:
    return f"counter:{key}:{int(start.timestamp())}"


def count(key: str, *, window: int) -> int:
    """Hits for `key` in the current window of `window` seconds."""
    key, start = _key(key), _window_start(timezone.now(), window)
    if _shared_cache():
        return cache.get(_cache_key(key, start)) or 0
    row = WindowCount.objects.filter(key=key, window_start=start).values_list("count", flat=True).first()
    return row or 0


def hit(key: str, *, window: int) -> None:
    """Add one to `key` in the current window of `window` seconds."""
    key, start = _key(key), _window_start(timezone.now(), window)
    if _shared_cache():
        ckey = _cache_key(key, start)
        cache.add(ckey, 0, window)
        try:
            cache.incr(ckey)
        except ValueError:  # expired between add and incr
            cache.set(ckey, 1, window)
        return
    rows = WindowCount.objects.filter(key=key, window_start=start)
    for _attempt in range(3):
        if rows.update(count=F("count") + 1):
            return
        try:
            with transaction.atomic():
                WindowCount.objects.create(
                    key=key, window_start=start, expires_at=start + dt.timedelta(seconds=window), count=1
                )
            return
        except IntegrityError:
            continue  # another process created the row first: add to it
    raise RuntimeError(f"could not count {key!r}")  # pragma: no cover - the row neither updates nor inserts


def purge_expired(now=None) -> int:
    """Delete counts whose window has ended; returns how many rows went."""
    deleted, _by_model = WindowCount.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
