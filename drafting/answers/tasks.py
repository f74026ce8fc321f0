"""Thin Celery tasks of the answer bank: ids in, a service called."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def learn_from_reply(reply_id: int) -> str:
    return services.bank_learn_from_reply(reply_id=reply_id).outcome


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def learn_due() -> dict[str, int]:
    """Celery beat, daily: the replies whose reopen window has just ended."""
    return services.bank_learn_due()
