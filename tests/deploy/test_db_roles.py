"""Journals the application cannot erase (issue 13 item 2): the tests run as the application's
role, which may read and write rows but neither erase a journal nor touch its triggers."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction
from psycopg import sql

from accounts import services as account_services
from accounts.models import AuditEntry
from cases.models import CaseEvent
from tests.db_roles import APP_ROLE, ROLES_SQL, owner_conninfo
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


def _psql(conninfo: str, script: str, **variables: str) -> subprocess.CompletedProcess[str]:
    arguments = [shutil.which("psql") or "psql", conninfo, "-q", "-v", "ON_ERROR_STOP=1"]
    for name, value in variables.items():
        arguments += ["-v", f"{name}={value}"]
    return subprocess.run(
        [*arguments, "-f", str(ROLES_SQL.parent / script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def scratch_names():
    """A database and two roles of this test's own (roles are the cluster's), dropped after."""
    suffix = uuid.uuid4().hex[:8]
    names = {
        "database": f"guichet_roles_{suffix}",
        "owner": f"guichet_owner_{suffix}",
        "app": f"guichet_app_{suffix}",
    }
    yield names
    with psycopg.connect(owner_conninfo(), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(names["database"]))
        )
        for role in (names["app"], names["owner"]):
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def test_a_database_owner_without_createrole_runs_the_grants_once_a_dba_created_the_roles(
    scratch_names,
):
    """Many IT teams get a database owner from their DBA, never CREATEROLE: roles-admin.sql is
    the DBA's part, run once; roles.sql is the owner's, needing no attribute at all."""
    names = scratch_names
    as_dba = psycopg.conninfo.make_conninfo(owner_conninfo(), dbname="postgres")
    dba = _psql(
        as_dba,
        "roles-admin.sql",
        owner=names["owner"],
        owner_password="owner-pw-1",
        app=names["app"],
        app_password="app-pw-1",
        database=names["database"],
    )
    assert dba.returncode == 0, dba.stderr
    as_owner = psycopg.conninfo.make_conninfo(
        owner_conninfo(), dbname=names["database"], user=names["owner"], password="owner-pw-1"
    )
    as_app = psycopg.conninfo.make_conninfo(as_owner, user=names["app"], password="app-pw-1")
    with psycopg.connect(as_owner) as owner:
        attributes = owner.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
    assert attributes == (False, False, False)

    # A role the DBA did not create: the owner cannot, and is told who must.
    missing = _psql(as_owner, "roles.sql", owner=names["owner"], app=names["app"] + "_x")
    assert missing.returncode != 0
    assert "roles-admin.sql" in missing.stderr and names["app"] + "_x" in missing.stderr

    granted = _psql(as_owner, "roles.sql", owner=names["owner"], app=names["app"])
    assert granted.returncode == 0, granted.stderr
    again = _psql(as_owner, "roles.sql", owner=names["owner"], app=names["app"])
    assert again.returncode == 0, again.stderr

    # A table the owner's migrations create later: the application reads and writes it, and
    # may not create one of its own.
    with psycopg.connect(as_owner, autocommit=True) as owner:
        owner.execute("CREATE TABLE later (id bigserial PRIMARY KEY, note text)")
    with psycopg.connect(as_app, autocommit=True) as app:
        app.execute("INSERT INTO later (note) VALUES ('written')")
        assert app.execute("SELECT note FROM later").fetchall() == [("written",)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("CREATE TABLE intruder (id int)")


def _set_up_scratch_database(names: dict[str, str]) -> tuple[str, str]:
    """The two scripts, as the README runs them; the application's and the owner's URLs."""
    as_dba = psycopg.conninfo.make_conninfo(owner_conninfo(), dbname="postgres")
    passwords = {"owner_password": "owner-pw-1", "app_password": "app-pw-1"}
    dba = _psql(as_dba, "roles-admin.sql", **names, **passwords)
    assert dba.returncode == 0, dba.stderr
    server = psycopg.conninfo.conninfo_to_dict(owner_conninfo())
    host, port = server.get("host") or "127.0.0.1", server.get("port") or 5432
    base = f"@{host}:{port}/{names['database']}"
    owner_url = f"postgres://{names['owner']}:owner-pw-1{base}"
    app_url = f"postgres://{names['app']}:app-pw-1{base}"
    granted = _psql(owner_url, "roles.sql", owner=names["owner"], app=names["app"])
    assert granted.returncode == 0, granted.stderr
    return app_url, owner_url


def _migrate(launcher: list[str], app_url: str, owner_url: str | None):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUICHET_", "DATABASE_", "CELERY_"))
    }
    env.update(
        GUICHET_ENV="production",
        DJANGO_SECRET_KEY="migrate-" + "s" * 60,
        DJANGO_SETTINGS_MODULE="config.settings",
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",  # never contacted by migrate
        DATABASE_URL=app_url,
        DRAFTING_EMBEDDINGS="",
    )
    if owner_url:
        env["DATABASE_MIGRATE_URL"] = owner_url
    return subprocess.run(
        [sys.executable, *launcher, "migrate", "--noinput"],
        cwd=ROLES_SQL.parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_way_of_running_migrate_runs_as_the_owner_or_says_what_is_missing(scratch_names):
    """``python -m django migrate`` ran as the application's role (the settings recognised
    ``manage.py migrate`` only) and died on "permission denied for schema public"."""
    names = scratch_names
    app_url, owner_url = _set_up_scratch_database(names)

    refused = _migrate(["-m", "django"], app_url, None)
    assert refused.returncode != 0
    assert "DATABASE_MIGRATE_URL" in refused.stderr and names["app"] in refused.stderr
    assert "Traceback" not in refused.stderr

    # A typo in the owner's name (this server trusts local passwords: a name is what fails).
    wrong = owner_url.replace(names["owner"], names["owner"] + "_typo")
    refused = _migrate(["-m", "django"], app_url, wrong)
    assert refused.returncode != 0
    assert "Cannot connect as the schema's owner (DATABASE_MIGRATE_URL)" in refused.stderr
    assert "Traceback" not in refused.stderr and "owner-pw-1" not in refused.stderr

    migrated = _migrate(["-m", "django"], app_url, owner_url)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    again = _migrate(["manage.py"], app_url, owner_url)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "No migrations to apply" in again.stdout

    with psycopg.connect(app_url.replace("postgres://", "postgresql://")) as app:
        owners = app.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        assert owners == [(names["owner"],)]
        assert app.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 50


@pytest.fixture(params=["CREATEROLE", "CREATEROLE CREATEDB"])
def createrole_dba(request, db, scratch_names):
    """A DBA with CREATEROLE (and CREATEDB) and nothing more (many clusters hand out no
    superuser), dropped after the test (its roles are dropped by ``scratch_names``)."""
    name = f"guichet_dba_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(owner_conninfo(), autocommit=True) as admin:
        admin.execute(
            sql.SQL("CREATE ROLE {} LOGIN {} PASSWORD 'dba-pw-1'").format(
                sql.Identifier(name), sql.SQL(request.param)
            )
        )
    yield psycopg.conninfo.make_conninfo(
        owner_conninfo(), dbname="postgres", user=name, password="dba-pw-1"
    )
    with psycopg.connect(owner_conninfo(), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def _attributes(role: str) -> tuple[bool, ...]:
    with psycopg.connect(owner_conninfo()) as admin:
        row = admin.execute(
            "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolbypassrls "
            "FROM pg_roles WHERE rolname = %s",
            [role],
        ).fetchone()
    assert row is not None, f"role {role} was not created"
    return tuple(row)


def test_a_dba_with_createrole_but_not_superuser_runs_roles_admin_and_runs_it_again(
    scratch_names, createrole_dba
):
    """Naming NOSUPERUSER or NOBYPASSRLS in ALTER ROLE needs a superuser whatever the value:
    a CREATEROLE-only DBA got "must be superuser to alter superuser roles", the roles half-made,
    and every run again stopped there."""
    names = scratch_names
    dba = psycopg.conninfo.conninfo_to_dict(createrole_dba)["user"]
    with psycopg.connect(owner_conninfo()) as admin:
        (may_create_databases,) = admin.execute(
            "SELECT rolcreatedb FROM pg_roles WHERE rolname = %s", [dba]
        ).fetchone()
    # CREATE DATABASE ... OWNER needs membership in the owner, which such a DBA lacks.
    database = {"database": names["database"]} if may_create_databases else {}
    run = functools.partial(
        _psql, createrole_dba, "roles-admin.sql", owner=names["owner"], app=names["app"], **database
    )
    first = run(owner_password="owner-pw-1", app_password="app-pw-1")
    assert first.returncode == 0, first.stderr
    with psycopg.connect(owner_conninfo()) as admin:
        owners = admin.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s",
            [names["database"]],
        ).fetchall()
        assert owners == ([(names["owner"],)] if database else [])
        # The membership it took for CREATE DATABASE is given back.
        assert not admin.execute(
            "SELECT pg_has_role(%s, %s, 'MEMBER')", [dba, names["owner"]]
        ).fetchone()[0]
    restricted = (True, False, False, False, False, False)
    assert _attributes(names["app"]) == restricted

    # Somebody granted the application role more since: the DBA's run again takes it back.
    with psycopg.connect(owner_conninfo(), autocommit=True) as admin:
        admin.execute(
            sql.SQL("ALTER ROLE {} NOLOGIN CREATEDB CREATEROLE INHERIT").format(
                sql.Identifier(names["app"])
            )
        )
    again = run(app_password="app-pw-2")
    assert again.returncode == 0, again.stderr
    assert _attributes(names["app"]) == restricted
    as_app = psycopg.conninfo.make_conninfo(createrole_dba, user=names["app"], password="app-pw-2")
    with psycopg.connect(as_app) as app:
        assert app.execute("SELECT current_user").fetchone() == (names["app"],)


def _dba_is_member_of(dba: str, role: str) -> bool:
    with psycopg.connect(owner_conninfo()) as admin:
        return admin.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [dba, role]).fetchone()[0]


def _drop_database(database: str) -> None:
    with psycopg.connect(owner_conninfo(), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database)))


def _database_owner(database: str) -> str | None:
    with psycopg.connect(owner_conninfo()) as admin:
        row = admin.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
    return row[0] if row else None


def test_roles_admin_failing_on_the_database_leaves_the_dba_no_membership_and_runs_again(
    request, scratch_names, createrole_dba
):
    """The membership of the owner the DBA takes for CREATE DATABASE stayed behind when the
    statement failed (psql stopped before giving it back). Without CREATEDB, CREATE DATABASE
    fails; with it, the name is taken by another owner. Either way the script stops with the
    cause, leaves the DBA no membership, and runs again once the cause is fixed."""
    names = scratch_names
    dba = psycopg.conninfo.conninfo_to_dict(createrole_dba)["user"]
    with psycopg.connect(owner_conninfo()) as admin:
        (may_create_databases,) = admin.execute(
            "SELECT rolcreatedb FROM pg_roles WHERE rolname = %s", [dba]
        ).fetchone()
    # Before the DBA is dropped (it cannot be while it owns the database).
    request.addfinalizer(functools.partial(_drop_database, names["database"]))
    if may_create_databases:
        # The name is taken: a database of the DBA's own.
        with psycopg.connect(createrole_dba, autocommit=True) as own:
            own.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(names["database"])))
        cause = f"exists and belongs to {dba}, not to {names['owner']}"
    else:
        cause = "permission denied to create database"
    run = functools.partial(
        _psql,
        createrole_dba,
        "roles-admin.sql",
        owner=names["owner"],
        app=names["app"],
        database=names["database"],
    )

    failed = run(owner_password="owner-pw-1", app_password="app-pw-1")
    assert failed.returncode != 0
    assert cause in failed.stderr, failed.stderr
    assert not _dba_is_member_of(dba, names["owner"])
    assert _database_owner(names["database"]) == (dba if may_create_databases else None)

    # The cause fixed, the same command again does the rest.
    with psycopg.connect(owner_conninfo(), autocommit=True) as admin:
        if may_create_databases:
            admin.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(names["database"])))
        else:
            admin.execute(sql.SQL("ALTER ROLE {} CREATEDB").format(sql.Identifier(dba)))
    again = run(owner_password="owner-pw-1", app_password="app-pw-1")
    assert again.returncode == 0, again.stderr
    assert _database_owner(names["database"]) == names["owner"]
    assert not _dba_is_member_of(dba, names["owner"])
    # And once more, the database there: nothing to create, nothing borrowed.
    once_more = run()
    assert once_more.returncode == 0, once_more.stderr
    assert not _dba_is_member_of(dba, names["owner"])
