"""Channel intake through the API: a channel's delivery turned into a case, once.

A delivery is recorded by its idempotency key in a database-unique row written in the same
transaction as the case (the row first), so a retried delivery never makes a second case.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Administration

from .. import services
from ..files import InfectedFiles, infected_files_journal
from ..models import Case, Channel, IntakeDelivery, Topic
from .acknowledgement import acknowledgement_schedule
from .attachments import AttachmentData, CheckedAttachment, attachments_check, attachments_store
from .mappers import MAPPERS, CaseFields


def topic_for_tags(administration: Administration, tags: list[str]) -> Topic | None:
    """The first tag that names an active topic (the administration's own, or national)."""
    if not tags:
        return None
    slugs = [t.strip().lower() for t in tags if t.strip()]
    topics = {
        t.slug: t
        for t in Topic.objects.filter(
            Q(administration=administration) | Q(administration__isnull=True),
            slug__in=slugs,
            is_active=True,
        )
    }
    return next((topics[s] for s in slugs if s in topics), None)


class IdempotencyConflict(Exception):
    """The idempotency key was already used for a different payload."""


@dataclass(frozen=True)
class IntakeResult:
    delivery: IntakeDelivery
    replayed: bool

    @property
    def case(self) -> Case:
        case = self.delivery.case
        if case is None:  # never: the delivery row and its case are written in one transaction
            raise IntakeDelivery.DoesNotExist
        return case


def payload_hash(payload: dict[str, Any], attachments: list[AttachmentData]) -> str:
    """A hash of what was sent, whatever the transport (JSON with base64, or multipart)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(canonical.encode())
    for attachment in attachments:
        digest.update(hashlib.sha256(attachment.content).digest())
    return digest.hexdigest()


def _replay(
    administration: Administration, channel: str, key: str, hashed: str
) -> IntakeResult | None:
    existing = (
        IntakeDelivery.objects.select_related("case")
        .filter(administration=administration, channel=channel, key=key)
        .first()
    )
    if existing is None:
        return None
    if existing.payload_hash != hashed:
        raise IdempotencyConflict(key)
    return IntakeResult(delivery=existing, replayed=True)


def intake_receive(
    *,
    administration: Administration,
    channel: str,
    key: str,
    data: dict[str, Any],
    raw_payload: dict[str, Any],
    attachments: list[AttachmentData],
) -> IntakeResult:
    """Open a case for a channel's delivery, or return the case of an earlier delivery with
    the same key and payload. ``IdempotencyConflict`` if the key came with another payload.
    Attachments are checked and scanned before anything is written (cases/files.py): an
    infected file is journaled and refused (``InfectedFiles``), an antivirus out of reach
    refuses the delivery for now (``ScannerUnavailable``: the channel retries)."""
    key = key.strip()
    if not key or len(key) > 200 or not key.isprintable():
        raise services.invalid(
            "Idempotency-Key",
            _(
                "Send an Idempotency-Key header of 1 to 200 printable characters "
                "(or an id in the payload)."
            ),
            "required",
        )
    hashed = payload_hash(raw_payload, attachments)
    replay = _replay(administration, channel, key, hashed)
    if replay is not None:
        return replay
    try:
        checked = attachments_check(attachments)
    except InfectedFiles as exc:
        # Outside any transaction: the line stays although the delivery is refused.
        infected_files_journal(
            administration=administration,
            actor=None,
            found=exc.found,
            source=f"intake:{channel}:{key}",
        )
        raise
    fields = MAPPERS[Channel(channel)](data)
    try:
        return _intake_create(administration, channel, key, hashed, fields, checked)
    except IntegrityError:
        # A concurrent delivery with the same key committed first: answer as a replay.
        replay = _replay(administration, channel, key, hashed)
        if replay is None:
            raise
        return replay


@transaction.atomic
def _intake_create(
    administration: Administration,
    channel: str,
    key: str,
    hashed: str,
    fields: CaseFields,
    attachments: list[CheckedAttachment],
) -> IntakeResult:
    # The key row first: a concurrent delivery with the same key waits here on the unique
    # index, then fails, before it has created anything.
    delivery = IntakeDelivery.objects.create(
        administration=administration,
        channel=channel,
        key=key,
        payload_hash=hashed,
        external_id=fields.external_id[:200],
    )
    case = services.case_create(
        actor=None,
        administration=administration,
        channel=channel,
        subject=fields.subject,
        body=fields.body,
        usager_name=fields.usager_name,
        usager_email=fields.usager_email,
        usager_phone=fields.usager_phone,
        priority=fields.priority,
        topic=topic_for_tags(administration, fields.tags),
        created_at=fields.created_at,
    )
    delivery.case = case
    delivery.save(update_fields=["case"])
    attachments_store(case, attachments)
    acknowledgement_schedule(case=case)
    return IntakeResult(delivery=delivery, replayed=False)
