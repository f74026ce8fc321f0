"""E-mail intake: a message read once (by its Message-ID, or a hash of its bytes).

- The usager's address is the one their mail client would answer: ``Reply-To`` when it names
  one address (contact forms write from a no-reply address), else ``From``.
- A person's message joins a case of the receiving administration by ``In-Reply-To`` /
  ``References`` (the ids of the mails Guichet sent, or of the usager's earlier messages), then
  by the reference in the subject; never a case of another administration. A closed case is
  reopened within ``MAIL_REOPEN_WITHIN_DAYS`` of its closing, later a linked follow-up opens.
  Otherwise it opens a case (and its acknowledgement of receipt, when the administration asks).
- An automatic reply or a bounce (cases/intake/parsing.py) is recorded on the case it concerns,
  never resuming it nor creating one; a bounce marks the delivery it names failed.
- The case and the drafter get the new text only (quoted history and signature set aside); the
  full text is kept on the ``InboundEmail`` row, shown folded on the case page. A message
  attached whole (forwarded as an attachment) is content, not history: its text follows the new
  text and its files join the others.

Also the reading of a Maildir folder or .eml files for the ``intake_mail`` command.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import Administration

from .. import services
from ..files import InfectedFiles, ScannerUnavailable
from ..models import (
    Acknowledgement,
    Attachment,
    Case,
    CaseEvent,
    Channel,
    Delivery,
    InboundEmail,
    Status,
)
from ..services.common import MAX_TEXT_LENGTH, bump
from ..services.journal import case_event_record
from ..text import one_line
from . import parsing
from .acknowledgement import acknowledgement_schedule
from .attachments import AttachmentData, CheckedAttachment, attachments_check, attachments_store


class MalformedEmail(ValueError):
    """The message cannot be read as an e-mail from a usager."""


@dataclass(frozen=True)
class EmailOutcome:
    # "created", "appended", "reopened", "follow_up", "auto_reply", "bounce" or "duplicate"
    outcome: str
    case: Case | None


def _clean(value: str) -> str:
    # PostgreSQL refuses NUL in text: a NUL byte is cleaned from everything we keep.
    return value.replace("\x00", "")


def _message_key(message_id: str, raw: bytes) -> str:
    if message_id:
        return hashlib.sha256(b"mid:" + message_id.encode()).hexdigest()
    return hashlib.sha256(b"raw:" + raw).hexdigest()


def _mime_depth(message: Message, limit: int) -> int:
    """The nesting depth of the message's parts (stops counting past ``limit``)."""
    deepest, stack = 0, [(message, 1)]
    while stack:
        part, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in payload if isinstance(child, Message))
    return deepest


def _file_parts(message: Message) -> Iterator[Message]:
    """The message's files: its attachments, and the images of its HTML body (a screenshot
    pasted in the text lives in a ``multipart/related`` part, which ``iter_attachments`` of
    the whole message does not open). Not inside an attached message (read on its own)."""
    if isinstance(message, EmailMessage):
        yield from message.iter_attachments()
    stack = [message]
    while stack:
        part = stack.pop()
        if not part.is_multipart() or part.get_content_type() == "message/rfc822":
            continue
        if part.get_content_type() == "multipart/related" and isinstance(part, EmailMessage):
            yield from part.iter_attachments()
        if part is message or (isinstance(part, EmailMessage) and not part.is_attachment()):
            stack.extend(p for p in part.get_payload() if isinstance(p, Message))


def _attachments_of(message: EmailMessage) -> list[AttachmentData]:
    found, seen = [], set()
    for part in _file_parts(message):
        if id(part) in seen or part.is_multipart():
            continue
        seen.add(id(part))
        content = part.get_payload(decode=True)
        if isinstance(content, bytes):
            name = parsing.cp1252_repaired(part.get_filename() or "")
            found.append(AttachmentData(name=_clean(name), content=content))
    return found


def _attached_messages(message: EmailMessage) -> tuple[str, list[AttachmentData]]:
    """The text and the files of the messages attached whole (Outlook's "forward as
    attachment", a saved .eml): content the usager sends, read like the rest, never dropped."""
    blocks: list[str] = []
    files: list[AttachmentData] = []
    separator = pgettext("label separator", ": ")
    for part in message.iter_attachments():
        if part.get_content_type() != "message/rfc822":
            continue
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if not isinstance(inner, EmailMessage):
            continue
        lines = []
        for label, header in (
            (pgettext("mail header", "Attached message"), "Subject"),
            (pgettext("mail header", "From"), "From"),
            (pgettext("mail header", "Date"), "Date"),
        ):
            value = one_line(parsing.cp1252_repaired(str(inner.get(header, "") or "")))
            if value or header == "Subject":
                lines.append(label + separator + (value or _("(no subject)")))
        text = parsing.body_text(inner)[1]
        blocks.append("—\n" + "\n".join(lines) + ("\n\n" + text if text else ""))
        files += _attachments_of(inner)
        more_text, more_files = _attached_messages(inner)
        if more_text:
            blocks.append(more_text)
        files += more_files
    return "\n\n".join(blocks), files


def _answer_address(message: EmailMessage, name: str, address: str) -> tuple[str, str]:
    """(name, address) to answer: the one ``Reply-To`` address when there is one, as any mail
    client answers (a website's contact form writes from its no-reply address, Reply-To the
    usager's); else ``From``'s. A name that belongs to another address is not kept."""
    found = getaddresses([_clean(parsing.cp1252_repaired(str(message.get("Reply-To", "") or "")))])
    candidates = [(n, a) for n, a in found if a]
    if len(candidates) != 1:
        return name, address
    reply_name, reply_address = candidates[0]
    try:
        validate_email(reply_address)
    except ValidationError:
        return name, address
    if reply_address.lower() == address.lower():
        return reply_name or name, address
    return reply_name, reply_address


def parse_email(raw: bytes) -> tuple[EmailMessage, dict]:
    """The message and what intake needs from it; ``MalformedEmail`` if it is not one."""
    if len(raw) > settings.MAIL_MAX_MESSAGE_BYTES:
        raise MalformedEmail(
            _("message too large (%(size)s bytes)") % {"size": len(raw)},
        )
    limit = settings.MAIL_MAX_MIME_DEPTH
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        depth = _mime_depth(message, limit)
        if depth > limit:
            raise MalformedEmail(
                _("MIME parts nested deeper than %(limit)s levels") % {"limit": limit}
            )
        kind = parsing.message_kind(message)
        name, address = parseaddr(
            _clean(parsing.cp1252_repaired(str(message.get("From", "") or "")))
        )
        if kind == parsing.PERSON:
            name, address = _answer_address(message, name, address)
        subject = one_line(parsing.cp1252_repaired(str(message.get("Subject", "") or "")))[:300]
        message_id = _clean(str(message.get("Message-ID", "") or "")).strip()[:998]
        text, full_text = parsing.body_text(message)
        attachments = _attachments_of(message) if kind == parsing.PERSON else []
        if kind == parsing.PERSON:
            attached_text, attached_files = _attached_messages(message)
            attachments += attached_files
            if attached_text:
                text = (text + "\n\n" + attached_text).strip()
                full_text = (full_text + "\n\n" + attached_text).strip()
        references = [_clean(r) for r in parsing.referenced_ids(message)]
    except MalformedEmail:
        raise
    except RecursionError as exc:
        raise MalformedEmail(
            _("MIME parts nested deeper than %(limit)s levels") % {"limit": limit}
        ) from exc
    except (LookupError, ValueError, TypeError, UnicodeError, IndexError, AttributeError) as exc:
        raise MalformedEmail(_("unreadable message (%(error)s)") % {"error": exc}) from exc
    if kind == parsing.PERSON:
        if not address or "@" not in address:
            raise MalformedEmail(_("no sender address (From)"))
        # A usager may send their document with nothing else: it must reach an agent.
        if not text and not subject and not attachments:
            raise MalformedEmail(_("neither a subject nor a text"))
    if len(text) > MAX_TEXT_LENGTH - 1_000:
        # Past what a case holds, the text is cut (room left for the notes intake adds) rather
        # than the message quarantined: the whole of it is kept, folded on the case page.
        text = (
            text[: MAX_TEXT_LENGTH - 1_000].rstrip()
            + "\n\n[…] "
            + _("(Text cut here: the whole message is under “Full message as received”.)")
        )
    return message, {
        "kind": kind,
        "name": _clean(name),
        "address": _clean(address).lower(),
        "subject": subject,
        "text": _clean(text)
        or subject
        or (_("(No text: the message brings only attachments.)") if attachments else ""),
        "full_text": _clean(full_text),
        "message_id": message_id,
        "references": references,
        "attachments": attachments,
    }


def _reference_in(subject: str, administration: Administration) -> str | None:
    match = re.search(rf"\b{re.escape(administration.code)}-\d{{4}}-\d{{6}}\b", subject)
    return match.group(0) if match else None


def case_for_thread(
    administration: Administration, references: list[str], sender: str
) -> Case | None:
    """The case of this administration that one of ``references`` belongs to (the most recent
    reference first): a mail Guichet sent (reply or acknowledgement, ids that cannot be
    guessed), or an earlier message of the same usager."""
    if not references:
        return None
    sent: dict[str, int] = {}
    for message_id, case_id in Delivery.objects.filter(
        message_id__in=references, reply__case__administration=administration
    ).values_list("message_id", "reply__case_id"):
        sent[message_id] = case_id
    for message_id, case_id in Acknowledgement.objects.filter(
        message_id__in=references, case__administration=administration
    ).values_list("message_id", "case_id"):
        sent[message_id] = case_id
    received: dict[str, int] = {}
    for message_id, case_id in InboundEmail.objects.filter(
        administration=administration, message_id__in=references, case__isnull=False
    ).values_list("message_id", "case_id"):
        if case_id is not None:
            received[message_id] = case_id
    for reference in references:
        if reference in sent:
            return Case.objects.get(pk=sent[reference])
        if reference in received:
            case = Case.objects.get(pk=received[reference])
            # Message-IDs of the usager's own messages may be known to others (copies):
            # only the usager threads on them.
            if not case.usager_email or case.usager_email == sender:
                return case
    return None


def email_receive(*, administration: Administration, raw: bytes, source: str = "") -> EmailOutcome:
    """Read one e-mail (see the module's docstring). A message already read (same Message-ID,
    or the same bytes without one) changes nothing."""
    message, parsed = parse_email(raw)
    key = _message_key(parsed["message_id"], raw)
    if InboundEmail.objects.filter(administration=administration, message_key=key).exists():
        return EmailOutcome("duplicate", None)
    # Refused attachments are left out (and said in the journal), not the whole message: the
    # usager's text must reach an agent. Not so an infected file or an antivirus out of reach
    # (cases/files.py): they raise, and the reader quarantines the message or leaves it unread.
    checked, refused = [], []
    for attachment in parsed["attachments"]:
        try:
            checked.extend(attachments_check([attachment]))
        except (InfectedFiles, ScannerUnavailable):
            raise
        except ValidationError:
            refused.append(attachment.name or "?")
    limit = settings.INTAKE_ATTACHMENT_MAX_FILES
    refused += [a.name or "?" for a in checked[limit:]]
    checked = checked[:limit]
    try:
        if parsed["kind"] == parsing.BOUNCE:
            return _bounce_apply(administration, key, message, parsed)
        if parsed["kind"] == parsing.AUTO_REPLY:
            return _auto_reply_apply(administration, key, parsed)
        return _email_apply(administration, key, parsed, checked, refused)
    except IntegrityError:
        # Another run read the same message at the same time and committed first.
        if InboundEmail.objects.filter(administration=administration, message_key=key).exists():
            return EmailOutcome("duplicate", None)
        raise


def _inbound_record(
    administration: Administration, key: str, parsed: dict, case: Case | None, outcome: str
) -> InboundEmail:
    # The unique row last but in the same transaction: a concurrent run fails here and its
    # writes are rolled back with it.
    return InboundEmail.objects.create(
        administration=administration,
        message_key=key,
        message_id=parsed["message_id"],
        case=case,
        outcome=outcome,
        sender=parsed["address"][:254],
        subject=parsed["subject"],
        full_text=parsed["full_text"] if parsed["full_text"] != parsed["text"] else "",
    )


def _case_of(administration: Administration, parsed: dict) -> Case | None:
    case = case_for_thread(administration, parsed["references"], parsed["address"])
    if case is not None:
        return case
    reference = _reference_in(parsed["subject"], administration)
    return (
        Case.objects.filter(administration=administration, reference=reference).first()
        if reference
        else None
    )


@transaction.atomic
def _auto_reply_apply(administration: Administration, key: str, parsed: dict) -> EmailOutcome:
    case = _case_of(administration, parsed)
    if case is not None:
        case_event_record(
            case=case,
            actor=None,
            kind=CaseEvent.Kind.AUTO_REPLY,
            data={
                "sender": parsed["address"],
                "subject": parsed["subject"],
                "body": parsed["text"][:2000],
                "message_id": parsed["message_id"],
            },
        )
    _inbound_record(administration, key, parsed, case, InboundEmail.Outcome.AUTO_REPLY)
    return EmailOutcome(InboundEmail.Outcome.AUTO_REPLY, case)


@transaction.atomic
def _bounce_apply(
    administration: Administration, key: str, message: Message, parsed: dict
) -> EmailOutcome:
    report = parsing.bounce_report(message)
    references = ([report.original_message_id] if report.original_message_id else []) + parsed[
        "references"
    ]
    reason = report.reason or parsed["subject"] or _("delivery failure notice")
    case = None
    delivery = (
        Delivery.objects.select_for_update()
        .filter(message_id__in=references, reply__case__administration=administration)
        .select_related("reply")
        .first()
        if references
        else None
    )
    if delivery is not None:
        case = delivery.reply.case
        if delivery.status != Delivery.Status.FAILED:
            delivery.status = Delivery.Status.FAILED
            delivery.delivered_at = None
            delivery.next_attempt_at = None
            delivery.last_error = (_("Bounced: %(reason)s") % {"reason": reason})[:2000]
            delivery.save(
                update_fields=[
                    "status",
                    "delivered_at",
                    "next_attempt_at",
                    "last_error",
                    "updated_at",
                ]
            )
            case_event_record(
                case=case,
                actor=None,
                kind=CaseEvent.Kind.DELIVERY_FAILED,
                data={
                    "reply_id": delivery.reply_id,
                    "backend": delivery.backend,
                    "error": delivery.last_error[:500],
                    "bounce": True,
                },
            )
    else:
        acknowledgement = (
            Acknowledgement.objects.filter(
                message_id__in=references, case__administration=administration
            )
            .select_related("case")
            .first()
            if references
            else None
        )
        if acknowledgement is not None:
            case = acknowledgement.case
            Acknowledgement.objects.filter(pk=acknowledgement.pk).update(
                status=Acknowledgement.Status.FAILED,
                last_error=(_("Bounced: %(reason)s") % {"reason": reason})[:2000],
            )
        else:
            case = _case_of(administration, parsed)
    if case is not None:
        case_event_record(
            case=case,
            actor=None,
            kind=CaseEvent.Kind.BOUNCE,
            data={
                "sender": parsed["address"],
                "recipient": report.recipient,
                "reason": reason[:500],
                "original_message_id": report.original_message_id,
                "delivery_id": delivery.pk if delivery is not None else None,
            },
        )
    _inbound_record(administration, key, parsed, case, InboundEmail.Outcome.BOUNCE)
    return EmailOutcome(InboundEmail.Outcome.BOUNCE, case)


def _reopen(case: Case) -> None:
    """A closed case the usager writes on again, soon after its closing: back to its agent
    (or to the queue when it had none), journaled as nobody's action."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    from_status = case.status
    case.status = Status.IN_PROGRESS if case.assignee_id else Status.NEW
    case.closed_at = None
    bump(case, ["status", "closed_at"])
    case_event_record(
        case=case,
        actor=None,
        kind=CaseEvent.Kind.REOPENED,
        from_status=from_status,
        to_status=case.status,
        data={"action": "reopen", "reason": "usager_email"},
    )


def _reopens(case: Case) -> bool:
    if case.status != Status.CLOSED or case.closed_at is None:
        return False
    window = dt.timedelta(days=settings.MAIL_REOPEN_WITHIN_DAYS)
    return timezone.now() - case.closed_at <= window


def _new_files(case: Case | None, attachments: list[CheckedAttachment]) -> list[CheckedAttachment]:
    """``attachments`` without the files the case already has, nor twice the same: the logo
    of a signature comes with every answer, and is kept once."""
    known = (
        set(Attachment.objects.filter(case=case).values_list("sha256", flat=True))
        if case is not None
        else set()
    )
    kept = []
    for attachment in attachments:
        if attachment.sha256 not in known:
            known.add(attachment.sha256)
            kept.append(attachment)
    return kept


@transaction.atomic
def _email_apply(
    administration: Administration,
    key: str,
    parsed: dict,
    attachments: list[CheckedAttachment],
    refused: list[str],
) -> EmailOutcome:
    case = _case_of(administration, parsed)
    attachments = _new_files(None, attachments)
    body = parsed["text"]
    threaded = case is not None and case_for_thread(
        administration, parsed["references"], parsed["address"]
    )
    if (
        case is not None
        and not threaded
        and case.usager_email
        and case.usager_email != parsed["address"]
    ):
        # References are sequential, hence guessable: only the case's usager writes into it by
        # its reference. Anyone else's message is a new case that names the reference.
        body = _("Message about case %(reference)s, from another address.") % {
            "reference": case.reference
        } + ("\n\n" + body)
        case = None
    outcome = InboundEmail.Outcome.CREATED
    if case is not None and _reopens(case):
        _reopen(case)
        case.refresh_from_db()
        outcome = InboundEmail.Outcome.REOPENED
    if case is not None and case.status not in (Status.CLOSED, Status.TRANSFERRED):
        attachments = _new_files(case, attachments)
        services.case_add_usager_message(
            case=case,
            body=body,
            source="email",
            sender=parsed["address"],
            message_id=parsed["message_id"],
            # Named on the timeline with the message they came with (the files themselves are
            # listed with the case's attachments).
            attachments=[a.name or "?" for a in attachments],
            refused_attachments=refused,
            # The whole message, folded on the case page; the drafter reads ``body`` only.
            **({"full_body": parsed["full_text"]} if parsed["full_text"] != body else {}),
        )
        if outcome != InboundEmail.Outcome.REOPENED:
            outcome = InboundEmail.Outcome.APPENDED
    else:
        previous = case
        if previous is not None:
            # Closed long ago (or transferred): the usager's new message opens a follow-up.
            body = _("Follow-up to case %(reference)s.") % {"reference": previous.reference} + (
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
        if previous is not None:
            outcome = InboundEmail.Outcome.FOLLOW_UP
            case_event_record(
                case=previous,
                actor=None,
                kind=CaseEvent.Kind.FOLLOW_UP_OPENED,
                data={"follow_up_id": case.pk, "follow_up_reference": case.reference},
            )
    _inbound_record(administration, key, parsed, case, outcome)
    attachments_store(case, attachments)
    if outcome in (InboundEmail.Outcome.CREATED, InboundEmail.Outcome.FOLLOW_UP):
        acknowledgement_schedule(case=case)
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
