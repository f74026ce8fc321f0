"""Channel intake: what the channels send, turned into cases.

Each channel's natural payload (a Services Publics+ experience, a service-public.fr question,
a France Services accompaniment record, an e-mail) is mapped to ``case_create``. A delivery is
recorded by its idempotency key (API) or its Message-ID (e-mail) in a database-unique row
written in the same transaction as the case, so a retried delivery never makes a second case.

Attachments are checked by their content (magic bytes), not by the name or the type the sender
gave, and stored under random names through Django's storage.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from accounts.models import Administration

from . import services
from .models import (
    Attachment,
    Case,
    Channel,
    InboundEmail,
    IntakeDelivery,
    Priority,
    Status,
    Topic,
)

# --- attachments -----------------------------------------------------------------------------

# (leading bytes, detected type, extension). Only types an agent can open safely.
ALLOWED_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


@dataclass(frozen=True)
class AttachmentData:
    name: str
    content: bytes


@dataclass(frozen=True)
class CheckedAttachment:
    name: str
    content: bytes
    content_type: str
    extension: str
    sha256: str


def detect_type(content: bytes) -> tuple[str, str] | None:
    for signature, content_type, extension in ALLOWED_SIGNATURES:
        if content.startswith(signature):
            return content_type, extension
    return None


def attachments_check(attachments: list[AttachmentData]) -> list[CheckedAttachment]:
    """The attachments, typed by content; a ValidationError on ``attachments`` naming each
    refused file otherwise (nothing is stored until all of them pass)."""
    max_files = settings.INTAKE_ATTACHMENT_MAX_FILES
    max_bytes = settings.INTAKE_ATTACHMENT_MAX_BYTES
    if len(attachments) > max_files:
        raise services.invalid(
            "attachments",
            _("Too many attachments: %(count)d (%(max)d at most).")
            % {"count": len(attachments), "max": max_files},
            "too_many",
        )
    errors = []
    checked = []
    for index, attachment in enumerate(attachments, start=1):
        label = attachment.name or f"#{index}"
        if not attachment.content:
            errors.append(_("“%(name)s” is empty.") % {"name": label})
            continue
        if len(attachment.content) > max_bytes:
            errors.append(
                _("“%(name)s” is too large (%(max)d MB at most).")
                % {"name": label, "max": max_bytes // (1024 * 1024)}
            )
            continue
        detected = detect_type(attachment.content)
        if detected is None:
            errors.append(
                _("“%(name)s” is not an accepted type (PDF, PNG or JPEG).") % {"name": label}
            )
            continue
        checked.append(
            CheckedAttachment(
                name=attachment.name[:255],
                content=attachment.content,
                content_type=detected[0],
                extension=detected[1],
                sha256=hashlib.sha256(attachment.content).hexdigest(),
            )
        )
    if errors:
        raise ValidationError(
            {"attachments": [ValidationError(e, code="invalid_attachment") for e in errors]}
        )
    return checked


def _store_attachments(case: Case, attachments: list[CheckedAttachment]) -> list[Attachment]:
    stored = []
    try:
        for attachment in attachments:
            row = Attachment(
                case=case,
                original_name=attachment.name,
                content_type=attachment.content_type,
                size=len(attachment.content),
                sha256=attachment.sha256,
            )
            # The storage name comes from upload_to (random); only the extension is ours.
            row.file.save(f"attachment{attachment.extension}", ContentFile(attachment.content))
            stored.append(row)
    except BaseException:
        _delete_files(stored)
        raise
    # Callers store files last in their transaction, so that a later failure cannot leave
    # rows pointing at nothing; a failed commit at worst leaves an unreferenced file.
    return stored


def _delete_files(rows: list[Attachment]) -> None:
    for row in rows:
        if row.file.name:
            row.file.storage.delete(row.file.name)


# --- mapping channel payloads to cases -------------------------------------------------------


@dataclass
class CaseFields:
    """What a channel's payload gives for ``case_create``."""

    subject: str
    body: str
    usager_name: str = ""
    usager_email: str = ""
    usager_phone: str = ""
    priority: int = Priority.NORMAL
    tags: list[str] = field(default_factory=list)
    external_id: str = ""
    created_at: dt.datetime | None = None


def _person(data: dict | None) -> str:
    data = data or {}
    return " ".join(p for p in (data.get("first_name", ""), data.get("last_name", "")) if p)


def _context(lines: list[tuple[str, Any]]) -> str:
    """Lines of context shown under the usager's text (what the channel knew)."""
    shown = [f"{label} : {value}" for label, value in lines if value not in (None, "", [])]
    return ("\n\n—\n" + "\n".join(shown)) if shown else ""


def map_services_publics_plus(data: dict) -> CaseFields:
    author = data.get("author") or {}
    structure = data["structure"]
    experience_date = data.get("experience_date")
    return CaseFields(
        subject=data["title"],
        body=data["description"]
        + _context(
            [
                (_("Structure"), structure["name"]),
                (_("Site"), structure.get("site", "")),
                (
                    _("Date of the experience"),
                    experience_date.strftime("%d/%m/%Y") if experience_date else "",
                ),
                (_("Feeling"), data.get("feeling", "")),
                (_("Tags"), ", ".join(data.get("tags") or [])),
                (_("Experience on Services Publics+"), data.get("url", "")),
            ]
        ),
        usager_name=_person(author),
        usager_email=author.get("email", ""),
        tags=list(data.get("tags") or []),
        external_id=str(data.get("id") or ""),
        created_at=data.get("published_at"),
    )


def map_service_public_question(data: dict) -> CaseFields:
    usager = data["usager"]
    fiche = data.get("fiche") or {}
    return CaseFields(
        subject=data["subject"],
        body=data["question"]
        + _context(
            [
                (
                    _("Fiche"),
                    " — ".join(
                        p for p in (fiche.get("reference", ""), fiche.get("title", "")) if p
                    ),
                ),
                (_("Fiche URL"), fiche.get("url", "")),
                (_("Postal code"), usager.get("postal_code", "")),
            ]
        ),
        usager_name=_person(usager),
        usager_email=usager["email"],
        usager_phone=usager.get("phone", ""),
        tags=[data["theme"]] if data.get("theme") else [],
        external_id=str(data.get("id") or ""),
        created_at=data.get("submitted_at"),
    )


def map_france_services(data: dict) -> CaseFields:
    usager = data["usager"]
    site = data["site"]
    conseiller = data["conseiller"]
    demarche = data["demarche"]
    subject = demarche["label"]
    if demarche.get("organisme"):
        subject = f"{subject} ({demarche['organisme']})"
    return CaseFields(
        subject=subject[:300],
        body=data["notes"]
        + _context(
            [
                (_("France Services site"), site["name"]),
                (
                    _("Adviser"),
                    f"{_person(conseiller)} <{conseiller['email']}>"
                    if conseiller.get("email")
                    else _person(conseiller),
                ),
                (_("Procedure"), demarche["label"]),
                (_("Partner body"), demarche.get("organisme", "")),
                (_("Reference at the partner"), demarche.get("reference", "")),
            ]
        ),
        usager_name=_person(usager),
        usager_email=usager.get("email", ""),
        usager_phone=usager.get("phone", ""),
        priority=Priority.HIGH if data.get("urgent") else Priority.NORMAL,
        tags=[demarche["category"]] if demarche.get("category") else [],
        external_id=str(data.get("id") or ""),
        created_at=data.get("accompanied_at"),
    )


MAPPERS = {
    Channel.SERVICES_PUBLICS_PLUS: map_services_publics_plus,
    Channel.SERVICE_PUBLIC_QUESTION: map_service_public_question,
    Channel.FRANCE_SERVICES: map_france_services,
}


def _topic_for(administration: Administration, tags: list[str]) -> Topic | None:
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


# --- API intake ------------------------------------------------------------------------------


class IdempotencyConflict(Exception):
    """The idempotency key was already used for a different payload."""


@dataclass(frozen=True)
class IntakeResult:
    delivery: IntakeDelivery
    replayed: bool

    @property
    def case(self) -> Case:
        return self.delivery.case


def payload_hash(payload: dict, attachments: list[AttachmentData]) -> str:
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
    data: dict,
    raw_payload: dict,
    attachments: list[AttachmentData],
) -> IntakeResult:
    """Open a case for a channel's delivery, or return the case of an earlier delivery with
    the same key and payload. ``IdempotencyConflict`` if the key came with another payload."""
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
    checked = attachments_check(attachments)
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
        topic=_topic_for(administration, fields.tags),
        created_at=fields.created_at,
    )
    delivery.case = case
    delivery.save(update_fields=["case"])
    _store_attachments(case, attachments)
    return IntakeResult(delivery=delivery, replayed=False)


# --- e-mail intake ---------------------------------------------------------------------------


class MalformedEmail(ValueError):
    """The message cannot be read as an e-mail from a usager."""


@dataclass(frozen=True)
class EmailOutcome:
    outcome: str  # "created", "appended" or "duplicate"
    case: Case | None


def _message_key(message: EmailMessage, raw: bytes) -> tuple[str, str]:
    message_id = str(message.get("Message-ID", "") or "").strip()
    if message_id:
        return hashlib.sha256(b"mid:" + message_id.encode()).hexdigest(), message_id
    return hashlib.sha256(b"raw:" + raw).hexdigest(), ""


def _text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except LookupError:
        # An unknown charset: the text still reaches an agent, with replacement characters.
        text = (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        text = strip_tags(text)
    return text.strip()


def _attachments_of(message: EmailMessage) -> list[AttachmentData]:
    found = []
    for part in message.iter_attachments():
        content = part.get_payload(decode=True)
        if isinstance(content, bytes):
            found.append(AttachmentData(name=part.get_filename() or "", content=content))
    return found


def parse_email(raw: bytes) -> tuple[EmailMessage, dict]:
    """The message and what a case needs from it; ``MalformedEmail`` if it is not one."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        name, address = parseaddr(str(message.get("From", "") or ""))
        subject = " ".join(str(message.get("Subject", "") or "").split())[:300]
        text = _text_of(message)
        attachments = _attachments_of(message)
    except (LookupError, ValueError, TypeError, UnicodeError) as exc:
        raise MalformedEmail(_("unreadable message (%(error)s)") % {"error": exc}) from exc
    if not address or "@" not in address:
        raise MalformedEmail(_("no sender address (From)"))
    if not text and not subject:
        raise MalformedEmail(_("neither a subject nor a text"))
    return message, {
        "name": name,
        "address": address,
        "subject": subject,
        "text": text or subject,
        "attachments": attachments,
    }


def _reference_in(subject: str, administration: Administration) -> str | None:
    match = re.search(rf"\b{re.escape(administration.code)}-\d{{4}}-\d{{6}}\b", subject)
    return match.group(0) if match else None


def email_receive(*, administration: Administration, raw: bytes) -> EmailOutcome:
    """Read one e-mail: a new case, or the usager's answer added to the case whose reference
    is in the subject. A message already read (same Message-ID) changes nothing."""
    message, parsed = parse_email(raw)
    key, message_id = _message_key(message, raw)
    if InboundEmail.objects.filter(administration=administration, message_key=key).exists():
        return EmailOutcome("duplicate", None)
    # Refused attachments are left out (and said in the journal), not the whole message: the
    # usager's text must reach an agent.
    checked, refused = [], []
    for attachment in parsed["attachments"]:
        try:
            checked.extend(attachments_check([attachment]))
        except ValidationError:
            refused.append(attachment.name or "?")
    limit = settings.INTAKE_ATTACHMENT_MAX_FILES
    refused += [a.name or "?" for a in checked[limit:]]
    checked = checked[:limit]
    try:
        return _email_apply(administration, key, message_id, parsed, checked, refused)
    except IntegrityError:
        # Another run read the same message at the same time and committed first.
        if InboundEmail.objects.filter(administration=administration, message_key=key).exists():
            return EmailOutcome("duplicate", None)
        raise


@transaction.atomic
def _email_apply(
    administration: Administration,
    key: str,
    message_id: str,
    parsed: dict,
    attachments: list[CheckedAttachment],
    refused: list[str],
) -> EmailOutcome:
    reference = _reference_in(parsed["subject"], administration)
    case = (
        Case.objects.filter(administration=administration, reference=reference).first()
        if reference
        else None
    )
    body = parsed["text"]
    if case is not None and case.usager_email and case.usager_email != parsed["address"].lower():
        # References are sequential, hence guessable: only the case's usager writes into it.
        # Anyone else's message is a new case that names the reference.
        body = _("Message about case %(reference)s, from another address.") % {
            "reference": case.reference
        } + ("\n\n" + body)
        case = None
    if case is not None and case.status not in (Status.CLOSED, Status.TRANSFERRED):
        services.case_add_usager_message(
            case=case,
            body=body,
            source="email",
            sender=parsed["address"],
            message_id=message_id,
            refused_attachments=refused,
        )
        outcome = InboundEmail.Outcome.APPENDED
    else:
        if case is not None:
            # A closed case stays closed: the usager's new message opens a follow-up.
            body = _("Follow-up to case %(reference)s.") % {"reference": case.reference} + (
                "\n\n" + body
            )
        if refused:
            body += "\n\n—\n" + _("Attachments refused (type or size): %(names)s") % {
                "names": ", ".join(refused)
            }
        case = services.case_create(
            actor=None,
            administration=administration,
            channel=Channel.EMAIL,
            subject=parsed["subject"] or _("(no subject)"),
            body=body,
            usager_name=parsed["name"][:200],
            usager_email=parsed["address"],
        )
        outcome = InboundEmail.Outcome.CREATED
    # The unique row last but in the same transaction: a concurrent run fails here and its
    # case is rolled back with it.
    InboundEmail.objects.create(
        administration=administration,
        message_key=key,
        message_id=message_id[:998],
        case=case,
        outcome=outcome,
    )
    _store_attachments(case, attachments)
    return EmailOutcome(str(outcome), case)
