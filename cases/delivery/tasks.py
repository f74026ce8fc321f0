"""The delivery task (thin, it takes the delivery's id and runs one attempt) and the delivery
sweeper (Celery beat, ``manage.py followups_sweep``, ``manage.py deliveries_requeue``)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.db.models import Q
from django.utils import timezone

from accounts.followups.registry import queue_after_commit, register_sweeper

from ..models import Delivery
from .pipeline import delivery_attempt


@shared_task(
    bind=True,
    name="cases.tasks.deliver_reply",  # its name before the delivery room: queued ones still run
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=None,
    soft_time_limit=60,
    time_limit=90,
)
def deliver_reply(self, delivery_id: int) -> str:
    """One delivery attempt; on failure, again later with exponential backoff.

    The number of attempts is counted on the Delivery row, not by Celery: a redelivered or
    duplicated task finds the row claimed or done and does nothing.
    """
    outcome = delivery_attempt(delivery_id=delivery_id)
    while outcome.status == "retry" and self.request.is_eager:
        # No broker to come back through (development, tests): eager Celery re-raises Retry
        # instead of running the task again, so try again here, at once.
        outcome = delivery_attempt(delivery_id=delivery_id)
    if outcome.status == "retry":
        if (
            outcome.retry_in is not None
            and outcome.retry_in > settings.FOLLOWUP_MAX_COUNTDOWN_SECONDS
        ):
            # Longer than a message may wait unacknowledged in Redis: the delivery sweeper
            # queues it when it is due (the row holds next_attempt_at).
            return "later"
        raise self.retry(countdown=outcome.retry_in, max_retries=None)
    return outcome.status


@register_sweeper("deliveries")
def deliveries_requeue(*, grace_seconds: int | None = None) -> int:
    """Queue again the deliveries whose task was lost: pending past their due time by more than
    the grace (``FOLLOWUP_SWEEP_GRACE_SECONDS``), or held by a worker past the claim lease. A
    duplicate task is harmless (the claim decides). Returns how many were queued."""
    if grace_seconds is None:
        grace_seconds = settings.FOLLOWUP_SWEEP_GRACE_SECONDS
    now = timezone.now()
    lease = now - dt.timedelta(seconds=settings.DELIVERY_CLAIM_LEASE_SECONDS)
    ids = list(
        Delivery.objects.filter(
            Q(
                status=Delivery.Status.PENDING,
                next_attempt_at__lt=now - dt.timedelta(seconds=grace_seconds),
            )
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=lease)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    for delivery_id in ids:
        queue_after_commit(deliver_reply, delivery_id)
    return len(ids)


@shared_task(name="cases.delivery.requeue", ignore_result=True)
def requeue_deliveries() -> int:
    """Celery beat: the delivery sweeper."""
    return deliveries_requeue()
