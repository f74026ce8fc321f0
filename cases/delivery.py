"""Outbound delivery of replies, through the case's channel.

A sent reply gets one ``Delivery`` row (created when ``reply_sent`` fires, after commit) and a
Celery task (cases/tasks.py) that claims it with a conditional UPDATE, calls the backend
outside any transaction, and records the outcome. Failures are retried with exponential
backoff up to ``DELIVERY_MAX_ATTEMPTS``; the last one is recorded on the case.

Backends (``DELIVERY_BACKENDS``, dotted paths, so a deployment can plug its own):

- ``email``: Django's mail backends, to the usager's address, the case reference in the
  subject (so that the usager's answer comes back to the case through ``intake_mail``);
- ``http_callback``: a JSON POST to the ``ChannelEndpoint`` of the case's administration and
  channel, signed ``X-Guichet-Signature: sha256=<HMAC-SHA256 of the body>`` with the
  endpoint's secret, with ``X-Guichet-Timestamp`` (also inside the signed body) and
  ``Idempotency-Key: <delivery id>`` so the receiver can drop a duplicate.

Never twice: only the worker whose UPDATE moved the row from ``pending`` to ``sending`` sends.
A worker that died mid-send leaves ``sending``; after ``DELIVERY_CLAIM_LEASE_SECONDS`` another
may claim it again, and the receiver dedupes on the idempotency key (the e-mail carries the
same key in its Message-ID).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from functools import partial

import httpx
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Case, CaseEvent, ChannelEndpoint, Delivery, Reply

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The backend could not deliver; the message is shown on the case."""


# --- backends --------------------------------------------------------------------------------


class EmailBackend:
    """Through Django's configured mail backend (SMTP, console, a provider's backend)."""

    def send(self, delivery: Delivery, reply: Reply, case: Case) -> None:
        if not case.usager_email:
            raise DeliveryError("The case has no e-mail address.")
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "guichet.local"
        message = EmailMessage(
            subject=f"[{case.reference}] {case.subject}",
            body=reply.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[case.usager_email],
            headers={
                # The same id on a resend: mail systems and the usager's client drop duplicates.
                "Message-ID": f"<delivery-{delivery.pk}@{domain}>",
                "X-Guichet-Reference": case.reference,
            },
        )
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # SMTP and provider backends raise anything
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class HttpCallbackBackend:
    """A signed JSON POST to the channel's configured URL."""

    def send(self, delivery: Delivery, reply: Reply, case: Case) -> None:
        endpoint = ChannelEndpoint.objects.filter(
            administration_id=case.administration_id, channel=case.channel, is_active=True
        ).first()
        if endpoint is None:
            raise DeliveryError("No active channel endpoint for this channel.")
        timestamp = str(int(time.time()))
        intake = case.intake_deliveries.order_by("pk").first()
        body = json.dumps(
            {
                "delivery_id": delivery.pk,
                "timestamp": timestamp,
                "case": {
                    "reference": case.reference,
                    "channel": case.channel,
                    "external_id": intake.external_id if intake else "",
                    "idempotency_key": intake.key if intake else "",
                },
                "reply": {
                    "id": reply.pk,
                    "body": reply.body,
                    "sent_at": reply.created_at.isoformat(),
                    "author": case.administration.name,
                },
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Guichet-Delivery/1",
            "X-Guichet-Signature": sign(endpoint.signing_secret, body),
            "X-Guichet-Timestamp": timestamp,
            "Idempotency-Key": str(delivery.pk),
        }
        try:
            response = httpx.post(
                endpoint.callback_url,
                content=body,
                headers=headers,
                timeout=settings.DELIVERY_HTTP_TIMEOUT,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"HTTP {response.status_code}: {response.text[:300]}")


def get_backend(name: str):
    return import_string(settings.DELIVERY_BACKENDS[name])()


def delivery_route(case: Case) -> str:
    """The backend for a reply to ``case``: its channel's endpoint, else the usager's e-mail."""
    if ChannelEndpoint.objects.filter(
        administration_id=case.administration_id, channel=case.channel, is_active=True
    ).exists():
        return Delivery.Backend.HTTP_CALLBACK
    if case.usager_email:
        return Delivery.Backend.EMAIL
    return Delivery.Backend.NONE


# --- pipeline --------------------------------------------------------------------------------


def queue_delivery(delivery_id: int) -> None:
    """Queue the task once the current transaction commits (at once outside one)."""
    from .tasks import deliver_reply

    transaction.on_commit(partial(deliver_reply.delay, delivery_id))


@transaction.atomic
def delivery_create(*, reply_id: int) -> Delivery:
    """The reply's delivery row (one per reply: a second call returns the first)."""
    reply = Reply.objects.select_related("case").get(pk=reply_id)
    backend = delivery_route(reply.case)
    delivery, created = Delivery.objects.get_or_create(
        reply=reply, defaults={"backend": backend, "next_attempt_at": timezone.now()}
    )
    if created and backend == Delivery.Backend.NONE:
        delivery.status = Delivery.Status.FAILED
        delivery.last_error = "No delivery route: no channel endpoint and no e-mail address."
        delivery.save(update_fields=["status", "last_error", "updated_at"])
        CaseEvent.objects.create(
            case=reply.case,
            kind=CaseEvent.Kind.DELIVERY_FAILED,
            data={"reply_id": reply.pk, "backend": backend, "error": delivery.last_error},
        )
    elif created:
        queue_delivery(delivery.pk)
    return delivery


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
        CaseEvent.objects.create(
            case_id=delivery.reply.case_id,
            kind=CaseEvent.Kind.REPLY_DELIVERED,
            data={
                "reply_id": delivery.reply_id,
                "backend": delivery.backend,
                "attempts": delivery.attempts,
            },
        )
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
        CaseEvent.objects.create(
            case_id=delivery.reply.case_id,
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


def deliveries_requeue(*, grace_seconds: int = 600) -> int:
    """Queue again the deliveries whose task was lost: pending long past their due time, or
    held by a worker past the claim lease. A duplicate task is harmless (the claim decides).
    Returns how many were queued."""
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
        queue_delivery(delivery_id)
    return len(ids)
