"""Reports read the streaming replica; everything else the primary (README, "Replica").

Active only when ``DATABASE_REPLICA_URL`` is set (``settings.DATABASES["replica"]``). A view
that only reads reports runs inside ``reading_reports()`` (the dashboards, the impact report,
their exports and API endpoints): its reads go to ``replica`` while the replica is reachable
and its replay lag is under ``REPLICA_MAX_LAG_SECONDS``, checked at most every
``REPLICA_CHECK_SECONDS`` per process; otherwise to the primary. Writes always go to the
primary, and so does every read outside ``reading_reports()``: agents read their own writes.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
REPLICATED_APPS = frozenset({"cases", "drafting"})
_reading_reports: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "guichet_reading_reports", default=False
)
_state_lock = threading.Lock()
_state = {"checked": 0.0, "usable": False}

F = TypeVar("F", bound=Callable[..., Any])


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_lag_seconds() -> float | None:
    """The replica's replay lag in seconds (0 when it has replayed everything it received),
    None when it is unreachable or not a standby."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() = "
                "pg_last_wal_replay_lsn() THEN 0 ELSE EXTRACT(EPOCH FROM now() - "
                "pg_last_xact_replay_timestamp()) END"
            )
            in_recovery, lag = cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Replica unreachable, reports read the primary: %s", exc)
        connections[REPLICA].close()
        return None
    if not in_recovery:
        return None
    return float(lag or 0.0)


def replica_usable(*, force: bool = False) -> bool:
    """Whether reports may read the replica now (cached ``REPLICA_CHECK_SECONDS``)."""
    if not replica_configured():
        return False
    now = time.monotonic()
    with _state_lock:
        fresh = now - _state["checked"] < settings.REPLICA_CHECK_SECONDS
        if fresh and not force:
            return bool(_state["usable"])
    lag = replica_lag_seconds()
    usable = lag is not None and lag <= settings.REPLICA_MAX_LAG_SECONDS
    if lag is not None and not usable:
        logger.warning("Replica %.1f s behind, reports read the primary.", lag)
    with _state_lock:
        _state["checked"], _state["usable"] = time.monotonic(), usable
    return usable


@contextmanager
def reading_reports() -> Iterator[None]:
    """Inside, reads go to the replica when it is usable (reports only: no writes here)."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


def reports_view(view: F) -> F:
    """A view (function, or a DRF/CBV ``dispatch``) whose reads may go to the replica."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with reading_reports():
            return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class ReportsReplicaMiddleware:
    """Marks the requests of the report views (``settings.REPLICA_REPORT_VIEWS``, by URL
    name, GET and HEAD only) so that their reads may go to the replica."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        request._replica_token = None
        try:
            return self.get_response(request)
        finally:
            token = request._replica_token
            if token is not None:
                _reading_reports.reset(token)

    def process_view(self, request: Any, view: Any, args: Any, kwargs: Any) -> None:
        match = getattr(request, "resolver_match", None)
        if (
            request.method in ("GET", "HEAD")
            and match is not None
            and match.view_name in settings.REPLICA_REPORT_VIEWS
        ):
            request._replica_token = _reading_reports.set(True)


class ReportsReplicaRouter:
    """``DATABASE_ROUTERS`` entry when a replica is configured. Only the reported apps' tables
    go to the replica: sessions, users, memberships and permissions stay on the primary, so a
    fresh sign-in or a new role is never missed because of the replica's lag."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        if (
            _reading_reports.get()
            and model._meta.app_label in REPLICATED_APPS  # type: ignore[attr-defined]
            and replica_usable()
        ):
            return REPLICA
        return "default"

    def db_for_write(self, model: type, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same database, replicated

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"
