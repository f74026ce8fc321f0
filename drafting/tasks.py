"""Thin Celery tasks: they take ids and call the pipeline or a service."""

from celery import shared_task
from django.db import OperationalError

from . import services
from .pipeline import suggestion_draft


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=90,
    time_limit=120,
)
def draft_suggestion(suggestion_id: int) -> str:
    suggestion = suggestion_draft(suggestion_id=suggestion_id)
    return suggestion.status if suggestion else "skipped"


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def record_sent_reply(case_id: int, reply_id: int) -> None:
    services.suggestion_record_sent_reply(case_id=case_id, reply_id=reply_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def index_answered_case(case_id: int) -> None:
    from cases.models import Case

    case = Case.objects.filter(pk=case_id).first()
    if case is not None:
        services.search_index_case(case=case)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def prepare_new_case(case_id: int) -> None:
    services.suggestion_create_for_new_case(case_id=case_id)
