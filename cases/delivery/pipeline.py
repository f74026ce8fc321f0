"""One delivery attempt: claim the row with a conditional UPDATE, call the backend outside any
transaction, record the outcome (and its journal line when it is final).

Never twice: only the worker whose UPDATE moved the row from ``pending`` to ``sending`` sends.
A worker that died mid-send leaves ``sending``; after ``DELIVERY_CLAIM_LEASE_SECONDS`` another
may claim it again, and the receiver dedupes on the idempotency key (the e-mail carries the
same key in its Message-ID).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import signals
from ..models import CaseEvent, Delivery
from ..services.journal import case_event_record
from .backends import DeliveryError, get_backend

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AttemptOutcome:
    status: str  # "skipped", "delivered", "retry", "failed"
    retry_in: float | None = None


def _backoff(attempts: int) -> float:
    return min(
        settings.DELIVERY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
        settings.DELIVERY_RETRY_MAX_SECONDS,
    )


def _claim(delivery_id: int) -> dt.datetime | None:
    """Move the row to ``sending`` if nobody holds it; the claim time if we won."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.DELIVERY_CLAIM_LEASE_SECONDS)
    won = (
        Delivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status=Delivery.Status.PENDING)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=stale)
        )
        .update(
            status=Delivery.Status.SENDING,
            attempts=F("attempts") + 1,
            claimed_at=now,
            updated_at=now,
        )
    )
    return now if won else None


def delivery_attempt(*, delivery_id: int) -> AttemptOutcome:
    """One attempt: claim, send (outside any transaction), record. Safe to call twice."""
    claimed_at = _claim(delivery_id)
    if claimed_at is None:
        return AttemptOutcome("skipped")
    delivery = Delivery.objects.select_related("reply__case__administration").get(pk=delivery_id)
    reply = delivery.reply
    try:
        get_backend(delivery.backend).send(delivery, reply, reply.case)
    except DeliveryError as exc:
        return _record_failure(delivery, claimed_at, str(exc))
    except Exception as exc:  # a plugged-in backend's bug must not leave the row "sending"
        logger.exception("Delivery %s: backend %s crashed", delivery.pk, delivery.backend)
        return _record_failure(delivery, claimed_at, f"{type(exc).__name__}: {exc}")
    return _record_success(delivery, claimed_at)


@transaction.atomic
def _record_success(delivery: Delivery, claimed_at: dt.datetime) -> AttemptOutcome:
    now = timezone.now()
    done = Delivery.objects.filter(
        pk=delivery.pk, status=Delivery.Status.SENDING, claimed_at=claimed_at
    ).update(
        status=Delivery.Status.DELIVERED,
        delivered_at=now,
        last_error="",
        updated_at=now,
        next_attempt_at=None,
    )
    if done:
        case_event_record(
            case_id=delivery.reply.case_id,
            actor=None,
            kind=CaseEvent.Kind.REPLY_DELIVERED,
            data={
                "reply_id": delivery.reply_id,
                "backend": delivery.backend,
                "attempts": delivery.attempts,
            },
        )
        # What follows the reply's arrival (the survey invitation) is written with this record,
        # in a savepoint: the reply has left, and a receiver's failure must not undo its
        # "delivered" (the row would be sent again once its claim expired).
        try:
            with transaction.atomic():
                signals.reply_delivered.send(
                    sender=Delivery, case_id=delivery.reply.case_id, reply_id=delivery.reply_id
                )
        except Exception:
            logger.exception("Delivery %s: what follows its arrival failed", delivery.pk)
    return AttemptOutcome("delivered")


@transaction.atomic
def _record_failure(delivery: Delivery, claimed_at: dt.datetime, error: str) -> AttemptOutcome:
    final = delivery.attempts >= settings.DELIVERY_MAX_ATTEMPTS
    status = Delivery.Status.FAILED if final else Delivery.Status.PENDING
    now = timezone.now()
    wait = _backoff(delivery.attempts)
    updated = Delivery.objects.filter(
        pk=delivery.pk, status=Delivery.Status.SENDING, claimed_at=claimed_at
    ).update(
        status=status,
        last_error=error[:2000],
        updated_at=now,
        next_attempt_at=None if final else now + dt.timedelta(seconds=wait),
    )
    if not updated:  # our claim expired and someone else holds the row now
        return AttemptOutcome("skipped")
    logger.warning("Delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, error)
    if final:
        case_event_record(
            case_id=delivery.reply.case_id,
            actor=None,
            kind=CaseEvent.Kind.DELIVERY_FAILED,
            data={
                "reply_id": delivery.reply_id,
                "backend": delivery.backend,
                "attempts": delivery.attempts,
                "error": error[:500],
            },
        )
        return AttemptOutcome("failed")
    return AttemptOutcome("retry", retry_in=wait)
