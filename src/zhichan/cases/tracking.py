"""The hourly limit on wrong tracking tokens and codes per client address (pages and API).

The count is shared by all server processes (core.counters: Redis when configured, else the
database), so more workers do not multiply the guesses allowed.
"""

from django.conf import settings

from zhichan.core import counters

HOUR = 3600


def _key(request) -> str:
    return f"cases:track-guess:{request.META.get('REMOTE_ADDR', '')}"


def blocked(request) -> bool:
    return counters.count(_key(request), window=HOUR) >= settings.ZHICHAN_TRACKING_GUESS_LIMIT


def count_miss(request) -> None:
    counters.hit(_key(request), window=HOUR)
