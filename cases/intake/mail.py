"""E-mail intake: a message read once (by its Message-ID, or a hash of its bytes) becomes a new
case, or the usager's answer on the case whose reference is in the subject. Also the reading
of a Maildir folder or .eml files for the ``intake_mail`` command."""

from __future__ import annotations

import hashlib
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from accounts.models import Administration

from .. import services
from ..models import Case, Channel, InboundEmail, Status
from .attachments import AttachmentData, CheckedAttachment, attachments_check, attachments_store


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
    attachments_store(case, attachments)
    return EmailOutcome(str(outcome), case)


class NotAMaildir(ValueError):
    """A folder given to ``intake_mail`` that is not a Maildir."""


def mail_sources(paths: list[str]) -> Iterator[tuple[str, bytes]]:
    """(label, raw bytes) of each message: every one of a Maildir folder, or an .eml file."""
    for path in paths:
        target = Path(path)
        if target.is_dir():
            if not (target / "cur").is_dir() or not (target / "new").is_dir():
                raise NotAMaildir(f"{path}: not a Maildir folder (no cur/ and new/).")
            box = mailbox.Maildir(target, factory=None, create=False)
            for key in sorted(box.keys()):
                yield f"{path}/{key}", box.get_bytes(key)
        else:
            yield path, target.read_bytes()
