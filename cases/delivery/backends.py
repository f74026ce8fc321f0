"""Delivery backends: how a reply reaches the usager (``DELIVERY_BACKENDS``, dotted paths, so a
deployment can plug its own).

- ``email``: Django's mail backends, to the usager's address, the case reference in the
  subject (so that the usager's answer comes back to the case through ``intake_mail``);
- ``http_callback``: a JSON POST to the ``ChannelEndpoint`` of the case's administration and
  channel, signed ``X-Guichet-Signature: sha256=<HMAC-SHA256 of the body>`` with the
  endpoint's secret, with ``X-Guichet-Timestamp`` (also inside the signed body) and
  ``Idempotency-Key: <delivery id>`` so the receiver can drop a duplicate.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from ..models import Case, ChannelEndpoint, Delivery, Reply


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
