"""Rate counters for the API's limits: one window per key, counted in the default cache.

A window opens at a key's first request and lasts the rate's duration; every request in it
counts (a refused one too: it does not lengthen the window); past the rate, the key is refused
until the window closes, and the seconds left are the answer's ``Retry-After``.

With Redis (``CACHE_URL``, Django's ``RedisCache``) a request costs one round trip: ``SET NX
EX`` (open the window), ``INCR`` and ``PTTL`` in one ``MULTI``/``EXEC``. Other caches (the
local-memory cache of development and tests) use ``add`` and ``incr``, atomic in them too.

While the cache's Redis is out of reach (``config.cache.ResilientRedisCache`` says so), every
limit lets requests through, counting nothing: the limits protect the service from abuse, and an
outage of their counters must not refuse the whole service (README, "Workers, queues and
beat"). The outage is logged by the cache.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

OUTAGES = (RedisConnectionError, RedisTimeoutError, OSError)


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


def _absent(cache: BaseCache) -> bool:
    """Whether the cache says its server is out of reach (config.cache.ResilientRedisCache;
    duck-typed: ``accounts`` imports nothing of ``config``)."""
    is_down = getattr(cache, "is_down", None)
    return bool(is_down is not None and is_down())


def _lost(cache: BaseCache, error: BaseException) -> None:
    """Tell the cache that its server failed (it logs it and stops asking for a while); a
    cache that cannot say so lets the error through."""
    mark_down = getattr(cache, "mark_down", None)
    if mark_down is None:
        raise error
    mark_down(error)


def hit(key: str, duration: int, cache: BaseCache | None = None) -> Window:
    """Count one request under ``key`` in its window of ``duration`` seconds."""
    cache = _cache(cache)
    if _absent(cache):
        return Window(0, float(duration))
    full_key = cache.make_and_validate_key(key)
    client = _redis(cache, full_key)
    if client is not None:
        try:
            try:
                return _hit_redis(client, full_key, duration)
            except ResponseError:
                # Not a counter (written by something else): replaced by a new window.
                client.delete(full_key)
                return _hit_redis(client, full_key, duration)
        except OUTAGES as error:
            _lost(cache, error)
            return Window(0, float(duration))
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
    if _absent(cache):
        return 0
    full_key = cache.make_and_validate_key(key)
    client = _redis(cache, full_key)
    try:
        value = client.get(full_key) if client is not None else cache.get(key)
    except OUTAGES as error:
        _lost(cache, error)
        return 0
    try:
        return int(value or 0)
    except (TypeError, ValueError):  # not a counter: ``hit`` replaces it
        return 0


def remaining(key: str, duration: int, cache: BaseCache | None = None) -> float:
    """Seconds until the window of ``key`` closes (``duration`` when none is open)."""
    cache = _cache(cache)
    if _absent(cache):
        return float(duration)
    full_key = cache.make_and_validate_key(key)
    client = _redis(cache, full_key)
    if client is not None:
        try:
            ttl_ms = client.pttl(full_key)
        except OUTAGES as error:
            _lost(cache, error)
            return float(duration)
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
