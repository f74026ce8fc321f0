"""E-mail intake tasks (thin): poll the administrations' IMAP mailboxes, send an
acknowledgement of receipt.

Beat: ``cases.intake.poll_mailboxes`` every ``MAILBOX_POLL_SECONDS`` (README, operators)."""

from celery import shared_task
from django.db import OperationalError

from accounts.followups.registry import register_sweeper

from .acknowledgement import acknowledgement_send, acknowledgements_requeue


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


@register_sweeper("acknowledgements")
def acknowledgements_sweep(*, grace_seconds: int | None = None) -> int:
    """The acknowledgements' sweeper (one contract with the follow-ups': docs/design.md)."""
    if grace_seconds is None:
        return acknowledgements_requeue()
    return acknowledgements_requeue(grace_seconds=grace_seconds)


@shared_task(name="cases.intake.requeue_acknowledgements", ignore_result=True)
def requeue_acknowledgements() -> int:
    """Celery beat: acknowledgements whose task was lost are queued again."""
    return acknowledgements_sweep()


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
