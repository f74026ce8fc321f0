"""The test suite runs the application as the restricted database role (issue 13).

pytest-django creates and migrates the test database as the owner (DATABASE_URL's user, the
``postgres`` superuser on a development machine); then ``deploy/postgres/roles.sql`` gives the
application role its DML privileges in that database, and every connection of the tests switches
to that role, as web and worker processes do in production.

Only the suite's own housekeeping keeps the owner: the flush between transactional tests
(TRUNCATE, which the application role may not run and the journals refuse by trigger) runs on a
separate owner connection in ``session_replication_role = replica``, which skips triggers.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from django.db import connections
from django.db.backends.postgresql.operations import DatabaseOperations

ROOT = Path(__file__).resolve().parents[1]
ROLES_SQL = ROOT / "deploy" / "postgres" / "roles.sql"
ROLES_LOCK = Path(tempfile.gettempdir()) / "guichet-db-roles.lock"
APP_ROLE = os.environ.get("GUICHET_TEST_APP_ROLE", "guichet_app")


def _conninfo(settings_dict: dict[str, Any], **override: Any) -> str:
    values = {
        "dbname": settings_dict["NAME"],
        "user": settings_dict.get("USER") or "",
        "password": settings_dict.get("PASSWORD") or "",
        "host": settings_dict.get("HOST") or "",
        "port": str(settings_dict.get("PORT") or ""),
    }
    values.update(override)
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in values.items() if v})


def grant_app_role(settings_dict: dict[str, Any]) -> None:
    """Run the operators' roles script on the test database, as its owner."""
    owner = settings_dict.get("USER") or "postgres"
    env = {**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""}
    psql = shutil.which("psql") or "psql"
    # Roles are the cluster's, not the database's: two test databases (xdist workers, two
    # checkouts) altering the same role at once get "tuple concurrently updated", and the
    # script's advisory lock only holds within one database. One run at a time on this machine,
    # and a retry should another machine share the cluster.
    for attempt in range(5):
        with open(ROLES_LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                result = _run_roles_sql(psql, settings_dict, owner, env)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        if result.returncode == 0 or "concurrently" not in result.stderr or attempt == 4:
            break
        time.sleep(0.5 * (attempt + 1))
    if result.returncode != 0:
        raise RuntimeError(f"deploy/postgres/roles.sql failed: {result.stderr.strip()}")


def _run_roles_sql(
    psql: str, settings_dict: dict[str, Any], owner: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            psql,
            _conninfo(settings_dict),
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-v",
            f"owner={owner}",
            "-v",
            f"app={APP_ROLE}",
            "-v",
            "app_password=",
            "-f",
            str(ROLES_SQL),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


_OWNER: dict[str, dict[str, Any]] = {}


def switch_to_app_role() -> None:
    for connection in connections.all():
        if connection.vendor != "postgresql":
            continue
        _OWNER[connection.alias] = {
            "USER": connection.settings_dict.get("USER"),
            "PASSWORD": connection.settings_dict.get("PASSWORD"),
        }
        grant_app_role(connection.settings_dict)
        connection.close()
        connection.settings_dict["USER"] = APP_ROLE
        connection.settings_dict["PASSWORD"] = ""
    if _OWNER:
        DatabaseOperations.execute_sql_flush = _flush_as_owner  # type: ignore[method-assign]


def switch_back_to_owner() -> None:
    for alias, owner in _OWNER.items():
        connection = connections[alias]
        connection.close()
        connection.settings_dict.update(owner)
    _OWNER.clear()
    DatabaseOperations.execute_sql_flush = _original_flush  # type: ignore[method-assign]


def owner_conninfo(alias: str = "default") -> str:
    """Where the owner connects (tests that must prove what the owner can and cannot do)."""
    settings_dict = connections[alias].settings_dict
    owner = _OWNER.get(alias, {})
    return _conninfo(
        settings_dict, user=owner.get("USER") or "postgres", password=owner.get("PASSWORD") or ""
    )


_original_flush = DatabaseOperations.execute_sql_flush


def _flush_as_owner(self: DatabaseOperations, sql_list: list[str]) -> None:
    if self.connection.alias not in _OWNER:
        _original_flush(self, sql_list)
        return
    with psycopg.connect(owner_conninfo(self.connection.alias), autocommit=False) as owner:
        with owner.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            for sql in sql_list:
                cursor.execute(sql)
        owner.commit()
