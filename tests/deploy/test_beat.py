"""Celery beat started twice by mistake (config/beat.py): one sends the schedule, the other
stands by and takes over when the first one dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from celery.beat import ScheduleEntry
from celery.schedules import crontab, schedule
from django.db import connection

from config import beat
from config.celery import app
from tests.deploy.processes import free_port, private_redis, stop, wait_for
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


def _scheduler(tmp_path: Path, monkeypatch) -> tuple[beat.SingleBeatScheduler, list[str]]:
    """The scheduler of a beat, whose sending is recorded (names of the entries sent)."""
    scheduler = beat.SingleBeatScheduler(app=app, schedule_filename=str(tmp_path / "schedule"))
    sent: list[str] = []
    monkeypatch.setattr(scheduler, "apply_async", lambda entry, *a, **k: sent.append(entry.name))
    scheduler.schedule.clear()
    return scheduler, sent


def _daily_entry_sent_two_minutes_ago(scheduler: beat.SingleBeatScheduler) -> None:
    """``digest``, daily, was due two minutes ago; this beat started ten minutes ago."""
    now = scheduler.app.now()
    daily = (now - timedelta(minutes=2)).astimezone(app.timezone)
    scheduler.schedule["digest"] = ScheduleEntry(
        name="digest",
        task="guichet.nothing",
        schedule=crontab(minute=daily.minute, hour=daily.hour, app=app),
        last_run_at=now - timedelta(minutes=10),
        app=app,
    )


def _tick_until_idle(scheduler: beat.SingleBeatScheduler) -> None:
    for _ in range(10):
        if scheduler.tick() > 0:
            return


def test_a_standby_taking_over_does_not_send_again_what_the_holder_sent(tmp_path, monkeypatch):
    """The standby never ticked, so its daily entries kept the last run of its own start: at
    takeover it sent the dead beat's digest of the day a second time, to every agent."""
    scheduler, sent = _scheduler(tmp_path, monkeypatch)
    _daily_entry_sent_two_minutes_ago(scheduler)  # by the holder, after this beat started
    now = scheduler.app.now()
    for name, every, last_run in [
        ("sweep", timedelta(seconds=1), now - timedelta(minutes=10)),
        ("just-due", timedelta(minutes=5), now - timedelta(minutes=5, seconds=2)),
    ]:
        scheduler.schedule[name] = ScheduleEntry(
            name=name,
            task="guichet.nothing",
            schedule=schedule(every, app=app),
            last_run_at=last_run,
            app=app,
        )
    try:
        with psycopg.connect(**beat._connection_params(), autocommit=True) as holder:
            assert holder.execute("SELECT pg_try_advisory_lock(%s)", [beat.LOCK_KEY]).fetchone()[0]
            assert scheduler.tick() == beat.STANDBY_RETRY_SECONDS
            assert sent == []
            marked = {name: entry.last_run_at for name, entry in scheduler.schedule.items()}
            assert marked["digest"] >= now and marked["sweep"] >= now
            # Due for 2 s only: the holder may have died before sending it; left for takeover.
            assert marked["just-due"] < now
        # The holder died (its connection with it): this beat takes over.
        time.sleep(1.1)  # the sweep falls due again from then on
        _tick_until_idle(scheduler)
        assert sorted(sent) == ["just-due", "sweep"]
    finally:
        scheduler.close()


def test_what_falls_due_while_the_database_is_out_of_reach_is_sent_once_it_is_back(
    tmp_path, monkeypatch
):
    """No beat can hold the lock then, so nobody sent it: nothing is marked as sent."""
    scheduler, sent = _scheduler(tmp_path, monkeypatch)
    _daily_entry_sent_two_minutes_ago(scheduler)
    reachable = beat._connection_params
    try:
        monkeypatch.setattr(
            beat, "_connection_params", lambda: {**reachable(), "port": free_port()}
        )
        assert scheduler.tick() == beat.STANDBY_RETRY_SECONDS
        monkeypatch.setattr(beat, "_connection_params", reachable)
        _tick_until_idle(scheduler)
        assert sent == ["digest"]
    finally:
        scheduler.close()
