"""Reading one e-mail into what intake needs (``parse_email``): the kind of message, the
usager's name and the address to answer (``Reply-To`` when it names one address, else
``From``), the subject, the new text and the full text, the ids it threads on, and its files
(attachments, images of the HTML body, and the text and files of messages attached whole).
``MalformedEmail`` when it cannot be read as an e-mail from a usager (cases/intake/quarantine.py
keeps it aside). What intake does with it is cases/intake/mail.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..services.common import MAX_TEXT_LENGTH
from ..text import one_line
from . import parsing
from .attachments import AttachmentData

# The whole message as received, folded on the case page, is kept up to this many characters.
MAX_FULL_TEXT = 4 * MAX_TEXT_LENGTH
# The usager's own survey link, quoted back when they answer the invitation: agents must not
# be able to answer in their place.
_SURVEY_LINK = re.compile(r"(?:https?://[^\s/]+)?/enquete/[\w:.-]{20,}/?")


class MalformedEmail(ValueError):
    """The message cannot be read as an e-mail from a usager."""


def clean(value: str) -> str:
    # PostgreSQL refuses NUL in text: a NUL byte is cleaned from everything we keep.
    return value.replace("\x00", "")


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
            found.append(AttachmentData(name=clean(name), content=content))
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
    found = getaddresses([clean(parsing.cp1252_repaired(str(message.get("Reply-To", "") or "")))])
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


def _bounded(text: str) -> str:
    if len(text) <= MAX_TEXT_LENGTH - 1_000:
        return text
    return (
        text[: MAX_TEXT_LENGTH - 1_000].rstrip()
        + "\n\n[…] "
        + _("(Text cut here: the whole message is under “Full message as received”.)")
    )


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
        # A contact form's mail (automated) is read like a person's: it carries one.
        readable = kind in (parsing.PERSON, parsing.AUTOMATED)
        name, address = parseaddr(
            clean(parsing.cp1252_repaired(str(message.get("From", "") or "")))
        )
        sender = address
        if readable:
            name, address = _answer_address(message, name, address)
        subject = one_line(parsing.cp1252_repaired(str(message.get("Subject", "") or "")))[:300]
        message_id = clean(str(message.get("Message-ID", "") or "")).strip()[:998]
        text, full_text = parsing.body_text(message)
        # A message forwarded inline is content the usager shares (as one attached whole), not
        # the history of a reply: kept, with what they wrote above it (cases/intake/mail.py
        # chooses, knowing the administration's own addresses).
        forward = parsing.forward_of(full_text, subject) if readable else None
        forward_text = forward.text if forward is not None else ""
        attachments = _attachments_of(message) if readable else []
        if readable:
            attached_text, attached_files = _attached_messages(message)
            attachments += attached_files
            if attached_text:
                text = (text + "\n\n" + attached_text).strip()
                full_text = (full_text + "\n\n" + attached_text).strip()
                if forward_text:
                    forward_text = forward_text + "\n\n" + attached_text
        references = [clean(r) for r in parsing.referenced_ids(message)]
    except MalformedEmail:
        raise
    except RecursionError as exc:
        raise MalformedEmail(
            _("MIME parts nested deeper than %(limit)s levels") % {"limit": limit}
        ) from exc
    except (LookupError, ValueError, TypeError, UnicodeError, IndexError, AttributeError) as exc:
        raise MalformedEmail(_("unreadable message (%(error)s)") % {"error": exc}) from exc
    if readable:
        if not address or "@" not in address:
            raise MalformedEmail(_("no sender address (From)"))
        # A usager may send their document with nothing else: it must reach an agent.
        if not text and not subject and not attachments:
            raise MalformedEmail(_("neither a subject nor a text"))
    # Past what a case holds, the text is cut (room left for the notes intake adds) rather
    # than the message quarantined: the whole of it is kept, folded on the case page.
    text, forward_text = (_bounded(t) for t in (text, forward_text))
    removed = _("(personal survey link removed)")
    text, full_text, forward_text = (
        _SURVEY_LINK.sub(removed, t) for t in (text, full_text, forward_text)
    )
    if len(full_text) > MAX_FULL_TEXT:
        # Stored on the case's timeline for good and shown on its page: bounded, whatever a
        # sender writes (beyond the new text, what is cut is quoted history).
        full_text = (
            full_text[:MAX_FULL_TEXT].rstrip()
            + "\n\n[…] "
            + _("(Message cut here: it is longer than a case page shows.)")
        )
    return message, {
        "kind": kind,
        "name": clean(name),
        # Who wrote (From, what the receiving server's DMARC checks vouch for): the only
        # identity intake trusts to join a case. ``address`` is where to answer (Reply-To).
        "sender": clean(sender).lower(),
        "address": clean(address).lower(),
        "subject": subject,
        "text": clean(text)
        or subject
        or (_("(No text: the message brings only attachments.)") if attachments else ""),
        "full_text": clean(full_text),
        # The text with the message forwarded inline, and where that message came from.
        "forward_text": clean(forward_text),
        "forward_sender": clean(forward.sender) if forward is not None else "",
        # The forwarded message's header lines (its sender, date, subject): what it is about.
        "forward_header": clean("\n".join(forward.forwarded.split("\n")[:8]))
        if forward is not None
        else "",
        "message_id": message_id,
        "references": references,
        "attachments": attachments,
    }
