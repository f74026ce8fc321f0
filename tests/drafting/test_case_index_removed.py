"""Migration 0009 removes the answered-case search index: its rows go, its column goes, and
going back is possible (the column returns empty: nothing reads it)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.db_roles import switch_back_to_owner, switch_to_app_role
from tests.factories import make_case

BEFORE = [("drafting", "0008_embeddings")]
AFTER = [("drafting", "0009_drop_case_index")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_deletes_the_answered_case_rows_and_is_reversible(tenant_a):
    # Migrations run as the schema's owner (the application's role has no DDL).
    switch_back_to_owner()
    try:
        case = make_case(tenant_a.administration, subject="Parapente", body="Question")
        apps = _migrate(BEFORE)
        SearchDocument = apps.get_model("drafting", "SearchDocument")
        Posting = apps.get_model("drafting", "Posting")
        document = SearchDocument.objects.create(
            kind="case",
            administration_id=tenant_a.administration.pk,
            case_id=case.pk,
            title="Parapente",
            text="Question : parapente",
            length=2,
        )
        Posting.objects.create(
            document=document,
            kind="case",
            administration_id=tenant_a.administration.pk,
            term="parapent",
            tf=1,
            length=2,
        )

        apps = _migrate(AFTER)
        SearchDocument = apps.get_model("drafting", "SearchDocument")
        Posting = apps.get_model("drafting", "Posting")
        assert not SearchDocument.objects.filter(kind="case").exists()
        assert not Posting.objects.filter(kind="case").exists()
        columns = {
            c.name
            for c in connection.introspection.get_table_description(
                connection.cursor(), SearchDocument._meta.db_table
            )
        }
        assert "case_id" not in columns

        # Backwards: the column comes back, empty; forwards again works.
        apps = _migrate(BEFORE)
        assert not apps.get_model("drafting", "SearchDocument").objects.filter(kind="case").exists()
    finally:
        # Back to the latest migrations of every app (not only 0009: the later ones' tables
        # would be missing for the tests this worker runs next).
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        switch_to_app_role()
