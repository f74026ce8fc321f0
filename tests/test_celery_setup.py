"""Celery as in production: queues and routes, the beat schedule, and the start-up refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.schedules import crontab

from accounts.followups.registry import registered_sweepers
from config.celery import BEAT_SCHEDULE, app

ROOT = Path(__file__).resolve().parent.parent

# Every periodic job Guichet has, and the task that does it. A new periodic job is one line in
# config/celery.py and one here.
PERIODIC_JOBS = {
    "followups-sweep": "accounts.followups.sweep",
    "deliveries-sweep": "cases.delivery.requeue",
    "drafts-sweep": "drafting.suggestions.requeue",
    "sessions-clear": "accounts.clear_sessions",
    "answers-learn-due": "drafting.answers.tasks.learn_due",
    "mailboxes-poll": "cases.intake.poll_mailboxes",
    "reply-attachments-purge": "cases.composer.purge_pending_attachments",
    "retention-purge": "cases.retention.purge",
    "notifications-due-soon": "cases.notifications.tasks.notify_due_soon",
    "notifications-digest": "cases.notifications.tasks.send_notification_digests",
}


def test_every_periodic_job_is_scheduled_and_names_a_registered_task():
    app.loader.import_default_modules()
    scheduled = {name: entry["task"] for name, entry in BEAT_SCHEDULE.items()}
    assert scheduled == PERIODIC_JOBS
    for name, entry in BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"{name}: {entry['task']} is not a registered task"
        assert isinstance(entry["schedule"], float | int | crontab), name
    assert app.conf.beat_schedule == BEAT_SCHEDULE


def test_every_registered_sweeper_runs_from_beat():
    # The sweepers of the follow-ups (the acknowledgements of receipt among them), the
    # deliveries and the drafts all have their beat entry.
    assert set(registered_sweepers()) == {"followups", "deliveries", "drafts"}
    sweeping = {"followups-sweep", "deliveries-sweep", "drafts-sweep"}
    assert sweeping <= set(BEAT_SCHEDULE)


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("drafting.tasks.draft_suggestion", "drafting"),
        ("cases.tasks.deliver_reply", "delivery"),
        ("followup.mail.member_invitation", "mail"),
        ("followup.mail.survey_invitation", "mail"),
        ("followup.drafting.prepare_case", "celery"),
        ("accounts.followups.sweep", "celery"),
        ("cases.intake.poll_mailboxes", "mail"),
        ("followup.mail.acknowledgement", "mail"),
        ("cases.intake.send_acknowledgement", "mail"),  # messages queued before the follow-up
        ("cases.notifications.tasks.send_notification_digests", "mail"),
        ("cases.notifications.tasks.notify_due_soon", "celery"),
        ("cases.retention.purge", "celery"),
        ("cases.composer.purge_pending_attachments", "celery"),
    ],
)
def test_tasks_are_routed_to_their_queue(task, queue):
    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_timings_hold_together(settings):
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    assert settings.CELERY_TASK_TIME_LIMIT < settings.FOLLOWUP_LEASE_SECONDS
    assert settings.CELERY_TASK_TIME_LIMIT < settings.DRAFTING_CLAIM_LEASE_SECONDS
    assert settings.DRAFTING_CLAIM_LEASE_SECONDS < settings.BROKER_VISIBILITY_TIMEOUT
    assert settings.DELIVERY_CLAIM_LEASE_SECONDS < settings.BROKER_VISIBILITY_TIMEOUT
    assert app.conf.broker_transport_options["visibility_timeout"] == (
        settings.BROKER_VISIBILITY_TIMEOUT
    )
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost


def _settings_in(**env: str) -> subprocess.CompletedProcess:
    """Load the settings in a fresh process with exactly these variables."""
    base = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SECRET_KEY": "a-production-secret-key-for-this-test-only",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_development_runs_tasks_in_process_without_a_broker_warning():
    """``make run``'s defaults: a task queued in development runs at once, and the memory
    transport does not print kombu's "No hostname was supplied" warning on the console."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from config.celery import app; "
            "print('eager', app.conf.task_always_eager); "
            "from celery import shared_task\n"
            "@shared_task\ndef double(x): return 2 * x\n"
            "print('result', double.delay(21).get())",
        ],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "GUICHET_ENV": "development",
            "DJANGO_DEBUG": "1",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "result 42" in result.stdout
    assert "No hostname was supplied" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    "env",
    [
        {},  # no broker: the memory transport
        {"CELERY_BROKER_URL": "memory://localhost/"},
        {"CELERY_BROKER_URL": "memory://"},
        {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0", "CELERY_TASK_ALWAYS_EAGER": "1"},
    ],
)
def test_production_refuses_an_eager_or_memory_broker(env):
    result = _settings_in(GUICHET_ENV="production", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "CELERY_BROKER_URL must name a real broker" in result.stderr


def test_production_starts_with_a_real_broker_and_refuses_inconsistent_timings():
    ok = _settings_in(GUICHET_ENV="production", CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert ok.returncode == 0, ok.stderr
    assert "started" in ok.stdout
    bad = _settings_in(
        GUICHET_ENV="production",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        DRAFTING_CLAIM_LEASE_SECONDS="60",  # shorter than the 120 s task time limit
    )
    assert bad.returncode != 0 and "Celery timings must hold" in bad.stderr
    # The deliveries' lease too (README, "Workers, queues and beat"): shorter than a live task
    # may run, a second worker would send the reply again; past the visibility timeout, Redis
    # hands the message out while the row is still held.
    for lease in ("60", "900"):
        bad = _settings_in(
            GUICHET_ENV="production",
            CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
            DELIVERY_CLAIM_LEASE_SECONDS=lease,
        )
        assert bad.returncode != 0 and "Celery timings must hold" in bad.stderr, lease


def test_development_and_test_may_run_eager():
    for guichet_env in ("development", "test"):
        result = _settings_in(GUICHET_ENV=guichet_env)
        assert result.returncode == 0, result.stderr
