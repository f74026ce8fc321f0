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
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.access import public

logger = logging.getLogger("guichet.health")

BROKER_TIMEOUT_SECONDS = 3
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


def check_cache() -> None:
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
        url=settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS
    ) as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        # Virtual transports (Redis) connect lazily: a channel really talks to the server.
        conn.default_channel  # noqa: B018 - the property opens it


def check_antivirus() -> None:
    from cases.antivirus import ping

    if not ping(timeout=BROKER_TIMEOUT_SECONDS):
        raise RuntimeError("the antivirus daemon did not answer PONG")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "migrations": check_migrations,
}
# A failure is reported but keeps the process ready (the antivirus only when configured).
DEGRADING_CHECKS: dict[str, Callable[[], None]] = {
    "cache": check_cache,
    "broker": check_broker,
    "antivirus": check_antivirus,
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
    degraded = []
    for name, check in DEGRADING_CHECKS.items():
        if name == "antivirus" and not settings.CLAMAV_URL:
            continue
        checks[name] = _run(name, check)
        if checks[name] != "ok":
            degraded.append(name)
    body = {
        "status": "failed" if failed else "degraded" if degraded else "ok",
        "checks": checks,
        "failed": failed,
        "degraded": degraded,
    }
    return JsonResponse(body, status=503 if failed else 200)
