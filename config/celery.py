import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab
from django.apps import apps
from django.conf import settings

from config.environment import settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
settings_or_exit()  # a wrong setting: one line naming it, no traceback

BASE_DIR = Path(__file__).resolve().parent.parent

app = Celery("guichet")
app.config_from_object("django.conf:settings", namespace="CELERY")


def packages_with_tasks() -> list[str]:
    """Every installed app, and every room of ours (``cases/delivery/``,
    ``drafting/suggestions/``...) that keeps a ``tasks.py``: a room's tasks are found where they
    live, with no re-export.

    Task names never follow a move: a task that moved sets ``name=`` to the name queued messages
    already carry (``cases.tasks.deliver_reply``, ``drafting.tasks.draft_suggestion``).
    """
    packages = []  # asked lazily, once the app registry is ready
    for config in apps.get_app_configs():
        packages.append(config.name)
        root = Path(config.path)
        if BASE_DIR not in root.parents:
            continue  # third-party apps: their own tasks module only
        packages += sorted(
            f"{config.name}.{'.'.join(tasks.parent.relative_to(root).parts)}"
            for tasks in root.glob("*/**/tasks.py")
            if "migrations" not in tasks.parts
        )
    return packages


app.autodiscover_tasks(packages_with_tasks)


# Celery beat's schedule: static, in the code (docs/design.md "Follow-ups" says why not
# django-celery-beat). Every entry names a task that exists (tests/test_celery_setup.py); adding
# a periodic job is one line here. The sweepers' messages expire after one period: a backlog
# while the workers were down runs once, not once per missed period.
_SWEEP = {
    "schedule": settings.FOLLOWUP_SWEEP_SECONDS,
    "options": {"expires": settings.FOLLOWUP_SWEEP_SECONDS},
}
BEAT_SCHEDULE: dict[str, dict] = {
    # Durable follow-ups: rows whose task never ran or whose worker died (accounts.followups).
    "followups-sweep": {"task": "accounts.followups.sweep", **_SWEEP},
    "deliveries-sweep": {"task": "cases.delivery.requeue", **_SWEEP},
    "drafts-sweep": {"task": "drafting.suggestions.requeue", **_SWEEP},
    # Daily housekeeping.
    "sessions-clear": {"task": "accounts.clear_sessions", "schedule": crontab(hour=3, minute=17)},
    "answers-learn-due": {
        "task": "drafting.answers.tasks.learn_due",
        "schedule": crontab(hour=2, minute=41),
    },
    # E-mail intake: the administrations' IMAP mailboxes (cases/intake/; the acknowledgements
    # of receipt are follow-ups, swept with them).
    "mailboxes-poll": {
        "task": "cases.intake.poll_mailboxes",
        "schedule": settings.MAILBOX_POLL_SECONDS,
        "options": {"expires": settings.MAILBOX_POLL_SECONDS},
    },
    # Reply attachments uploaded for a preview and never sent (cases/composer/), hourly.
    "reply-attachments-purge": {
        "task": "cases.composer.purge_pending_attachments",
        "schedule": crontab(minute=47),
    },
    # Retention: closed cases past their administration's period are anonymised (nightly).
    "retention-purge": {"task": "cases.retention.purge", "schedule": crontab(hour=1, minute=23)},
    # Agents' notifications: "due within 24 h" every hour, the e-mail digest each morning.
    "notifications-due-soon": {
        "task": "cases.notifications.tasks.notify_due_soon",
        "schedule": crontab(minute=7),
    },
    "notifications-digest": {
        "task": "cases.notifications.tasks.send_notification_digests",
        "schedule": crontab(hour=7, minute=30),
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE
