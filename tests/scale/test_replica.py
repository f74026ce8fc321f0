"""The read-replica router against a real streaming replica: a private PostgreSQL 15 primary
and its replica (pg_basebackup), started in temporary directories on free ports as the
postgres user, stopped at the end. The shared cluster is never touched.

Checked in a child process configured with DATABASE_URL (the private primary) and
DATABASE_REPLICA_URL (its replica): the dashboard's reads go to the replica; writes and the
inbox never do; a replica lagging past REPLICA_MAX_LAG_SECONDS, or stopped, makes the reports
read the primary, and they still answer.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None or os.geteuid() != 0,
    reason="needs PostgreSQL 15's binaries and root (to run them as the postgres user)",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [RUNUSER, "-u", "postgres", "--", *args],
        check=True,
        capture_output=True,
        text=True,
        **kwargs,
    )


def _wait_ready(port: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = subprocess.run(
            [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True
        )
        if done.returncode == 0:
            return
        time.sleep(0.2)
    raise AssertionError(f"PostgreSQL on port {port} did not start")


@pytest.fixture
def streaming_pair():
    base = Path(tempfile.mkdtemp(prefix="guichet-replica-"))
    shutil.chown(base, "postgres", "postgres")
    primary, replica = base / "primary", base / "replica"
    primary_port, replica_port = _free_port(), _free_port()
    started = []
    try:
        _as_postgres(str(PG_BIN / "initdb"), "-D", str(primary), "-U", "postgres", "-A", "trust")
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {primary_port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{base}'\nwal_level = replica\n"
                "max_wal_senders = 4\nfsync = off\nsynchronous_commit = off\n"
            )
        _as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(primary),
            "-l",
            str(base / "primary.log"),
            "-w",
            "-t",
            "120",
            "start",
        )
        started.append(primary)
        _wait_ready(primary_port)
        _as_postgres(
            str(PG_BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary_port),
            "-U",
            "postgres",
            "-D",
            str(replica),
            "-R",
            "-X",
            "stream",
        )
        with open(replica / "postgresql.conf", "a") as conf:
            conf.write(f"port = {replica_port}\nhot_standby = on\n")
        _as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(replica),
            "-l",
            str(base / "replica.log"),
            "-w",
            "-t",
            "120",
            "start",
        )
        started.append(replica)
        _wait_ready(replica_port)
        subprocess.run(
            [
                str(PG_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(primary_port),
                "-U",
                "postgres",
                "guichet_probe",
            ],
            check=True,
        )
        yield {
            "primary": f"postgres://postgres@127.0.0.1:{primary_port}/guichet_probe",
            "replica": f"postgres://postgres@127.0.0.1:{replica_port}/guichet_probe",
            "replica_data": str(replica),
        }
    finally:
        for data in reversed(started):
            subprocess.run(
                [
                    RUNUSER,
                    "-u",
                    "postgres",
                    "--",
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                ],
                capture_output=True,
            )
        shutil.rmtree(base, ignore_errors=True)


def test_reports_read_the_replica_writes_never_and_a_lagging_one_falls_back(streaming_pair):
    env = {
        **os.environ,
        "GUICHET_ENV": "test",
        "DJANGO_SECRET_KEY": "test-only-secret-key",
        "DATABASE_URL": streaming_pair["primary"],
        "DATABASE_REPLICA_URL": streaming_pair["replica"],
        "REPLICA_MAX_LAG_SECONDS": "0.5",
        "REPLICA_CHECK_SECONDS": "0",
        "PROBE_REPLICA_DATA": streaming_pair["replica_data"],
        "CACHE_URL": "locmemcache://probe",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.scale.replica_probe"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    checks = {
        row["check"]: row
        for row in (json.loads(line) for line in done.stdout.splitlines() if line.startswith("{"))
    }
    assert checks["replica_in_recovery"]["value"] is True
    dashboard = checks["dashboard"]
    assert dashboard["status"] == 200
    assert dashboard["replica"] > 0 and dashboard["primary"] == 0
    assert checks["writes"] == {"check": "writes", "replica_queries": 0, "inbox": 200}
    assert checks["write_inside_reports"]["replica_queries"] == 0
    assert checks["write_inside_reports"]["on_primary"] is True
    lagging = checks["lagging"]
    assert lagging["status"] == 200 and lagging["replica"] == 0 and lagging["primary"] > 0
    assert lagging["lag"] > 0.5
    assert checks["caught_up"]["replica"] > 0
    unreachable = checks["unreachable"]
    assert unreachable["status"] == 200
    assert unreachable["replica"] == 0 and unreachable["primary"] > 0
