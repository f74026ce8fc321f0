"""The survey invitation task: thin, it takes ids and calls the service."""

from celery import shared_task
from django.db import OperationalError

from .services import survey_invite


@shared_task(
    name="cases.tasks.send_survey_invitation",  # its name before the survey room
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def send_survey_invitation(case_id: int, reply_id: int) -> bool:
    return survey_invite(case_id=case_id, reply_id=reply_id)
