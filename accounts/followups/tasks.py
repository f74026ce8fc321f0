"""The follow-ups' sweeper task (Celery beat: config/celery.py)."""

from celery import shared_task

from .registry import followups_requeue


@shared_task(name="accounts.followups.sweep", ignore_result=True)
def sweep_followups() -> int:
    return followups_requeue()
