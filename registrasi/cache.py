"""The cache: Redis, shared by every process, and a local one while Redis does not answer.

The rate limits (django-ratelimit) count in the cache. With Redis down they would raise a
connection error on every request and take /verify/, /registry/ and the login form down with
them. This backend catches Redis errors, logs them, and for the next RETRY_SECONDS counts in
this process's own memory instead: the limits then hold per process (looser across several
workers, still a limit) and the pages keep answering. nginx limits the same paths at the edge.
"""

import logging
import time

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
RETRY_SECONDS = 10


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._local = LocMemCache(f"fallback-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._down_until = 0.0

    @property
    def using_fallback(self) -> bool:
        return time.monotonic() < self._down_until

    def ping(self) -> None:
        """Ask Redis itself (for /healthz): raises when it does not answer."""
        self._cache.get_client(write=True).ping()

    def _call(self, name, *args, **kwargs):
        if not self.using_fallback:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except redis.RedisError as exc:
                self._down_until = time.monotonic() + RETRY_SECONDS
                logger.warning(
                    "cache: Redis does not answer (%s); counting rate limits in this "
                    "process for the next %s s",
                    exc,
                    RETRY_SECONDS,
                )
        return getattr(self._local, name)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self, *args, **kwargs):
        return self._call("clear", *args, **kwargs)
