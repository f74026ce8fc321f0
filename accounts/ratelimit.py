"""Rate counters for the API's limits: one window per key, counted in the default cache.

A window opens at a key's first request and lasts the rate's duration; every request in it
counts (a refused one too: it does not lengthen the window); past the rate, the key is refused
until the window closes, and the seconds left are the answer's ``Retry-After``.

With Redis (``CACHE_URL``, Django's ``RedisCache``) a request costs one round trip: ``SET NX
EX`` (open the window), ``INCR`` and ``PTTL`` in one ``MULTI``/``EXEC``. Other caches (the
local-memory cache of development and tests) use ``add`` and ``incr``, atomic in them too.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ResponseError


@dataclass(frozen=True)
class Window:
    count: int  # requests counted in the window (the current one included, for ``hit``)
    remaining: float  # seconds until the window closes


def _cache(cache: BaseCache | None) -> BaseCache:
    return cache if cache is not None else caches["default"]


def _redis(cache: BaseCache, key: str):
    """The Redis client that holds ``key`` (Django's RedisCache), else None."""
    if isinstance(cache, RedisCache):
        return cache._cache.get_client(key, write=True)
    return None


def hit(key: str, duration: int, cache: BaseCache | None = None) -> Window:
    """Count one request under ``key`` in its window of ``duration`` seconds."""
    cache = _cache(cache)
    full_key = cache.make_and_validate_key(key)
    client = _redis(cache, full_key)
    if client is not None:
        try:
            return _hit_redis(client, full_key, duration)
        except ResponseError:
            # Not a counter (written by something else): replaced by a new window.
            client.delete(full_key)
            return _hit_redis(client, full_key, duration)
    return _hit_generic(cache, key, duration)


def _hit_redis(client, full_key: str, duration: int) -> Window:
    pipe = client.pipeline(transaction=True)
    pipe.set(full_key, 0, ex=duration, nx=True)
    pipe.incr(full_key)
    pipe.pttl(full_key)
    _created, count, ttl_ms = pipe.execute()
    if ttl_ms < 0:  # never left without an expiry, whatever happened in between
        client.expire(full_key, duration)
        ttl_ms = duration * 1000
    return Window(int(count), ttl_ms / 1000)


def count(key: str, cache: BaseCache | None = None) -> int:
    """The requests counted in the open window of ``key`` (0 without one), counting none."""
    cache = _cache(cache)
    full_key = cache.make_and_validate_key(key)
    client = _redis(cache, full_key)
    value = client.get(full_key) if client is not None else cache.get(key)
    try:
        return int(value or 0)
    except (TypeError, ValueError):  # not a counter: ``hit`` replaces it
        return 0


def remaining(key: str, duration: int, cache: BaseCache | None = None) -> float:
    """Seconds until the window of ``key`` closes (``duration`` when none is open)."""
    cache = _cache(cache)
    full_key = cache.make_and_validate_key(key)
    client = _redis(cache, full_key)
    if client is not None:
        ttl_ms = client.pttl(full_key)
        return ttl_ms / 1000 if ttl_ms >= 0 else float(duration)
    return _remaining(cache, key, duration)


# Other caches: the counter under ``key``, the time its window opened under ``key:t``.


def _remaining(cache: BaseCache, key: str, duration: int) -> float:
    opened = cache.get(f"{key}:t")
    if opened is None:
        return float(duration)
    return max(opened + duration - time.time(), 0.0)


def _hit_generic(cache: BaseCache, key: str, duration: int) -> Window:
    now = time.time()
    if cache.add(key, 1, duration):
        cache.set(f"{key}:t", now, duration)
        return Window(1, float(duration))
    try:
        count = cache.incr(key)
    except ValueError:  # the window closed in between: open the next one
        if cache.add(key, 1, duration):
            cache.set(f"{key}:t", now, duration)
            return Window(1, float(duration))
        count = cache.incr(key)
    remaining = _remaining(cache, key, duration)
    # Some caches (the database's, files) write an incremented value back with the default
    # timeout: the counter's expiry is set again to the window's end.
    cache.touch(key, max(1, math.ceil(remaining)))
    return Window(count, remaining)
