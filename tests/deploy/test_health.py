"""/healthz and /readyz for load balancers and orchestrators (issue 14 item 4)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import uuid

import psycopg
import pytest
from django.db import connection

from config import health
from tests.clamd import clamav_on, clamd  # noqa: F401
from tests.deploy.processes import django_process, free_port, private_redis, stop, wait_for

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_checks_database_migrations_cache_and_broker(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "cache": "ok", "broker": "ok"},
        "failed": [],
        "degraded": [],
    }


def test_only_get(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


def test_readyz_names_the_broker_when_it_is_down_and_stays_ready(client, settings, tmp_path):
    """Work is left for the sweepers while the broker is down (intake, replies and invitations
    succeed): a 503 would take every web process out of the load balancer for nothing."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with private_redis(tmp_path / "redis") as (port, process):
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
        assert client.get("/readyz").json()["degraded"] == []
        stop(process)
        response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["degraded"] == ["broker"] and body["failed"] == []
    assert body["checks"]["database"] == "ok" and body["checks"]["broker"] == "failed"
    assert str(port) not in response.content.decode()  # which one failed, never where or why


@pytest.mark.usefixtures("clamav_on")
def test_the_antivirus_is_checked_when_configured_and_only_degrades_readiness(
    client, settings, tmp_path
):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["antivirus"] == "ok"
    assert response.json()["degraded"] == []
    # The daemon gone: uploads fail closed, the rest of the work goes on (still ready).
    settings.CLAMAV_URL = f"unix://{tmp_path / 'nobody.sock'}"
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["antivirus"] == "failed"
    assert body["degraded"] == ["antivirus"] and body["failed"] == []
    assert "nobody.sock" not in response.content.decode()


def test_readyz_names_the_cache_when_it_is_down_and_stays_ready(client, settings):
    """Pages and the API work with an empty cache (config/cache.py, tests/deploy/
    test_cache_outage.py): the cache degrades readiness, it does not fail it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["degraded"] == ["cache"] and response.json()["failed"] == []


@contextlib.contextmanager
def _silent_server():
    """A port whose connections the kernel accepts but nobody answers (a host that hangs)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


@pytest.mark.parametrize("outage", ["refused", "silent"])
def test_readyz_answers_within_a_load_balancers_timeout_while_redis_is_out(
    client, settings, outage
):
    """A load balancer gives its probe 1-2 s: a refused broker connection took 2-3.6 s (kombu
    slept before retrying), a silent Redis 3 s or more.

    A process's first probe also loads the migration graph once (up to a second under the
    suite's load, a CI run failed on it): a web process has answered probes before an outage
    comes, so one probe runs first and the bound is on those during the outage."""
    assert client.get("/readyz").status_code == 200
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with contextlib.ExitStack() as stack:
        port = free_port() if outage == "refused" else stack.enter_context(_silent_server())
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
        settings.CACHES = {
            "default": {
                "BACKEND": "config.cache.ResilientRedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/1",
                "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
            }
        }
        durations = []
        for _ in range(3):
            started = time.monotonic()
            response = client.get("/readyz")
            durations.append(time.monotonic() - started)
            assert response.status_code == 200
            assert response.json()["degraded"] == ["cache", "broker"]
    assert max(durations) < 1.5, durations


def _readyz_threads(name: str = "") -> list[threading.Thread]:
    return [
        thread
        for thread in threading.enumerate()
        if thread.name.startswith(f"readyz-{name}") and thread.is_alive()
    ]


@pytest.mark.parametrize("scheme", ["redis", "amqp"])
def test_a_broker_that_accepts_and_never_answers_costs_at_most_one_thread(
    client, settings, tmp_path, scheme
):
    """connect_timeout bounded only the TCP connect: the handshake's read blocked the check's
    thread forever, and a probe every 5 s left ~720 blocked threads (and sockets) per hour."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with _silent_server() as port:
        settings.CELERY_BROKER_URL = f"{scheme}://127.0.0.1:{port}/"
        for _ in range(6):
            response = client.get("/readyz")
            assert response.status_code == 200
            assert response.json()["degraded"] == ["broker"]
            # The previous probe's check still hangs: it is reported failed, none started.
            assert len(_readyz_threads("broker")) <= 1
        time.sleep(3)
        assert len(_readyz_threads()) <= 1, _readyz_threads()
        # The one left ends at its socket timeout, though the broker still says nothing.
        wait_for(lambda: not _readyz_threads(), timeout=10, what="the broker check's thread")
    if scheme == "redis":
        # Then probes check the broker again: one back in service is seen at once.
        with private_redis(tmp_path / "redis") as (port, _process):
            settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
            assert client.get("/readyz").json()["checks"]["broker"] == "ok"


def _probe_in_subprocess(database_url: str) -> dict:
    """The views in a fresh process whose settings point at ``database_url``."""
    code = (
        "import django, json; django.setup();"
        "from django.test import Client; c = Client();"
        "h = c.get('/healthz', HTTP_HOST='localhost'); r = c.get('/readyz', HTTP_HOST='localhost');"
        "print(json.dumps({'healthz': h.status_code, 'readyz': r.status_code, 'body': r.json()}))"
    )
    result = django_process(code, database_url)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_readyz_fails_when_the_database_is_down_and_healthz_still_answers():
    answer = _probe_in_subprocess(f"postgres://postgres@127.0.0.1:{free_port()}/guichet")
    assert answer["healthz"] == 200
    assert answer["readyz"] == 503
    assert answer["body"]["failed"] == ["database", "migrations"]
    assert answer["body"]["checks"]["migrations"] == "skipped"


def test_readyz_fails_while_migrations_are_not_applied():
    settings_dict = connection.settings_dict
    name = f"guichet_deploy_empty_{uuid.uuid4().hex[:8]}"
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    owner = f"postgres://postgres@{host}:{port}/postgres"
    with psycopg.connect(owner, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        answer = _probe_in_subprocess(f"postgres://postgres@{host}:{port}/{name}")
    finally:
        with psycopg.connect(owner, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    assert answer["readyz"] == 503
    assert answer["body"]["failed"] == ["migrations"]


def test_a_process_that_saw_migrations_applied_does_not_ask_again(client, monkeypatch):
    assert client.get("/readyz").status_code == 200
    monkeypatch.setattr(health, "MigrationExecutor", None)  # would fail if called again
    assert client.get("/readyz").status_code == 200


def test_wait_for_reports_what_it_waited_for():
    with pytest.raises(AssertionError, match="nothing"):
        wait_for(lambda: False, timeout=0.5, what="nothing")
