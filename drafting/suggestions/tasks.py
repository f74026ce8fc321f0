"""The drafting task: a thin Celery task that takes a suggestion id and runs the pipeline.

Its name stays ``drafting.tasks.draft_suggestion`` (queued messages and routes use it).
"""

from celery import shared_task
from django.db import OperationalError

from .pipeline import suggestion_draft


@shared_task(
    name="drafting.tasks.draft_suggestion",
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
