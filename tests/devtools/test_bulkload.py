"""The generator's bulk-load mode: indexes dropped while loading, all of them back afterwards,
also after an interrupted run."""

from __future__ import annotations

import pytest
from django.db import connection

from cases.models import Case
from devtools.bench import bulkdata, bulkload
from drafting.models import ImpactCase
from tests.db_roles import switch_back_to_owner, switch_to_app_role

TABLES = [model._meta.db_table for model in bulkdata.BULK_TABLES]


def _indexes() -> set[tuple]:
    """Name, table, uniqueness, key and included columns, expressions and predicate of each
    index (a rebuilt partial index prints its predicate with other casts: compared by the
    planner's form, normalised the same way)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, t.relname, x.indisunique, x.indkey::text, x.indnkeyatts,
                   pg_get_expr(x.indexprs, x.indrelid) IS NOT NULL,
                   regexp_replace(coalesce(pg_get_expr(x.indpred, x.indrelid), ''),
                                  '::(text|character varying)(\\[\\])?|[()]', '', 'g')
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s)
            """,
            [TABLES],
        )
        return set(cursor.fetchall())


def _autovacuum_off() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) "
            "AND 'autovacuum_enabled=false' = ANY(coalesce(reloptions, '{}'))",
            [TABLES],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def as_owner(transactional_db):
    # Dropping and creating indexes is DDL: the tables' owner, as the real command runs.
    switch_back_to_owner()
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {bulkload.STATE_TABLE}")
        switch_to_app_role()


def test_bulk_load_rebuilds_every_index_it_dropped(as_owner):
    before = _indexes()
    totals = bulkdata.generate(cases=1_500, administrations=2, seed=0.3, bulk_load=True)
    assert totals["cases"] == 1_500 == Case.objects.count()
    assert _indexes() == before
    assert bulkload.pending() == []
    assert _autovacuum_off() == []
    # The facts were refreshed batch by batch although their secondary indexes were gone.
    assert ImpactCase.objects.count() == 1_500


def test_a_run_after_an_interrupted_bulk_load_rebuilds_the_indexes(as_owner):
    before = _indexes()
    dropped = bulkload.suspend(TABLES)
    assert dropped > 10
    assert len(bulkload.pending()) == dropped
    assert sorted(_autovacuum_off()) == sorted(TABLES)
    remaining = _indexes()
    assert remaining < before
    # Primary keys, unique constraints and the by-case indexes stay while loading.
    names = {row[0] for row in remaining}
    assert {"cases_case_pkey", "case_reference_unique", "drafting_casearm_case_id_key"} <= names
    # The interrupted run's successor, even without the bulk-load mode, puts them back.
    bulkdata.generate(cases=200, administrations=1, seed=0.5, batch_size=120)
    assert _indexes() == before
    assert bulkload.pending() == []
    assert _autovacuum_off() == []
    assert Case.objects.count() == 200


def test_bulk_load_needs_the_tables_owner(db):
    # The suite's connections use the application role, which owns nothing.
    with pytest.raises(RuntimeError, match="owner"):
        bulkload.suspend(TABLES)
