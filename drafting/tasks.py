"""Thin Celery tasks: they take ids and call the pipeline or a service.

Drafting's reactions to case events live here; the drafting task itself lives with the
pipeline (``drafting/suggestions/tasks.py``) and is re-exported, so that every task of the
app is named ``drafting.tasks.<name>`` and found by Celery's autodiscovery.
"""

from celery import shared_task
from django.db import OperationalError

from drafting.knowledge.tasks import embed_article
from drafting.suggestions import services as suggestion_services
from drafting.suggestions.tasks import draft_suggestion

__all__ = ["draft_suggestion", "embed_article", "prepare_new_case", "record_sent_reply"]


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def record_sent_reply(case_id: int, reply_id: int) -> None:
    suggestion_services.suggestion_record_sent_reply(case_id=case_id, reply_id=reply_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def prepare_new_case(case_id: int) -> None:
    suggestion_services.suggestion_create_for_new_case(case_id=case_id)
