"""Drafting's reactions to case events: thin Celery tasks that take ids and call a service.

The drafting task itself lives with the pipeline (``drafting/suggestions/tasks.py``, still named
``drafting.tasks.draft_suggestion``); Celery finds every room's ``tasks`` module (config/celery.py).
"""

from celery import shared_task
from django.db import OperationalError

from drafting.suggestions import services as suggestion_services


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def record_sent_reply(case_id: int, reply_id: int) -> None:
    suggestion_services.suggestion_record_sent_reply(case_id=case_id, reply_id=reply_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def prepare_new_case(case_id: int) -> None:
    suggestion_services.suggestion_create_for_new_case(case_id=case_id)
