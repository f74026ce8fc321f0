import os
from pathlib import Path

from celery import Celery
from django.apps import apps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

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
