"""Health endpoints for load balancers and orchestrators.

- ``/healthz``: the process answers (liveness). It touches nothing else, so a database outage
  never gets healthy web processes killed.
- ``/readyz``: the process can serve (readiness): the database answers and every migration is
  applied: 200, else 503 naming the failed checks. The cache (it stores and reads a value), the
  broker (it accepts a connection) and, when ``CLAMAV_URL`` is set, the antivirus are checked
  too but only *degrade* readiness (listed under ``degraded``, still 200): without them the
  site still serves (an empty cache, work left for the sweepers, uploads refused), and taking
  every web process out of the load balancer would stop all of it. The answer says which
  dependency failed, never why (no host name, no error text: it is public).

A load balancer gives its probe 1 or 2 seconds. The degrading checks run side by side, each
bounded by ``READINESS_TIMEOUT_SECONDS``, and the answer never waits for them longer than that
together: a dependency refusing connections or not answering at all is reported ``failed`` in
time, and the probe stays fast (tests/deploy/test_health.py measures it).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.access import public

logger = logging.getLogger("guichet.health")

# How long the degrading checks may take, together (each runs in its own thread): a refused
# connection fails at once, an unreachable host is given up after this.
READINESS_TIMEOUT_SECONDS = 0.8
_migrations_applied = False  # once true in a process, it stays true


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_migrations() -> None:
    global _migrations_applied
    if _migrations_applied:
        return
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise RuntimeError(f"{len(plan)} migration(s) not applied")
    _migrations_applied = True


def check_cache(cache: BaseCache | None = None) -> None:
    """``cache``: the request thread's (Django's cache objects are per thread; a new one per
    probe would open a new connection pool each time)."""
    cache = cache or caches["default"]
    key = f"guichet:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    try:
        if cache.get(key) != "1":
            raise RuntimeError("the cache did not return the value just stored")
    finally:
        cache.delete(key)


def check_broker() -> None:
    """A connection to the broker. In-process tasks (development, tests) have no broker."""
    if settings.CELERY_TASK_ALWAYS_EAGER or settings.CELERY_BROKER_URL.startswith("memory://"):
        return
    from config.celery import app

    with app.connection_for_write(
        url=settings.CELERY_BROKER_URL,
        connect_timeout=READINESS_TIMEOUT_SECONDS,
        transport_options=_broker_socket_timeouts(settings.CELERY_BROKER_URL),
    ) as conn:
        # No retry: kombu sleeps 2 s before its first one (a refused connection took 2-3.6 s).
        conn.ensure_connection(max_retries=0)
        # Virtual transports (Redis) connect lazily: a channel really talks to the server.
        conn.default_channel  # noqa: B018 - the property opens it


def _broker_socket_timeouts(url: str) -> dict[str, float]:
    """Timeouts on every read and write of the check's connection, not only on the TCP connect:
    a broker that accepts the connection and never answers (a hung server, a full backlog)
    otherwise blocked the check's thread on the handshake forever, one thread and one socket
    per probe."""
    timeout = READINESS_TIMEOUT_SECONDS
    if url.startswith(("redis://", "rediss://", "sentinel://")):
        return {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    if url.startswith(("amqp://", "amqps://", "pyamqp://")):
        return {"read_timeout": timeout, "write_timeout": timeout}
    return {}


def check_antivirus() -> None:
    from cases.antivirus import ping

    if not ping(timeout=READINESS_TIMEOUT_SECONDS):
        raise RuntimeError("the antivirus daemon did not answer PONG")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "migrations": check_migrations,
}


def _run(name: str, check: Callable[[], None]) -> str:
    started = time.monotonic()
    try:
        check()
    except Exception:
        logger.warning("readiness check failed: %s", name, exc_info=True)
        return "failed"
    finally:
        elapsed = time.monotonic() - started
        if elapsed > 1:
            logger.warning("readiness check %s took %.1f s", name, elapsed)
    return "ok"


# The thread of each degrading check's latest run, by name (one process, every request thread).
_in_flight: dict[str, threading.Thread] = {}
_in_flight_lock = threading.Lock()


def _run_side_by_side(checks: dict[str, Callable[[], None]]) -> dict[str, str]:
    """Each check in a thread of its own; those still running after
    ``READINESS_TIMEOUT_SECONDS`` are reported failed (their threads end at their own socket
    timeouts, and write nothing back). At most one run of a check at a time: while the
    previous probe's thread is still alive, the check is reported failed without starting
    another, so a dependency that hangs costs one thread, not one per probe."""
    results: dict[str, str] = {}

    def run(name: str, check: Callable[[], None]) -> None:
        results[name] = _run(name, check)

    threads = []
    with _in_flight_lock:
        for name, check in checks.items():
            previous = _in_flight.get(name)
            if previous is not None and previous.is_alive():
                logger.warning(
                    "readiness check failed: %s is still running since an earlier probe", name
                )
                results[name] = "failed"
                continue
            thread = threading.Thread(
                target=run, args=(name, check), name=f"readyz-{name}", daemon=True
            )
            _in_flight[name] = thread
            threads.append(thread)
            thread.start()
    deadline = time.monotonic() + READINESS_TIMEOUT_SECONDS
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    answers = {}
    for name in checks:
        answer = results.get(name)
        if answer is None:
            logger.warning(
                "readiness check failed: %s did not answer within %.1f s",
                name,
                READINESS_TIMEOUT_SECONDS,
            )
        answers[name] = answer or "failed"
    return answers


@public(reason="liveness probe for load balancers and orchestrators")
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@public(reason="readiness probe: names failed dependencies, never their errors")
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name == "migrations" and checks.get("database") != "ok":
            checks[name] = "skipped"
            continue
        checks[name] = _run(name, check)
    failed = [name for name, state in checks.items() if state != "ok"]
    # A failure of these is reported but keeps the process ready.
    degrading: dict[str, Callable[[], None]] = {
        "cache": functools.partial(check_cache, caches["default"]),
        "broker": check_broker,
    }
    if settings.CLAMAV_URL:
        degrading["antivirus"] = check_antivirus
    checks.update(_run_side_by_side(degrading))
    degraded = [name for name in degrading if checks[name] != "ok"]
    body = {
        "status": "failed" if failed else "degraded" if degraded else "ok",
        "checks": checks,
        "failed": failed,
        "degraded": degraded,
    }
    return JsonResponse(body, status=503 if failed else 200)
