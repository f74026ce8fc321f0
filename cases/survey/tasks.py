"""The survey invitation: a follow-up of the reply (written with it), and its old task."""

from celery import shared_task
from django.db import OperationalError

from accounts.followups.registry import followup_handler

from .services import survey_invite

SURVEY_INVITATION = "mail.survey_invitation"


@followup_handler(SURVEY_INVITATION)
def survey_invitation_mail(*, case_id: int, reply_id: int) -> None:
    survey_invite(case_id=case_id, reply_id=reply_id)


@shared_task(
    name="cases.tasks.send_survey_invitation",  # messages queued before the follow-ups
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def send_survey_invitation(case_id: int, reply_id: int) -> bool:
    return survey_invite(case_id=case_id, reply_id=reply_id)
