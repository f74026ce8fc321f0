"""Celery beat started twice by mistake (config/beat.py): one sends the schedule, the other
stands by and takes over when the first one dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.deploy.processes import private_redis, stop, wait_for
from tests.deploy.test_processes import _database_url

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SENT = "Scheduler: Sending due task followups-sweep"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="production runs PostgreSQL"),
]


def _beat(tmp_path: Path, name: str, redis_port: int) -> tuple[subprocess.Popen, Path]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUICHET_", "DATABASE_", "CELERY_"))
    }
    env.update(
        GUICHET_ENV="production",
        DJANGO_SECRET_KEY="beat-" + "s" * 60,
        DJANGO_LOG_FORMAT="text",
        DATABASE_URL=_database_url(),
        CELERY_BROKER_URL=f"redis://127.0.0.1:{redis_port}/0",
        GUICHET_VAR_DIR=str(tmp_path / "var"),
        FOLLOWUP_SWEEP_SECONDS="1",
        FOLLOWUP_SWEEP_GRACE_SECONDS="1",
    )
    log = tmp_path / f"{name}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                *(str(BIN / "celery"), "-A", "config", "beat", "-l", "info"),
                *("--schedule", str(tmp_path / f"{name}-schedule")),
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return process, log


def test_a_second_beat_stands_by_and_takes_over_when_the_first_dies(tmp_path):
    with private_redis(tmp_path / "redis") as (redis_port, _redis):
        first, first_log = _beat(tmp_path, "first", redis_port)
        second = None
        try:
            wait_for(lambda: SENT in first_log.read_text(), timeout=120, what="the first beat")
            second, second_log = _beat(tmp_path, "second", redis_port)
            wait_for(lambda: "stands by" in second_log.read_text(), timeout=120, what="a standby")
            time.sleep(4)  # four sweep periods: the first one sends, the second one does not
            assert SENT not in second_log.read_text()
            assert first_log.read_text().count(SENT) >= 3

            first.send_signal(signal.SIGKILL)  # dies without a word: its lock goes with it
            first.wait(30)
            wait_for(lambda: SENT in second_log.read_text(), timeout=60, what="the takeover")
            assert "holds the lock" in second_log.read_text()
        finally:
            stop(first)
            if second is not None:
                stop(second)
