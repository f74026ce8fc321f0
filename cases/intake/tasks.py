"""E-mail intake tasks (thin): poll the administrations' IMAP mailboxes.

Beat: ``cases.intake.poll_mailboxes`` every ``MAILBOX_POLL_SECONDS`` (README, operators). The
acknowledgement of receipt is a follow-up (``followup.mail.acknowledgement``, registered in
acknowledgement.py, which this module imports so that workers know it)."""

from celery import shared_task
from django.db import OperationalError

from .acknowledgement import acknowledgement_send


@shared_task(
    name="cases.intake.poll_mailboxes",
    acks_late=True,
    soft_time_limit=240,
    time_limit=300,
)
def poll_mailboxes() -> dict:
    """Read every active mailbox once (a mailbox already being read is skipped)."""
    from .imap import mailboxes_poll

    return {"mailboxes": mailboxes_poll()}


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
    """Messages queued before the acknowledgement became a follow-up: the same sending (the
    row's claim decides, so a follow-up of the same row never sends it twice)."""
    outcome = acknowledgement_send(acknowledgement_id=acknowledgement_id)
    if outcome == "retry" and not self.request.is_eager:
        raise self.retry(countdown=min(30 * 2 ** (self.request.retries or 0), 3600))
    while outcome == "retry" and self.request.is_eager:
        outcome = acknowledgement_send(acknowledgement_id=acknowledgement_id)
    return outcome
