"""E-mail intake: a message read once (by its Message-ID, or a hash of its bytes).

- The usager's address is the one their mail client would answer: ``Reply-To`` when it names
  one address (contact forms write from a no-reply address), else ``From``. Only ``From``
  (``sender``) joins a message to a case (anyone may name any address in Reply-To), and no
  acknowledgement goes to a Reply-To other than the sender.
- A person's message joins a case of the receiving administration by ``In-Reply-To`` /
  ``References`` (the ids of the mails Guichet sent, or of the usager's earlier messages), then
  by the reference in the subject (cases/intake/threads.py); never a case of another
  administration, but for one rule:
  a case transferred away (cases/services/transfer.py) is not where the question lives any
  more, so its usager's message goes along the transfers to the live case (in the
  administration that now works it), from the mailbox of any administration the request went
  through (the Reply-To of an administration without a mailbox is such a mailbox:
  cases/delivery/answers.py), and the transferred case's timeline says where it went.
  A closed case is reopened within ``MAIL_REOPEN_WITHIN_DAYS`` of its closing, later a linked
  follow-up opens (in the administration of the closed case). Otherwise it opens a case (and
  its acknowledgement of receipt, when the administration asks).
- An automatic reply or a bounce (cases/intake/parsing.py) is recorded on the case it concerns,
  never resuming it nor creating one; a bounce marks the delivery it names failed. An automated
  message (a contact form, a platform's notification) is read like a person's, without an
  acknowledgement.
- The case and the drafter get the new text only (quoted history and signature set aside); the
  full text is kept on the ``InboundEmail`` row, shown folded on the case page. A message
  attached whole (forwarded as an attachment) is content, not history: its text follows the new
  text and its files join the others. So is a message forwarded inline ("voir ci-dessous" above
  a Gmail, Thunderbird, Apple Mail or Outlook forward), unless it is one of our own mails.
- A message that only thanks ("Merci, bonne journée": cases/intake/courtesy.py) on an answered
  or closed case is kept on its timeline, the case left as it is: no reopening, no follow-up,
  no acknowledgement, nobody notified.

Also the reading of a Maildir folder or .eml files for the ``intake_mail`` command.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
    Mailbox,
    Status,
)
from ..services.common import bump
from ..services.journal import case_event_record
from ..text import is_greeting_line
from . import parsing
from .acknowledgement import acknowledgement_schedule
from .attachments import CheckedAttachment, attachments_check, attachments_store
from .courtesy import is_courtesy
from .reading import parse_email
from .threads import (
    answers_transferred_mail,
    case_for_thread,
    case_of_message,
    case_transferred_to,
    case_vouched_for,
)


@dataclass(frozen=True)
class EmailOutcome:
    # "created", "appended", "reopened", "follow_up", "auto_reply", "bounce" or "duplicate"
    outcome: str
    case: Case | None


def _message_key(message_id: str, raw: bytes) -> str:
    if message_id:
        return hashlib.sha256(b"mid:" + message_id.encode()).hexdigest()
    return hashlib.sha256(b"raw:" + raw).hexdigest()


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
        # An automated message (a contact form's) is read like a person's, never answered by a
        # robot; nor is a message whose answer address is not the sender's own (Reply-To):
        # anyone may name any address there, and the acknowledgement would go to it.
        acknowledge = parsed["kind"] == parsing.PERSON and parsed["address"] == parsed["sender"]
        return _email_apply(administration, key, parsed, checked, refused, acknowledge=acknowledge)
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
        sender=parsed["sender"][:254],
        subject=parsed["subject"],
        full_text=parsed["full_text"] if parsed["full_text"] != parsed["text"] else "",
    )


@transaction.atomic
def _auto_reply_apply(administration: Administration, key: str, parsed: dict) -> EmailOutcome:
    # Put on the case without an agent's reading: only where the message proves it belongs
    # (a forged "absent, write to me at…" naming a guessed reference is kept off the case).
    case = case_vouched_for(administration, parsed)
    if case is not None:
        case_event_record(
            case=case,
            actor=None,
            kind=CaseEvent.Kind.AUTO_REPLY,
            data={
                "sender": parsed["sender"],
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
            # A notice naming no mail Guichet sent: only a thread proves its case (a subject's
            # reference can be guessed, and a bounce never comes from the usager).
            case = case_for_thread(administration, parsed["references"], parsed["sender"])
    if case is not None:
        case_event_record(
            case=case,
            actor=None,
            kind=CaseEvent.Kind.BOUNCE,
            data={
                "sender": parsed["sender"],
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
        # Files kept on the case for good: an agent's file still pending at a preview may
        # never be sent, and is purged then.
        set(Attachment.objects.filter(case=case, pending_token="").values_list("sha256", flat=True))
        if case is not None
        else set()
    )
    kept = []
    for attachment in attachments:
        if attachment.sha256 not in known:
            known.add(attachment.sha256)
            kept.append(attachment)
    return kept


# What mail clients put before a subject they answer or forward ("RE:", "TR :", "Fwd:",
# "RE[2]:", "AW:", "Réf :"), any number of times.
_SUBJECT_PREFIXES = re.compile(
    r"^\s*(?:(?:re|r[ée]f|aw|sv|tr|fwd?|fw|wg|transf)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE
)


def _case_subject(subject: str, body: str) -> str:
    """The subject a new case is listed under: the mail's without the answer and forward
    prefixes; when nothing is left ("RE:" alone), the beginning of the text."""
    subject = _SUBJECT_PREFIXES.sub("", subject).strip()
    if subject:
        return subject
    if body == _("(No text: the message brings only attachments.)"):
        return _("(no subject)")
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    first = next((line for line in lines if not is_greeting_line(line)), "")
    if len(first) > 80:
        first = first[:80].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return first or _("(no subject)")


def _usager_text(administration: Administration, parsed: dict) -> str:
    """What the case and the drafter read: the new text, with a message forwarded inline kept
    (content the usager shares), unless that message is one of ours (then it is history, like
    the quote of a reply)."""
    if not parsed["forward_text"]:
        return parsed["text"]
    return parsed["text"] if _forward_is_ours(administration, parsed) else parsed["forward_text"]


def _forward_is_ours(administration: Administration, parsed: dict) -> bool:
    """Whether the forwarded message is a mail this administration sent: from its mailbox, or
    from the platform's address (which every administration on Guichet sends from) about one
    of its cases. Another administration's answer forwarded here ("la CAF me dit de m'adresser
    à vous") is what the usager brings."""
    sender = parsed["forward_sender"]
    if not sender:
        return False
    mailboxes = Mailbox.objects.filter(administration=administration).values_list(
        "address", flat=True
    )
    if sender in {address.lower() for address in mailboxes}:
        return True
    return sender == parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower() and bool(
        re.search(
            rf"\b{re.escape(administration.code)}-\d{{4}}-\d{{6}}\b",
            # The forwarded message's own header (its subject), not what the usager wrote
            # above it ("Pour mon dossier CAF69-…, voici ce que la CPAM me répond").
            parsed.get("forward_header", ""),
            re.IGNORECASE,
        )
    )


def _only_thanks(
    case: Case,
    parsed: dict,
    body: str,
    attachments: list[CheckedAttachment],
    refused: list[str],
) -> bool:
    """Whether the message, on an answered or closed case, only thanks (cases/intake/
    courtesy.py) and brings no file the case does not have (a signature's logo it has)."""
    if case.status not in (Status.ANSWERED, Status.CLOSED):
        return False
    if case.anonymised_at is not None or refused or _new_files(case, attachments):
        return False
    return is_courtesy(body, names=(case.usager_name, parsed["name"]))


@transaction.atomic
def _email_apply(
    administration: Administration,
    key: str,
    parsed: dict,
    attachments: list[CheckedAttachment],
    refused: list[str],
    *,
    acknowledge: bool = True,
) -> EmailOutcome:
    case = case_of_message(administration, parsed)
    attachments = _new_files(None, attachments)
    body = _usager_text(administration, parsed)
    threaded = case is not None and (
        case_for_thread(administration, parsed["references"], parsed["sender"]) is not None
        or answers_transferred_mail(administration, parsed)
    )
    if case is not None and not threaded and case.usager_email != parsed["sender"]:
        # References are sequential, hence guessable: only the case's usager writes into it by
        # its reference. Anyone else's message is a new case that names the reference, and so
        # is any message naming a case that has no e-mail address to check the sender against
        # (a phone or counter case).
        body = _("Message about case %(reference)s, from another address.") % {
            "reference": case.reference
        } + ("\n\n" + body)
        case = None
    moved_from = None
    if case is not None and case.status == Status.TRANSFERRED:
        # The question now lives in another administration: the usager's answer goes there,
        # not into a follow-up here that nobody would work.
        live = case_transferred_to(case)
        if live.pk != case.pk:
            moved_from, case = case, live
    if (
        case is not None
        and parsed["message_id"]
        and InboundEmail.objects.filter(message_key=key, case=case).exists()
    ):
        # The same message reached this case through another administration's mailbox (the
        # usager wrote to both, or copied one): read once.
        return EmailOutcome("duplicate", case)
    outcome = InboundEmail.Outcome.CREATED
    if case is not None and _only_thanks(case, parsed, body, attachments, refused):
        # "Merci, bonne journée" on an answered or closed case: kept on its timeline for the
        # agent to read, the case left as it is (no reopening, no acknowledgement).
        services.case_add_usager_message(
            case=case,
            body=body,
            source="email",
            sender=parsed["sender"],
            message_id=parsed["message_id"],
            courtesy=True,
            **({"full_body": parsed["full_text"]} if parsed["full_text"] != body else {}),
        )
        outcome = InboundEmail.Outcome.APPENDED
    elif case is not None and _reopens(case):
        _reopen(case)
        case.refresh_from_db()
        outcome = InboundEmail.Outcome.REOPENED
    if case is not None and outcome == InboundEmail.Outcome.APPENDED:
        attachments = []  # only thanks: the files it came with are the case's already
    elif case is not None and case.status not in (Status.CLOSED, Status.TRANSFERRED):
        attachments = _new_files(case, attachments)
        services.case_add_usager_message(
            case=case,
            body=body,
            source="email",
            sender=parsed["sender"],
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
            # A follow-up opens where its case was worked (a transferred case's administration).
            administration=previous.administration if previous is not None else administration,
            channel=Channel.EMAIL,
            subject=_case_subject(parsed["subject"], body),
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
    if moved_from is not None:
        # The transferred case says where its usager's message went (not the message itself:
        # the question is the other administration's now), and tells nobody here.
        case_event_record(
            case=moved_from,
            actor=None,
            kind=CaseEvent.Kind.USAGER_MESSAGE,
            data={
                "body": "",
                "source": "email",
                "sender": parsed["sender"],
                "message_id": parsed["message_id"],
                "forwarded": True,
                "target": case.administration.name,
                "target_reference": case.reference,
            },
        )
    _inbound_record(administration, key, parsed, case, outcome)
    attachments_store(case, attachments)
    if acknowledge and outcome in (InboundEmail.Outcome.CREATED, InboundEmail.Outcome.FOLLOW_UP):
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
