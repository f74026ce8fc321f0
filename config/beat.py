"""Celery beat that sends the schedule only while it holds a PostgreSQL advisory lock (README,
"Workers, queues and beat").

Beat must run once. Started twice by mistake (two hosts, a container left behind, a PaaS scaled
to two), both sent every entry: the sweepers shrug it off (every task claims its row), but two
daily digests raced each other to the same agents. This scheduler takes a session-level
advisory lock on a connection of its own: the first beat sends, a second one stands by, sending
nothing, and takes over within ``STANDBY_RETRY_SECONDS`` when the first one dies (PostgreSQL
frees the lock with its connection). A beat whose lock connection broke sends nothing until it
holds the lock again.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import psycopg
from celery.beat import PersistentScheduler
from django.db import connections

logger = logging.getLogger("guichet.beat")

# pg_try_advisory_lock's key: any constant of our own (hashtext('guichet-beat')).
LOCK_KEY = 1_726_349_101
STANDBY_RETRY_SECONDS = 5.0


class SingleBeatScheduler(PersistentScheduler):
    """``PersistentScheduler`` (the ``--schedule`` file) that sends only as the lock holder."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._lock: psycopg.Connection | None = None
        self._standing_by = False
        super().__init__(*args, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self.holds_lock():
            return STANDBY_RETRY_SECONDS
        return super().tick(*args, **kwargs)

    def holds_lock(self) -> bool:
        connection = connections["default"]
        if connection.vendor != "postgresql":
            return True  # development on SQLite: one process, nothing to share
        try:
            if self._lock is not None:
                self._lock.execute("SELECT 1")
                return True
            self._lock = psycopg.connect(**_connection_params(), autocommit=True)
            row = self._lock.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()
            if row and row[0]:
                logger.info("This beat holds the lock and sends the schedule.")
                self._standing_by = False
                return True
        except psycopg.Error as error:
            logger.warning("Beat's lock connection failed, sending nothing: %s", error)
        self._release()
        if not self._standing_by:
            logger.warning(
                "Another beat holds the lock: this one stands by and sends nothing (README, "
                '"Workers, queues and beat": run one beat).'
            )
            self._standing_by = True
        return False

    def close(self) -> None:
        super().close()
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(psycopg.Error):
                self._lock.close()
            self._lock = None


def _connection_params() -> dict[str, Any]:
    """Where Django connects (host, role, password, TLS options), for a connection of our own."""
    params = connections["default"].get_connection_params()
    params.pop("context", None)
    params.pop("cursor_factory", None)
    params.pop("prepare_threshold", None)
    return params
