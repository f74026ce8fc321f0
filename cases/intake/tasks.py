"""E-mail intake tasks (thin): poll the administrations' IMAP mailboxes, send an
acknowledgement of receipt.

Beat: ``cases.intake.poll_mailboxes`` every ``MAILBOX_POLL_SECONDS`` (README, operators)."""

from celery import shared_task
from django.db import OperationalError

from .acknowledgement import acknowledgement_send, acknowledgements_requeue


@shared_task(
    name="cases.intake.poll_mailboxes",
    acks_late=True,
    soft_time_limit=240,
    time_limit=300,
)
def poll_mailboxes() -> dict:
    """Read every active mailbox once (a mailbox already being read is skipped), then queue
    again the acknowledgements whose task was lost."""
    from .imap import mailboxes_poll

    results = mailboxes_poll()
    requeued = acknowledgements_requeue()
    return {"mailboxes": results, "acknowledgements_requeued": requeued}


@shared_task(
    bind=True,
    name="cases.intake.send_acknowledgement",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=None,
    soft_time_limit=60,
    time_limit=90,
)
def send_acknowledgement(self, acknowledgement_id: int) -> str:
    """One attempt; on failure, again later (attempts are counted on the row)."""
    outcome = acknowledgement_send(acknowledgement_id=acknowledgement_id)
    if outcome == "retry" and not self.request.is_eager:
        raise self.retry(countdown=min(30 * 2 ** (self.request.retries or 0), 3600))
    while outcome == "retry" and self.request.is_eager:
        outcome = acknowledgement_send(acknowledgement_id=acknowledgement_id)
    return outcome
