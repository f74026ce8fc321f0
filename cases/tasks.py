"""Thin Celery tasks of cases: they take ids and call a service."""

from celery import shared_task
from django.db import OperationalError


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def send_survey_invitation(case_id: int, reply_id: int) -> bool:
    from .survey import survey_invite

    return survey_invite(case_id=case_id, reply_id=reply_id)
