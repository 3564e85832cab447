"""What keeps the test processes of one parallel run (pytest-xdist, `make test`) apart.

Each xdist worker (PYTEST_XDIST_WORKER=gw0, gw1, ...) has its own test database: pytest-django
suffixes its name (test_<name>_gw0, ...), and SQLite's test database lives in memory anyway.
Redis is shared, so when REDIS_URL is set every key a worker writes carries the worker's
prefix: the cache's KEY_PREFIX (with a clear() that deletes only those keys, where Django's
RedisCache.clear() empties the whole Redis database, queued Celery messages of the other
worker included), and Celery's global_keyprefix for every message the test process publishes
or consumes. tests/worker.py's real worker adds a prefix of its own per test on top.
tests/conftest.py applies this in pytest_configure.
"""

import os

import redis
from django.conf import settings

from registrasi.cache import FallbackRedisCache

PROJECT_CACHE = "registrasi.cache.FallbackRedisCache"


def worker_id() -> str:
    """gw0, gw1, ... in an xdist worker; "main" in a run without workers."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def key_prefix() -> str:
    return f"test-{worker_id()}"


class WorkerCache(FallbackRedisCache):
    """The project's cache, whose clear() deletes only this test process's keys."""

    def clear(self):
        try:
            client = self._cache.get_client(write=True)
            keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
            if keys:
                client.delete(*keys)
        except redis.RedisError:
            pass  # Redis down: the fallback below is what this process counts in
        self._local.clear()
        return True


def separate_redis_keys(celery_app):
    """Give this process's cache and Celery messages their own prefix (no-op without Redis)."""
    cache = settings.CACHES["default"]
    if cache["BACKEND"] == PROJECT_CACHE:
        cache["BACKEND"] = f"{__name__}.WorkerCache"
        cache["KEY_PREFIX"] = key_prefix()
    if celery_app.conf.broker_url.startswith(("redis://", "rediss://")):
        celery_app.conf.broker_transport_options = {
            **(celery_app.conf.broker_transport_options or {}),
            "global_keyprefix": f"{key_prefix()}:",
        }
