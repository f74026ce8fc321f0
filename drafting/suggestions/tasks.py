"""The drafting task (a thin Celery task that takes a suggestion id and runs the pipeline) and
the drafts' sweeper.

Its name stays ``drafting.tasks.draft_suggestion`` (queued messages and routes use it). Its time
limits are Celery's (``CELERY_TASK_SOFT_TIME_LIMIT`` / ``CELERY_TASK_TIME_LIMIT``), shorter than
the claim lease (``DRAFTING_CLAIM_LEASE_SECONDS``): a live run always ends before its claim may
be taken over.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.db.models import Q
from django.utils import timezone

from accounts.followups.registry import queue_after_commit, register_sweeper

from .models import Suggestion
from .pipeline import suggestion_draft


@shared_task(
    bind=True,
    name="drafting.tasks.draft_suggestion",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def draft_suggestion(self, suggestion_id: int) -> str:
    suggestion = suggestion_draft(suggestion_id=suggestion_id)
    if suggestion is not None:
        return suggestion.status
    # Not claimable now. If another run holds it (a redelivery after its worker died, whose
    # claim is still fresh), come back when that claim expires rather than never.
    held = Suggestion.objects.filter(
        pk=suggestion_id, status=Suggestion.Status.RUNNING
    ).values_list("started_at", flat=True)
    started_at = next(iter(held), None)
    if started_at is not None and not self.request.is_eager:
        expires = started_at + dt.timedelta(seconds=settings.DRAFTING_CLAIM_LEASE_SECONDS)
        wait = max((expires - timezone.now()).total_seconds(), 0.0) + 0.5
        if wait <= settings.FOLLOWUP_MAX_COUNTDOWN_SECONDS:
            raise self.retry(countdown=wait, max_retries=None)
    return "skipped"


@register_sweeper("drafts")
def suggestions_requeue(*, grace_seconds: int | None = None) -> int:
    """Queue again the drafts whose task was lost: pending for longer than the grace, or
    running past the claim lease (their worker died). The claim decides between duplicates."""
    if grace_seconds is None:
        grace_seconds = settings.FOLLOWUP_SWEEP_GRACE_SECONDS
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.DRAFTING_CLAIM_LEASE_SECONDS)
    ids = list(
        Suggestion.objects.filter(
            Q(
                status=Suggestion.Status.PENDING,
                created_at__lt=now - dt.timedelta(seconds=grace_seconds),
            )
            | Q(status=Suggestion.Status.RUNNING, started_at__lt=now - lease)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    for suggestion_id in ids:
        queue_after_commit(draft_suggestion, suggestion_id)
    return len(ids)


@shared_task(name="drafting.suggestions.requeue", ignore_result=True)
def requeue_suggestions() -> int:
    """Celery beat: the drafts' sweeper."""
    return suggestions_requeue()
