"""A Redis cache that parallel test workers (pytest-xdist) can share.

Each worker stores its keys under its own prefix, and `clear()` removes only those: Redis's
FLUSHDB would empty the other workers' caches in the middle of their tests.
"""

from django.core.cache.backends.redis import RedisCache


class WorkerRedisCache(RedisCache):
    def clear(self):
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        return True
