"""The shared cache's Redis out of reach (compose.yaml: the same Redis as the broker).

Its outage used to answer 500 on every page and API call (Django's RedisCache raises), so the
README's promise that intake and replies still succeed while the broker is down held only with
two Redis servers. Now the cache answers as an empty one, the limits let requests through,
``/readyz`` names the cache under ``degraded``, and everything works again once Redis is back.
"""

from __future__ import annotations

import json

import environ
import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.tokens import api_token_create
from cases.models import Case
from config import cache as guichet_cache
from tests.deploy.processes import free_port, private_redis, stop

pytestmark = pytest.mark.django_db

QUESTION = {
    "id": "q-outage-1",
    "subject": "Carte d'identité",
    "question": "Ma carte d'identité expire le mois prochain, dois-je prendre rendez-vous ?",
    "usager": {"first_name": "Léa", "last_name": "Durand", "email": "lea.durand@example.org"},
}


def _caches_for(port: int, monkeypatch) -> dict:
    """CACHES exactly as config/settings.py builds them from CACHE_URL."""
    monkeypatch.setenv("CACHE_URL", f"redis://127.0.0.1:{port}/1")
    return guichet_cache.caches_from_env(environ.Env())


def _channel(tenant) -> APIClient:
    _token, secret = api_token_create(
        actor=tenant.administrator,
        administration=tenant.administration,
        name="Service-Public",
        scope="intake",
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _intake(client: APIClient, key: str):
    return client.post(
        "/api/v1/intake/service-public/",
        data=json.dumps({**QUESTION, "id": key}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_redis_cache_url_gets_the_resilient_backend_with_bounded_waits(monkeypatch):
    default = _caches_for(6379, monkeypatch)["default"]
    assert default["BACKEND"] == "config.cache.ResilientRedisCache"
    assert default["OPTIONS"]["socket_connect_timeout"] <= 1
    assert default["OPTIONS"]["socket_timeout"] <= 1
    monkeypatch.delenv("CACHE_URL")
    assert "LocMemCache" in guichet_cache.caches_from_env(environ.Env())["default"]["BACKEND"]


def test_with_the_cache_down_pages_and_intake_still_work_and_readyz_names_it(
    client, settings, tenant_a, monkeypatch, caplog
):
    settings.CACHES = _caches_for(free_port(), monkeypatch)  # nothing listens there

    client.force_login(tenant_a.agent)
    assert client.get("/").status_code == 200
    assert client.get("/dossiers/").status_code == 200

    response = _intake(_channel(tenant_a), "outage-1")
    assert response.status_code == 201, response.content
    assert Case.objects.filter(reference=response.json()["reference"]).exists()
    assert client.get(f"/dossiers/{Case.objects.get().pk}/").status_code == 200

    ready = client.get("/readyz")
    assert ready.status_code == 200  # still serving: the load balancer keeps it
    assert ready.json()["degraded"] == ["cache"] and ready.json()["status"] == "degraded"
    assert "Cache unavailable" in caplog.text


def test_the_limits_let_requests_through_during_the_outage_and_count_again_after(
    settings, tenant_a, tmp_path, monkeypatch
):
    monkeypatch.setattr(guichet_cache, "RETRY_AFTER_SECONDS", 0.0)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "token": "2/min",
        },
    }
    channel = _channel(tenant_a)
    with private_redis(tmp_path / "redis") as (port, process):
        settings.CACHES = _caches_for(port, monkeypatch)
        cache.set("probe", "1")
        assert cache.get("probe") == "1"

        stop(process)
        assert cache.get("probe") is None  # a miss, not an error
        cache.set("probe", "2")  # dropped
        assert cache.add("probe", "3") is False
        with pytest.raises(ValueError):
            cache.incr("probe")
        # Past the token's rate, still accepted: the counters are out of reach.
        statuses = [_intake(channel, f"outage-{n}").status_code for n in range(4)]
        assert statuses == [201] * 4

    with private_redis(tmp_path / "redis-again") as (port, _process):
        settings.CACHES = _caches_for(port, monkeypatch)
        cache.set("probe", "4")
        assert cache.get("probe") == "4"
        # Redis back: the token's rate holds again.
        statuses = [_intake(channel, f"back-{n}").status_code for n in range(3)]
        assert statuses == [201, 201, 429]


def test_a_wrong_redis_password_is_an_error_not_an_outage(tmp_path):
    """Answering as an empty cache would switch the rate limits off for good: a refused
    password raises, so that the misconfiguration is seen at once (an unreachable Redis is
    still an outage, answered as an empty cache)."""
    import redis.exceptions

    from config.cache import ResilientRedisCache

    with private_redis(tmp_path / "redis", "--requirepass", "right") as (port, _process):
        wrong = ResilientRedisCache(f"redis://:wrong@127.0.0.1:{port}/0", {})
        with pytest.raises(redis.exceptions.AuthenticationError):
            wrong.get("key")
        assert not wrong.is_down()
        right = ResilientRedisCache(f"redis://:right@127.0.0.1:{port}/0", {})
        right.set("key", "value")
        assert right.get("key") == "value"
    assert right.get("key") is None and right.is_down()  # stopped: an outage
