"""Bulk-load mode for the generator: secondary indexes and autovacuum off while loading.

At tens of millions of rows, most of a batch's time goes to keeping a dozen B-trees per table
up to date with rows that arrive in random key order (creation dates, assignees, topics), and to
autovacuum scanning the growing tables again and again (an insert-triggered vacuum every 20 %
of growth reads the whole table). ``suspend(tables)`` drops the secondary indexes — those that
back no constraint: primary keys and unique constraints stay, so the data stays checked — and
turns autovacuum off on those tables; ``restore()`` rebuilds each index with one sort and turns
autovacuum back on.

Resumable: the definitions of the dropped indexes are written, before they are dropped and in
the same transaction, to the scratch table ``bulk_dropped_index`` of this database. A run that
is interrupted leaves them there; the next run (with or without the bulk-load mode) rebuilds
them, and a bulk-load run can stop before it rebuilds and the next one picks up from there.

Application code never imports this module; the bulk generator does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from django.db import DatabaseError, connection, transaction

STATE_TABLE = "bulk_dropped_index"


def _ensure_state(cursor) -> None:
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS bulk_dropped_index ("
        " name text PRIMARY KEY, tablename text NOT NULL, definition text NOT NULL)"
    )


def secondary_indexes(cursor, tables: Iterable[str]) -> list[tuple[str, str, str]]:
    """(index, table, CREATE INDEX statement) of the indexes of ``tables`` that back no
    constraint (primary key, unique, exclusion) and do not start with ``case_id``: the facts'
    refresh of each batch finds the batch's drafts by case, and new cases' ids only grow, so
    those indexes are appended to at their right edge, cheaply."""
    cursor.execute(
        """
        SELECT i.relname, t.relname, pg_get_indexdef(i.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = current_schema() AND t.relname = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
          AND (SELECT attname FROM pg_attribute
               WHERE attrelid = x.indrelid AND attnum = x.indkey[0]) IS DISTINCT FROM 'case_id'
        ORDER BY t.relname, i.relname
        """,
        [list(tables)],
    )
    return [(name, table, definition) for name, table, definition in cursor.fetchall()]


def pending() -> list[tuple[str, str]]:
    """(index, table) of the indexes dropped by an earlier run and not rebuilt yet."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [STATE_TABLE])
        if not cursor.fetchone()[0]:
            return []
        cursor.execute("SELECT name, tablename FROM bulk_dropped_index ORDER BY tablename, name")
        return [(name, table) for name, table in cursor.fetchall()]


def suspend(tables: list[str], log: Callable[[str], None] = lambda message: None) -> int:
    """Drop the secondary indexes of ``tables`` (remembered first) and turn autovacuum off on
    them. Returns the number of indexes dropped."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relname = ANY(%s) "
            "AND relnamespace = to_regnamespace(current_schema()) "
            "AND NOT pg_has_role(relowner, 'USAGE')",
            [list(tables)],
        )
        if cursor.fetchone()[0]:
            raise RuntimeError(
                "The bulk-load mode drops and rebuilds indexes: run it as the tables' owner."
            )
        _ensure_state(cursor)
        indexes = secondary_indexes(cursor, tables)
        for name, table, definition in indexes:
            cursor.execute(
                "INSERT INTO bulk_dropped_index (name, tablename, definition) VALUES (%s, %s, %s) "
                "ON CONFLICT (name) DO NOTHING",
                [name, table, definition],
            )
            cursor.execute(f"DROP INDEX {quote(name)}")
        for table in tables:
            cursor.execute(f"ALTER TABLE {quote(table)} SET (autovacuum_enabled = false)")
    log(
        f"  Bulk load: {len(indexes)} secondary indexes dropped, autovacuum off on {len(tables)} "
        "tables."
    )
    return len(indexes)


def restore(
    tables: Iterable[str] = (),
    log: Callable[[str], None] = lambda message: None,
) -> int:
    """Rebuild every index a bulk load dropped (one transaction each, so that an interrupted
    rebuild keeps the finished ones) and turn autovacuum back on for ``tables`` and for the
    tables of the rebuilt indexes. Returns the number of indexes rebuilt."""
    quote = connection.ops.quote_name
    rebuilt = 0
    touched = set(tables)
    for name, table in pending():
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT definition FROM bulk_dropped_index WHERE name = %s FOR UPDATE", [name]
            )
            row = cursor.fetchone()
            if row is None:
                continue
            cursor.execute("SELECT to_regclass(%s) IS NULL", [quote(name)])
            if cursor.fetchone()[0]:
                cursor.execute(row[0])
            cursor.execute("DELETE FROM bulk_dropped_index WHERE name = %s", [name])
        rebuilt += 1
        touched.add(table)
        log(f"  Bulk load: index {name} rebuilt in {time.perf_counter() - started:.1f} s.")
    with connection.cursor() as cursor:
        for table in sorted(touched):
            cursor.execute(f"ALTER TABLE {quote(table)} RESET (autovacuum_enabled)")
    return rebuilt


def session_settings(*, maintenance_work_mem: str = "256MB", temp_buffers: str = "256MB") -> None:
    """Settings of this database session only (the cluster is shared): memory for the index
    sorts and the temporary tables of random draws, no parallel workers (the machine's cores
    are shared), and no wait for the WAL flush at each commit (a batch lost in a crash is
    regenerated by the rerun). ``temp_buffers`` only takes effect before the session's first
    temporary table; it is left as it is after."""
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = %s", [maintenance_work_mem])
        cursor.execute("SET max_parallel_maintenance_workers = 0")
        cursor.execute("SET synchronous_commit = off")
        try:
            with transaction.atomic():
                cursor.execute("SET temp_buffers = %s", [temp_buffers])
        except DatabaseError:
            pass  # temporary tables were used earlier in this session
