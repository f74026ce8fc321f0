"""Celery beat that sends the schedule only while it holds a PostgreSQL advisory lock (README,
"Workers, queues and beat").

Beat must run once. Started twice by mistake (two hosts, a container left behind, a PaaS scaled
to two), both sent every entry: the sweepers shrug it off (every task claims its row), but two
daily digests raced each other to the same agents. This scheduler takes a session-level
advisory lock on a connection of its own: the first beat sends, a second one stands by, sending
nothing, and takes over within ``STANDBY_RETRY_SECONDS`` when the first one dies (PostgreSQL
frees the lock with its connection). A beat whose lock connection broke sends nothing until it
holds the lock again.

While another beat holds the lock, a standby marks the entries that fall due as run, as if it
had sent them (it sends nothing): otherwise its entries kept the last run of its own start, and
at takeover it sent again every daily entry the dead beat had already sent that day (a second
digest to every agent). It marks an entry only once it has been due for
``STANDBY_GRACE_SECONDS``: should the holder die in that time without having sent it, the
standby taking over sends it. While the database is out of reach (no beat can hold the lock,
nobody sends), nothing is marked: what fell due is sent once a beat holds the lock again.
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
# How long an entry has been due before a standby takes it as sent by the holder (which sends
# on time: its ticks sleep until the next entry falls due).
STANDBY_GRACE_SECONDS = 10.0


class SingleBeatScheduler(PersistentScheduler):
    """``PersistentScheduler`` (the ``--schedule`` file) that sends only as the lock holder."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._lock: psycopg.Connection | None = None
        self._standing_by = False
        # Whether another beat held the lock at the last try (not: the database was out of reach).
        self._held_elsewhere = False
        super().__init__(*args, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self.holds_lock():
            if self._held_elsewhere:
                self._mark_due_entries_as_sent()
            return STANDBY_RETRY_SECONDS
        return super().tick(*args, **kwargs)

    def _mark_due_entries_as_sent(self) -> None:
        """What the holder sent, as a standby sees it: each entry due for
        ``STANDBY_GRACE_SECONDS`` is given its next run (``reserve``, as sending does), so that
        at takeover only what falls due from then on is sent."""
        marked = False
        for entry in list(self.schedule.values()):
            if entry.schedule is None or entry.last_run_at is None:
                continue  # never so once loaded (an entry's last run defaults to its load)
            remaining = entry.schedule.remaining_estimate(entry.last_run_at)
            if -remaining.total_seconds() >= STANDBY_GRACE_SECONDS:
                self.reserve(entry)
                marked = True
        if marked:
            self._heap = None  # the heap holds the entries' old copies: rebuilt at takeover
            self.sync()

    def holds_lock(self) -> bool:
        self._held_elsewhere = False
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
            self._held_elsewhere = True
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
