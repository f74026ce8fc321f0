"""Run by tests/scale/test_replica.py in a child process whose DATABASE_URL is a private
primary and DATABASE_REPLICA_URL its streaming replica (both started by the test). Prints one
JSON line per check. Not a test module (no test_ prefix): pytest does not collect it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Role  # noqa: E402
from cases.models import Case  # noqa: E402
from config import db_router  # noqa: E402
from tests.factories import make_administration, make_case, make_member  # noqa: E402

PG_BIN = "/usr/lib/postgresql/15/bin"
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"


def report(name: str, **values) -> None:
    print(json.dumps({"check": name, **values}), flush=True)


def wait_for(condition, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.1)


def on_replica(sql: str, params=()):
    with connections["replica"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def dashboard(client: Client, *, replica_up: bool = True) -> tuple[int, int, int]:
    """Status, and the queries the request sent to the primary and to the replica."""
    if not replica_up:  # nothing to capture there (capturing would connect)
        with CaptureQueriesContext(connections["default"]) as primary:
            response = client.get("/dossiers/tableau-de-bord/")
        reads = [q for q in primary.captured_queries if "cases_case" in q["sql"]]
        return response.status_code, len(reads), 0
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get("/dossiers/tableau-de-bord/")
    case_queries = [q for q in replica.captured_queries if "cases_case" in q["sql"]]
    primary_case_queries = [q for q in primary.captured_queries if "cases_case" in q["sql"]]
    return response.status_code, len(primary_case_queries), len(case_queries)


def main() -> None:
    call_command("migrate", verbosity=0)
    administration = make_administration("Caisse du probe", code="PROBE")
    manager = make_member(administration, Role.MANAGER)
    agent = make_member(administration, Role.AGENT)
    make_case(administration, actor=None)
    # The replica has everything once it replayed the primary's current position.
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        target = cursor.fetchone()[0]
    wait_for(
        lambda: on_replica("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])[0],
        "the replica to catch up",
    )
    report("replica_in_recovery", value=on_replica("SELECT pg_is_in_recovery()")[0])

    client = Client(SERVER_NAME="localhost")
    client.force_login(manager)
    status, primary_reads, replica_reads = dashboard(client)
    report("dashboard", status=status, primary=primary_reads, replica=replica_reads)

    # Writes, and reads outside the reports, never go to the replica.
    with CaptureQueriesContext(connections["replica"]) as replica:
        case = make_case(administration, actor=None)
        Case.objects.filter(pk=case.pk).update(subject="Changé")
        inbox = client.get("/dossiers/?box=all")
    report("writes", replica_queries=len(replica.captured_queries), inbox=inbox.status_code)
    with db_router.reading_reports(), CaptureQueriesContext(connections["replica"]) as replica:
        Case.objects.create(
            administration=administration,
            reference="PROBE-WRITE",
            channel="email",
            subject="s",
            body="b",
            due_at=case.due_at,
        )
    report(
        "write_inside_reports",
        replica_queries=len(replica.captured_queries),
        on_primary=Case.objects.filter(reference="PROBE-WRITE").exists(),
    )

    # A lagging replica: replay paused, the primary writes on; past the bound, the primary.
    on_replica("SELECT pg_wal_replay_pause()")
    make_case(administration, actor=agent)
    wait_for(
        lambda: (
            (db_router.replica_lag_seconds() or 0) > float(os.environ["REPLICA_MAX_LAG_SECONDS"])
        ),
        "the replica to lag",
    )
    status, primary_reads, replica_reads = dashboard(client)
    report(
        "lagging",
        status=status,
        primary=primary_reads,
        replica=replica_reads,
        lag=db_router.replica_lag_seconds(),
    )
    on_replica("SELECT pg_wal_replay_resume()")
    wait_for(lambda: db_router.replica_usable(force=True), "the replica to catch up again")
    status, primary_reads, replica_reads = dashboard(client)
    report("caught_up", status=status, primary=primary_reads, replica=replica_reads)

    # An unreachable replica: stopped; the reports read the primary.
    connections["replica"].close()
    subprocess.run(
        [
            RUNUSER,
            "-u",
            "postgres",
            "--",
            f"{PG_BIN}/pg_ctl",
            "-D",
            os.environ["PROBE_REPLICA_DATA"],
            "-m",
            "fast",
            "-w",
            "stop",
        ],
        check=True,
        capture_output=True,
    )
    status, primary_reads, replica_reads = dashboard(client, replica_up=False)
    report("unreachable", status=status, primary=primary_reads, replica=replica_reads)


if __name__ == "__main__":
    main()
