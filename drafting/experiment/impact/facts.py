"""The impact report's fact tables, seen from Python: rewriting and checking them.

The rows are written by PostgreSQL: the migration ``0004_impact_report_facts`` defines
``drafting_impact_refresh(case ids)`` and ``drafting_impact_refresh_administration(id)`` and
the statement-level triggers on cases, arms, drafts and survey answers that call the first in
the same transaction as the change. Their per-period rollups (``ImpactHandlingRollup``…) are
kept by triggers on the facts (migration ``0011_impact_rollups``), rewritten here by
``drafting_impact_rollup_rebuild(id)``. See docs/design.md, "Statistics of the impact report".
"""

from __future__ import annotations

from django.db import connection, models, transaction

from drafting.models import (
    ImpactAdoptionRollup,
    ImpactCase,
    ImpactDraft,
    ImpactHandlingRollup,
    ImpactLatencyRollup,
    ImpactSatisfactionRollup,
)

_CASE_FIELDS = [f.column for f in ImpactCase._meta.concrete_fields]
_DRAFT_FIELDS = [f.column for f in ImpactDraft._meta.concrete_fields]
ROLLUPS: tuple[type[models.Model], ...] = (
    ImpactHandlingRollup,
    ImpactSatisfactionRollup,
    ImpactAdoptionRollup,
    ImpactLatencyRollup,
)


def _columns(model: type[models.Model]) -> list[str]:
    """A rollup's columns but its id (a rebuilt row has a new one)."""
    return [f.column for f in model._meta.concrete_fields if f.column and not f.primary_key]


def _lock_facts(cursor) -> None:
    """Lock the fact tables against writes (and against another run of this module) before
    any of their rows: taken after a rewrite had locked rows, a case write that had already
    changed the facts would wait on those rows while this waited on it, a deadlock. Held until
    the transaction ends."""
    tables = ", ".join(
        connection.ops.quote_name(m._meta.db_table) for m in (ImpactCase, ImpactDraft)
    )
    cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


def refresh_administration(administration_id: int) -> tuple[int, int]:
    """Rewrite one administration's facts; returns how many case and draft rows it holds.
    Writes of cases, drafts and surveys wait until the caller's transaction ends."""
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_facts(cursor)
        cursor.execute("SELECT drafting_impact_refresh_administration(%s)", [administration_id])
    return (
        ImpactCase.objects.filter(administration_id=administration_id).count(),
        ImpactDraft.objects.filter(administration_id=administration_id).count(),
    )


def rebuild_rollups(administration_id: int) -> int:
    """Rewrite one administration's rollups from its facts; returns how many rows they hold.
    The fact tables are locked against writes (SHARE) until the caller's transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT drafting_impact_rollup_rebuild(%s)", [administration_id])
    return sum(
        model._default_manager.filter(administration_id=administration_id).count()
        for model in ROLLUPS
    )


class _RollBack(Exception):
    pass


def differences(administration_id: int) -> int:
    """How many fact rows of the administration differ from a rewrite (which is rolled back)."""
    tables = (
        (ImpactCase._meta.db_table, _CASE_FIELDS),
        (ImpactDraft._meta.db_table, _DRAFT_FIELDS),
    )
    return _compare(administration_id, tables, "SELECT drafting_impact_refresh_administration(%s)")


def rollup_differences(administration_id: int) -> int:
    """How many rollup rows of the administration differ from a rebuild from its facts (which
    is rolled back)."""
    tables = tuple((model._meta.db_table, _columns(model)) for model in ROLLUPS)
    return _compare(administration_id, tables, "SELECT drafting_impact_rollup_rebuild(%s)")


def _compare(
    administration_id: int, tables: tuple[tuple[str, list[str]], ...], rewrite: str
) -> int:
    """Rows of ``tables`` (one administration's) that differ before and after ``rewrite``,
    which is rolled back with the temporary tables."""
    total = 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # Locked first: the copies and the rewrite see the same facts (a write between
            # them would count as a difference), and no row is locked before the tables.
            _lock_facts(cursor)
            for table, _columns in tables:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE before_{table} AS "  # noqa: S608
                    f"SELECT * FROM {table} WHERE administration_id = %s",
                    [administration_id],
                )
            cursor.execute(rewrite, [administration_id])
            for table, columns in tables:
                names = ", ".join(columns)
                cursor.execute(
                    f"SELECT count(*) FROM ((SELECT {names} FROM before_{table} "  # noqa: S608
                    f"EXCEPT ALL SELECT {names} FROM {table} WHERE administration_id = %s) "
                    f"UNION ALL (SELECT {names} FROM {table} WHERE administration_id = %s "
                    f"EXCEPT ALL SELECT {names} FROM before_{table})) AS d",
                    [administration_id, administration_id],
                )
                total += cursor.fetchone()[0]
            raise _RollBack  # the temporary tables and the rewrite go with the transaction
    except _RollBack:
        pass
    return total
