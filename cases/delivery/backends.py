"""Delivery backends: how a reply reaches the usager (``DELIVERY_BACKENDS``, dotted paths, so a
deployment can plug its own).

- ``email``: Django's mail backends, to the usager's address, with its own ``Message-ID``
  (random, stored on the delivery row before sending and kept on a resend), ``In-Reply-To`` and
  ``References`` to the case's thread (the usager's messages, the acknowledgement, earlier
  replies), ``From`` the sending address named after the administration, ``Reply-To`` the
  mailbox that reads the answer (cases/delivery/answers.py), and the case reference in the
  subject: the usager's answer comes back to the case by its headers, or by the reference;
  when no mailbox reads one, no ``Reply-To`` and the mail ends saying how to reach the service.
  Every mail to the usager (reply, acknowledgement, transfer notice, survey invitation) is the
  plain text with an HTML version beside it (``mail_html.py``);
- ``http_callback``: a JSON POST to the ``ChannelEndpoint`` of the case's administration and
  channel, signed ``X-Guichet-Signature: sha256=<HMAC-SHA256 of the body>`` with the
  endpoint's secret, with ``X-Guichet-Timestamp`` (also inside the signed body) and
  ``Idempotency-Key: <delivery id>`` so the receiver can drop a duplicate.

A reply's attachments travel with it: real MIME parts in the mail, and in the callback's
signed JSON ``reply.attachments``, a list of ``{"name", "content_type", "size", "sha256",
"content_base64"}`` (the README's operators' section documents the shape).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from email.utils import formataddr, parseaddr
from pathlib import PurePosixPath

import httpx
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.module_loading import import_string

from ..models import Acknowledgement, Case, ChannelEndpoint, Delivery, InboundEmail, Reply
from ..text import one_line
from .answers import answer_address, no_answer_notice
from .mail_html import case_mail_html


class DeliveryError(Exception):
    """The backend could not deliver; the message is shown on the case."""


def reply_files(reply: Reply) -> list[tuple[str, bytes, str, str]]:
    """(name, content, content type, sha256) of each of the reply's attachments; the name
    ends with the extension of the detected type. ``DeliveryError`` if a file is missing
    (nothing half-sent: the delivery fails and can be retried once the file is back)."""
    files = []
    for row in reply.attachments.order_by("pk"):
        extension = PurePosixPath(row.file.name or "").suffix
        name = PurePosixPath(row.original_name.replace("\\", "/")).name or "piece-jointe"
        if not name.lower().endswith(extension):
            name += extension
        try:
            with row.file.open("rb") as handle:
                content = handle.read()
        except OSError as exc:
            raise DeliveryError(f"Attachment {row.pk} unreadable: {exc}") from exc
        files.append((name, content, row.content_type, row.sha256))
    return files


# --- backends --------------------------------------------------------------------------------


def new_message_id(kind: str, pk: int) -> str:
    """A Message-ID nobody can guess (threading trusts it), naming what it is for."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "guichet.local"
    return f"<{uuid.uuid4().hex}.{kind}-{pk}@{domain}>"


def thread_headers(case: Case, *, exclude: str = "") -> dict[str, str]:
    """``In-Reply-To`` (the usager's last message) and ``References`` (the case's thread, oldest
    first, bounded) for a mail about ``case``."""
    # The usager's own messages only: an out-of-office or a failure notice is not a message
    # the usager has, and a reply "answering" it would sit apart in their mail client.
    inbound = (
        InboundEmail.objects.filter(case=case)
        .exclude(message_id="")
        .exclude(outcome__in=(InboundEmail.Outcome.AUTO_REPLY, InboundEmail.Outcome.BOUNCE))
    )
    ids: list[tuple[object, str]] = []
    ids += [(created, mid) for created, mid in inbound.values_list("created_at", "message_id")]
    ids += [
        (created, mid)
        for created, mid in Acknowledgement.objects.filter(case=case)
        .exclude(message_id="")
        .values_list("created_at", "message_id")
    ]
    ids += [
        (created, mid)
        for created, mid in Delivery.objects.filter(reply__case=case)
        .exclude(message_id="")
        .values_list("created_at", "message_id")
    ]
    ordered = [
        mid for _created, mid in sorted(ids, key=lambda pair: str(pair[0])) if mid != exclude
    ]
    headers: dict[str, str] = {}
    last_inbound = (
        inbound.order_by("-created_at", "-pk").values_list("message_id", flat=True).first()
    )
    if last_inbound or ordered:
        headers["In-Reply-To"] = last_inbound or ordered[-1]
    if ordered:
        # The first (the thread's root) and the most recent ones: RFC 5322 allows trimming.
        kept = ordered if len(ordered) <= 20 else ordered[:1] + ordered[-19:]
        headers["References"] = " ".join(kept)
    return headers


def reply_to_for(case: Case) -> list[str]:
    """``Reply-To``: the mailbox that reads the usager's answer (cases/delivery/answers.py),
    none when no mailbox does (the mail then says so, ``no_answer_notice``)."""
    address = answer_address(case)
    return [address] if address else []


def sender_for(case: Case) -> str:
    """``From``: the sending address, named after the case's administration (the usager must
    see who writes to them, not a bare technical address)."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((one_line(case.administration.name), address or settings.DEFAULT_FROM_EMAIL))


def send_case_email(
    *,
    case: Case,
    subject: str,
    body: str,
    message_id: str,
    extra: dict[str, str] | None = None,
    files: list[tuple[str, bytes, str, str]] | None = None,
    notice: str = "",
) -> None:
    """One mail to the case's usager, in the case's thread; ``DeliveryError`` on failure.

    ``body`` is the plain text; an HTML version of it goes beside it (``multipart/alternative``,
    inside ``multipart/mixed`` when files are attached). ``notice`` ends the mail, after the
    signature (``answers.no_answer_notice``)."""
    if not case.usager_email:
        raise DeliveryError("The case has no e-mail address.")
    # A case stored before subjects were made one line may hold a line break: Django
    # would refuse the header, and the case could never be answered.
    subject = one_line(subject)
    message = EmailMultiAlternatives(
        subject=subject,
        body=f"{body}\n\n—\n{notice}" if notice else body,
        from_email=sender_for(case),
        to=[case.usager_email],
        reply_to=reply_to_for(case),
        headers={
            "Message-ID": message_id,
            **thread_headers(case, exclude=message_id),
            "X-Guichet-Reference": case.reference,
            **(extra or {}),
        },
    )
    message.attach_alternative(
        case_mail_html(case=case, subject=subject, body=body, notice=notice), "text/html"
    )
    for name, content, content_type, _sha256 in files or []:
        message.attach(name, content, content_type)
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # SMTP and provider backends raise anything
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


class EmailBackend:
    """Through Django's configured mail backend (SMTP, console, a provider's backend)."""

    def send(self, delivery: Delivery, reply: Reply, case: Case) -> None:
        if not case.usager_email:
            raise DeliveryError("The case has no e-mail address.")
        if not delivery.message_id:
            # Stored before sending: the same id on a resend (mail systems and the usager's
            # client drop duplicates), and the usager's answer threads on it.
            delivery.message_id = new_message_id("delivery", delivery.pk)
            Delivery.objects.filter(pk=delivery.pk, message_id="").update(
                message_id=delivery.message_id
            )
            delivery.refresh_from_db(fields=["message_id"])
        send_case_email(
            case=case,
            subject=f"[{case.reference}] {case.subject}",
            body=reply.body,
            message_id=delivery.message_id,
            files=reply_files(reply),
            notice=no_answer_notice(case),
        )


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_to_channel(case: Case, payload: dict, idempotency_key: str) -> None:
    """A signed JSON POST of ``payload`` (plus the timestamp and the case) to the endpoint of
    the case's channel; ``DeliveryError`` on failure."""
    endpoint = ChannelEndpoint.objects.filter(
        administration_id=case.administration_id, channel=case.channel, is_active=True
    ).first()
    if endpoint is None:
        raise DeliveryError("No active channel endpoint for this channel.")
    timestamp = str(int(time.time()))
    intake = case.intake_deliveries.order_by("pk").first()
    body = json.dumps(
        {
            **payload,
            "timestamp": timestamp,
            "case": {
                "reference": case.reference,
                "channel": case.channel,
                "external_id": intake.external_id if intake else "",
                "idempotency_key": intake.key if intake else "",
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
        "Idempotency-Key": idempotency_key,
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


class HttpCallbackBackend:
    """A signed JSON POST to the channel's configured URL."""

    def send(self, delivery: Delivery, reply: Reply, case: Case) -> None:
        post_to_channel(
            case,
            {
                "delivery_id": delivery.pk,
                "reply": {
                    "id": reply.pk,
                    "body": reply.body,
                    "sent_at": reply.created_at.isoformat(),
                    "author": case.administration.name,
                    "attachments": [
                        {
                            "name": name,
                            "content_type": content_type,
                            "size": len(content),
                            "sha256": sha256,
                            "content_base64": base64.b64encode(content).decode("ascii"),
                        }
                        for name, content, content_type, sha256 in reply_files(reply)
                    ],
                },
            },
            str(delivery.pk),
        )


def get_backend(name: str):
    return import_string(settings.DELIVERY_BACKENDS[name])()
