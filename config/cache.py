"""The shared cache (``CACHE_URL``) and what happens while its Redis is out of reach.

Everything Guichet keeps in the cache is a hint or a counter that can be recomputed: presence
("who else has this case open"), the inbox's tab counts, the impact report, the OIDC discovery
document, the rate limits' windows. In a compose deployment the cache and the broker are the
same Redis, and the README promises that intake, replies and invitations still succeed while
the broker is down. Django's ``RedisCache`` raises on every call instead, so a Redis outage
answered 500 on every page and API call. ``ResilientRedisCache`` answers as an empty cache
instead (a miss; writes dropped), logs the outage once per ``RETRY_AFTER_SECONDS``, and does not
ask Redis again before then, so a request never waits on an unreachable Redis more than once
per process and period. ``/readyz`` names the cache under ``degraded`` (it reads back a value).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import environ
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import AuthenticationError as RedisAuthenticationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("guichet.cache")

T = TypeVar("T")
# Network failures only: a wrong value type or a bad command is a bug and still raises.
OUTAGES = (RedisConnectionError, RedisTimeoutError, OSError)
# After a failure, the cache is taken as absent for this long (like the broker's 5 s).
RETRY_AFTER_SECONDS = 5.0
# How long one cache call may wait for Redis (connect, then each reply): a hint is not worth
# holding a request for longer.
SOCKET_TIMEOUT_SECONDS = 1.0


class ResilientRedisCache(RedisCache):
    """Django's ``RedisCache``, answering as an empty cache while Redis is out of reach."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._down_until = 0.0
        self._lock = threading.Lock()

    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def mark_down(self, error: BaseException) -> None:
        with self._lock:
            already = self.is_down()
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
        if not already:
            logger.warning(
                "Cache unavailable (%s): answering as an empty cache for %.0f s",
                type(error).__name__,
                RETRY_AFTER_SECONDS,
            )

    def _call(self, call: Callable[[], T], fallback: T) -> T:
        if self.is_down():
            return fallback
        try:
            return call()
        except RedisAuthenticationError:
            # A wrong password is a configuration to fix, not an outage to wait out: answering
            # as an empty cache would switch the rate limits off for good, silently.
            raise
        except OUTAGES as error:
            self.mark_down(error)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: RedisCache.add(self, key, value, timeout, version), False)

    def get(self, key, default=None, version=None):
        return self._call(lambda: RedisCache.get(self, key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call(lambda: RedisCache.set(self, key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: RedisCache.touch(self, key, timeout, version), False)

    def delete(self, key, version=None):
        return self._call(lambda: RedisCache.delete(self, key, version), False)

    def get_many(self, keys, version=None):
        return self._call(lambda: RedisCache.get_many(self, keys, version), {})

    def has_key(self, key, version=None):
        return self._call(lambda: RedisCache.has_key(self, key, version), False)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._call(lambda: RedisCache.incr(self, key, delta, version), missing)
        if value is missing:
            # What an empty cache says: the callers then open a new window (set, dropped).
            raise ValueError(f"Key '{key}' not found")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: RedisCache.set_many(self, data, timeout, version), [])

    def delete_many(self, keys, version=None):
        self._call(lambda: RedisCache.delete_many(self, keys, version), None)

    def clear(self):
        self._call(lambda: RedisCache.clear(self), None)


def caches_from_env(env: environ.Env) -> dict[str, dict[str, Any]]:
    """``CACHES`` from ``CACHE_URL`` (per-process memory without it); a Redis URL gets the
    resilient backend and bounded socket timeouts."""
    default = env.cache("CACHE_URL", default="locmemcache://guichet")
    if default["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        default["BACKEND"] = "config.cache.ResilientRedisCache"
        options = default.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT_SECONDS)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT_SECONDS)
    return {"default": default}
