"""Drafting's reactions to case events: follow-up handlers (written with the change, see
``accounts.followups``) and thin Celery tasks that take ids and call a service.

The drafting task itself lives with the pipeline (``drafting/suggestions/tasks.py``, still named
``drafting.tasks.draft_suggestion``); Celery finds every room's ``tasks`` module (config/celery.py).
"""

from celery import shared_task
from django.db import OperationalError

from accounts.followups.registry import followup_handler
from drafting.answers import services as answer_services
from drafting.suggestions import services as suggestion_services

PREPARE_CASE = "drafting.prepare_case"
RECORD_SENT_REPLY = "drafting.record_sent_reply"
LEARN_FROM_REPLY = "drafting.learn_from_reply"


@followup_handler(PREPARE_CASE)
def prepare_case(*, case_id: int) -> None:
    """A new case: draw its experiment arm, create its first draft and queue it."""
    suggestion_services.suggestion_create_for_new_case(case_id=case_id)


@followup_handler(RECORD_SENT_REPLY)
def record_reply_decision(*, case_id: int, reply_id: int) -> None:
    suggestion_services.suggestion_record_sent_reply(case_id=case_id, reply_id=reply_id)


@followup_handler(LEARN_FROM_REPLY)
def learn_from_sent_reply(*, reply_id: int) -> None:
    answer_services.bank_learn_from_reply(reply_id=reply_id)


# The tasks messages queued before the follow-ups carry (and tools that call them directly).
@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def record_sent_reply(case_id: int, reply_id: int) -> None:
    suggestion_services.suggestion_record_sent_reply(case_id=case_id, reply_id=reply_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def prepare_new_case(case_id: int) -> None:
    suggestion_services.suggestion_create_for_new_case(case_id=case_id)
