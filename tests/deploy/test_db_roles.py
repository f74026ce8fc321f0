"""Journals the application cannot erase (issue 13 item 2): the tests run as the application's
role, which may read and write rows but neither erase a journal nor touch its triggers."""

from __future__ import annotations

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction

from accounts import services as account_services
from accounts.models import AuditEntry
from cases.models import CaseEvent
from tests.db_roles import APP_ROLE, owner_conninfo
from tests.factories import make_case

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles are PostgreSQL's"
)

JOURNALS = {
    "accounts_auditentry": "accounts_auditentry_append_only",
    "cases_caseevent": "cases_caseevent_append_only",
}


@pytest.fixture
def journals(tenant_a):
    """A line in each journal."""
    make_case(tenant_a.administration)
    account_services.audit_record(
        administration=tenant_a.administration,
        actor=tenant_a.administrator,
        category="membership",
        action="membership.added",
        target_label="kept",
        data=None,
    )
    counts = {"accounts_auditentry": AuditEntry.objects.count()}
    counts["cases_caseevent"] = CaseEvent.objects.count()
    assert all(counts.values())
    return counts


def _refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as refusal:
        # The savepoint keeps the test's transaction usable after the refusal.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    return str(refusal.value)


def test_the_tests_run_as_the_restricted_role(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles "
            "WHERE rolname = current_user"
        )
        user, superuser, createrole, createdb = cursor.fetchone()
        assert (user, superuser, createrole, createdb) == (APP_ROLE, False, False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
            [APP_ROLE],
        )
        assert cursor.fetchone()[0] == 0, "the application role owns no table"


@pytest.mark.parametrize("table", sorted(JOURNALS))
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {table} SET id = id",
        "DELETE FROM {table}",
        "TRUNCATE {table}",
        "TRUNCATE {table} CASCADE",
        "ALTER TABLE {table} DISABLE TRIGGER ALL",
        "ALTER TABLE {table} DISABLE TRIGGER {table}_no_truncate",
        "DROP TRIGGER {table}_no_update ON {table}",
        "DROP TRIGGER {table}_no_truncate ON {table}",
        "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ BEGIN RETURN NULL; END; "
        "$$ LANGUAGE plpgsql",
        "DROP TABLE {table}",
        "ALTER TABLE {table} OWNER TO " + APP_ROLE,
        "SET session_replication_role = replica",
    ],
)
def test_the_application_role_cannot_erase_a_journal(journals, table, statement):
    message = _refused(statement.format(table=table, function=JOURNALS[table]))
    assert "append-only" in message or "permission denied" in message or "must be" in message
    counts = {"accounts_auditentry": AuditEntry.objects.count()}
    counts["cases_caseevent"] = CaseEvent.objects.count()
    assert counts == journals


def test_the_application_role_writes_ordinary_rows(tenant_a):
    """Its DML privileges are whole: insert, update and delete on ordinary tables."""
    case = make_case(tenant_a.administration)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET subject = subject WHERE id = %s", [case.pk])
        assert cursor.rowcount == 1
    assert _refused("CREATE TABLE guichet_intruder (id int)")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("table", sorted(JOURNALS))
def test_truncate_is_refused_by_trigger_even_for_the_owner(table):
    """The owner may truncate by privilege; the journals' trigger still refuses."""
    with psycopg.connect(owner_conninfo()) as owner, owner.cursor() as cursor:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            cursor.execute(f"TRUNCATE {table} CASCADE")
