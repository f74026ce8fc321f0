"""The delivery task: thin, it takes the delivery's id and runs one attempt."""

from celery import shared_task
from django.db import OperationalError

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
        raise self.retry(countdown=outcome.retry_in, max_retries=None)
    return outcome.status
