"""The hourly limit on wrong tracking tokens and codes per client address (pages and API)."""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

HOUR = 3600


def _key(request) -> str:
    return f"cases:track-guess:{request.META.get('REMOTE_ADDR', '')}:{timezone.now():%Y%m%d%H}"


def blocked(request) -> bool:
    return (cache.get(_key(request)) or 0) >= settings.ZHICHAN_TRACKING_GUESS_LIMIT


def count_miss(request) -> None:
    key = _key(request)
    cache.add(key, 0, HOUR)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, HOUR)
