"""The API's rate counters (accounts/ratelimit.py): one window per key, in the local-memory
cache and in a real Redis (one round trip per counted request), and the API's 429 with
Retry-After when the counters live in Redis."""

from __future__ import annotations

import json
import os
import pickle
import time
import uuid

import pytest
import redis.client
import redis.exceptions
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from rest_framework.test import APIClient

from accounts import ratelimit
from accounts.tokens import api_token_create

from .conftest import session_client, token_client

REDIS_URL = os.environ.get("GUICHET_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
URL = "/api/v1/topics/"


@pytest.fixture
def locmem():
    return LocMemCache(f"ratelimit-{uuid.uuid4().hex}", {})


@pytest.fixture
def redis_cache():
    """A RedisCache of its own key prefix; its keys are deleted afterwards (never a flush)."""
    prefix = f"guichet-test-ratelimit-{uuid.uuid4().hex}"
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    client = cache._cache.get_client(write=True)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:  # no Redis here: these tests need one
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    yield cache
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request):
    return request.getfixturevalue("locmem" if request.param == "locmem" else "redis_cache")


def test_a_window_counts_each_request_and_closes_after_its_duration(any_cache):
    windows = [ratelimit.hit("k", 60, any_cache) for _ in range(3)]
    assert [w.count for w in windows] == [1, 2, 3]
    assert all(0 < w.remaining <= 60 for w in windows)
    assert ratelimit.count("k", any_cache) == 3  # reading does not count
    assert ratelimit.count("k", any_cache) == 3
    assert 0 < ratelimit.remaining("k", 60, any_cache) <= 60
    assert ratelimit.hit("other", 60, any_cache).count == 1
    assert ratelimit.count("none", any_cache) == 0
    assert ratelimit.remaining("none", 60, any_cache) == 60


def test_locmem_window_reopens_once_closed(locmem, monkeypatch):
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    assert ratelimit.hit("k", 60, locmem).count == 1
    now[0] += 45
    window = ratelimit.hit("k", 60, locmem)
    assert window.count == 2 and window.remaining == pytest.approx(15)
    now[0] += 16
    assert ratelimit.count("k", locmem) == 0
    window = ratelimit.hit("k", 60, locmem)
    assert window.count == 1 and window.remaining == 60


def test_a_cache_that_writes_increments_back_still_closes_the_window(tmp_path, monkeypatch):
    """The file and database caches write an incremented value back with their default
    timeout (300 s here): the counter's expiry is set again to the window's end."""
    from django.core.cache.backends.filebased import FileBasedCache

    cache = FileBasedCache(str(tmp_path), {"TIMEOUT": 300})
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    assert ratelimit.hit("k", 60, cache).count == 1
    now[0] += 30
    assert ratelimit.hit("k", 60, cache).count == 2
    now[0] += 31
    assert ratelimit.count("k", cache) == 0
    assert ratelimit.hit("k", 60, cache).count == 1


def test_redis_window_expires_and_is_one_round_trip(redis_cache, monkeypatch):
    sent: list[str] = []
    execute, command = redis.client.Pipeline.execute, redis.client.Redis.execute_command

    def pipeline_execute(self, *args, **kwargs):
        sent.append("pipeline")
        return execute(self, *args, **kwargs)

    def execute_command(self, *args, **kwargs):
        sent.append(str(args[0]))
        return command(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", pipeline_execute)
    monkeypatch.setattr(redis.client.Redis, "execute_command", execute_command)
    ratelimit.hit("k", 1, redis_cache)
    assert ratelimit.hit("k", 1, redis_cache).count == 2
    assert sent == ["pipeline", "pipeline"]  # one MULTI/EXEC round trip per counted request
    sent.clear()
    assert ratelimit.count("k", redis_cache) == 2
    assert sent == ["GET"]
    monkeypatch.undo()
    client = redis_cache._cache.get_client(write=True)
    assert 0 < client.pttl(redis_cache.make_and_validate_key("k")) <= 1000
    time.sleep(1.1)
    assert ratelimit.count("k", redis_cache) == 0
    assert ratelimit.hit("k", 1, redis_cache).count == 1


def test_redis_counter_never_lives_without_an_expiry(redis_cache):
    client = redis_cache._cache.get_client(write=True)
    key = redis_cache.make_and_validate_key("k")
    client.set(key, 5)  # a counter that lost its expiry
    window = ratelimit.hit("k", 60, redis_cache)
    assert window.count == 6 and 0 < window.remaining <= 60
    assert 0 < client.ttl(key) <= 60


def test_redis_value_that_is_not_a_counter_is_replaced(redis_cache):
    client = redis_cache._cache.get_client(write=True)
    key = redis_cache.make_and_validate_key("k")
    client.set(key, pickle.dumps([time.time()]))  # DRF's history list, say
    assert ratelimit.count("k", redis_cache) == 0
    assert ratelimit.hit("k", 60, redis_cache).count == 1
    assert ratelimit.hit("k", 60, redis_cache).count == 2


# --- the API over Redis --------------------------------------------------------------------


@pytest.fixture
def api_on_redis(redis_cache, settings, monkeypatch):
    """The API's counters in Redis (the default cache stays the tests' local memory)."""
    rates = {"token": "3/min", "user": "2/min", "anon": "2/min", "invalid_token": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    monkeypatch.setattr(ratelimit, "_cache", lambda cache: cache or redis_cache)
    return redis_cache


def assert_throttled(response, limit: int = 60):
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= limit
    body = json.loads(response.content)
    assert body["code"] == "throttled" and body["fields"] == {} and body["detail"]


@pytest.mark.django_db
def test_api_limits_with_redis_answer_429_with_retry_after(api_on_redis, tenant_a):
    token, key = api_token_create(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        name="Intégration",
        scope="read",
    )
    client = token_client(key)
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    assert_throttled(client.get(URL))
    assert_throttled(client.get(URL))  # refused ones do not lengthen the window
    assert ratelimit.count(f"ratelimit_token_{token.pk}", api_on_redis) == 5
    # Each budget its own: the agent's session, then anonymous calls and bad keys per address.
    agent = session_client(tenant_a.agent)
    assert [agent.get(URL).status_code for _ in range(2)] == [200, 200]
    assert_throttled(agent.get(URL))
    anonymous = APIClient(REMOTE_ADDR="192.0.2.7")
    assert [anonymous.get(URL).status_code for _ in range(2)] == [401, 401]
    assert_throttled(anonymous.get(URL))
    guesser = APIClient(REMOTE_ADDR="192.0.2.8")
    guesser.credentials(HTTP_AUTHORIZATION="Bearer gch_000000000000_guess")
    assert [guesser.get(URL).status_code for _ in range(2)] == [401, 401]
    assert_throttled(guesser.get(URL))
    valid_from_there = APIClient(REMOTE_ADDR="192.0.2.8")
    valid_from_there.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert_throttled(valid_from_there.get(URL))


@pytest.mark.django_db
def test_api_limit_in_local_memory_reopens_after_the_window(tenant_a, settings, monkeypatch):
    rates = {"token": "100/min", "user": "2/min", "anon": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    agent = session_client(tenant_a.agent)
    assert [agent.get(URL).status_code for _ in range(2)] == [200, 200]
    now[0] += 50
    response = agent.get(URL)
    assert_throttled(response)
    assert int(response["Retry-After"]) == 10
    now[0] += 11
    assert agent.get(URL).status_code == 200
