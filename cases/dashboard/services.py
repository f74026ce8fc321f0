"""Rebuilding the dashboard's daily activity from the cases (``DailyActivity``).

The triggers of migration ``cases/0013`` keep the table exact in every transaction; a rebuild is
for an operator: after a restore of the cases table alone, a change of ``TIME_ZONE`` (the local
days move), or to check the table (``--check``). Each administration is recomputed in its own
transaction by ``cases_activity_rebuild`` (one INSERT ... SELECT ... GROUP BY over its cases),
during which case writes wait (a SHARE lock on ``cases_case``).
"""

from __future__ import annotations

import contextlib
import time
import zoneinfo
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import ProgrammingError, connection, transaction

from accounts.models import Administration


class RebuildUnavailable(RuntimeError):
    """The daily activity is kept on PostgreSQL only."""


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise RebuildUnavailable(
            "The dashboard's daily activity is kept on PostgreSQL only: on "
            f"{connection.vendor} the dashboard reads the cases, there is nothing to rebuild."
        )


def time_zone_sql(name: str) -> str:
    """The local days' time zone as the SQL function the triggers read (``cases/0013``)."""
    zoneinfo.ZoneInfo(name)  # a known zone name, nothing else reaches the SQL text
    return (
        "CREATE OR REPLACE FUNCTION cases_activity_tz() RETURNS text "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT '{name}'::text $$;"
    )


def daily_activity_time_zone() -> str:
    _require_postgresql()
    with connection.cursor() as cursor:
        cursor.execute("SELECT cases_activity_tz()")
        return str(cursor.fetchone()[0])


def daily_activity_rebuild(
    *,
    administrations: Iterable[Administration] | None = None,
    log: Callable[[str], None] = lambda line: None,
) -> dict[str, float]:
    """Recompute the daily activity of ``administrations`` (all by default) from their cases,
    one transaction each; idempotent. If ``TIME_ZONE`` changed since the table was filled,
    every administration is recomputed in the new local days, all in one transaction (case
    writes wait until it ends). Returns rows written and seconds."""
    _require_postgresql()
    chosen = list(administrations) if administrations is not None else None
    moved = daily_activity_time_zone() != settings.TIME_ZONE
    started = time.perf_counter()
    rows = 0
    # A new time zone moves every day: the function and every administration change in one
    # transaction, the cases locked from the start, so that no trigger adds in the new days
    # what was counted in the old ones, and a stop halfway leaves the table as it was.
    with transaction.atomic() if moved else contextlib.nullcontext():
        if moved:
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE cases_case IN SHARE MODE")
                try:
                    cursor.execute(time_zone_sql(settings.TIME_ZONE))
                except ProgrammingError as exc:  # the application role replaces no function
                    raise RebuildUnavailable(
                        f"TIME_ZONE is now {settings.TIME_ZONE}: moving the dashboard's days "
                        "redefines a database function, which only the schema's owner may do. "
                        "Run this command with DATABASE_URL set to the owner's URL "
                        "(DATABASE_MIGRATE_URL)."
                    ) from exc
            log(f"Time zone changed to {settings.TIME_ZONE}: every administration is recomputed.")
            chosen = None
        if chosen is None:
            chosen = list(Administration.objects.order_by("pk"))
        for administration in chosen:
            begun = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT cases_activity_rebuild(%s)", [administration.pk])
                written = cursor.fetchone()[0]
            rows += written
            log(f"  {administration.code}: {written:,} rows in {time.perf_counter() - begun:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_dailyactivity")  # the planner's view of the new rows
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 1)}


def daily_activity_differences() -> int:
    """How many rows of the table differ from a recomputation from the cases (0 when exact;
    rows whose counts are all zero are equal to no row). Read-only."""
    _require_postgresql()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT cases_activity_differences()")
        return int(cursor.fetchone()[0])
