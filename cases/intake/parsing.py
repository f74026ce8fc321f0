"""Reading an e-mail robustly: what kind of message it is (a person's message, an automatic
reply, a bounce), the text the person wrote (quoted history and signature set aside, HTML made
text), and the ids it threads on.

- Automatic replies (an absence notice answering a mail): RFC 3834 ``Auto-Submitted:
  auto-replied``, ``X-Autoreply``/``X-Autorespond``, and the usual out-of-office subjects in
  French and English.
- Automated messages (``Auto-Submitted: auto-generated`` and other values but ``no``): a
  website's contact form, a platform's notification. Not an answer to anything: they are read
  as messages, but never answered automatically (no acknowledgement: RFC 3834). Bulk mail
  (``Precedence: bulk``, ``junk`` or ``list``: newsletters, mailing lists, spam) is recorded
  like an automatic reply: it opens no case.
- Bounces: an RFC 3464 ``multipart/report; report-type=delivery-status``, or a notice from
  ``MAILER-DAEMON``/``postmaster``; the original Message-ID and the reason are read from it.
- Windows-1252 text sent as ISO-8859-1 (a frequent mislabelling: Outlook's apostrophe, dash,
  euro sign) is read as Windows-1252, as browsers do (WHATWG Encoding), in the body and in the
  encoded headers: never the invisible C1 control characters a strict decoding gives.
- New text: the reply parser ``mail-parser-reply`` (French and English headers of quoted
  history, signatures, disclaimers), completed by the shapes it does not cut (Outlook's
  ``De : … Envoyé : …`` block, forwarded blocks, ``>`` lines, mobile signatures). HTML-only
  messages go through ``inscriptis`` (entities decoded, layout kept) after the quoted parts
  (``blockquote``, Gmail's ``gmail_quote``, Outlook's reply divider) are dropped.
- Inline forwards (``forward_of``): a history that starts with a client's forward marker, or
  with Outlook's header block under a "TR:"/"Fwd:" subject, is a forwarded message, content
  the usager shares: its text and what was written above it, quote marks removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import parseaddr

from inscriptis import get_text
from lxml import html as lxml_html
from mailparser_reply import EmailReplyParser

# --- message kinds -----------------------------------------------------------------------------

PERSON = "person"
AUTOMATED = "automated"
AUTO_REPLY = "auto_reply"
BOUNCE = "bounce"

_OUT_OF_OFFICE_SUBJECT = re.compile(
    r"^\s*(?:"
    r"r[ée]ponse automatique|automatic reply|auto[- ]?reply|autoreply|auto:|"
    r"out of (?:the )?office|ooo\b|absent(?:e|\(e\)|\.e)? du bureau|absence du bureau|"
    r"message d['’]absence|je suis absente?|i am (?:currently )?out of|"
    r"away from (?:the|my) office|vacation reply|r[ée]ponse d['’]absence"
    r")",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undeliver(?:ed|able)|delivery status notification|mail delivery failed|"
    r"returned mail|non remis|message non remis|[ée]chec de (?:la )?remise|"
    r"failure notice|delivery failure)",
    re.IGNORECASE,
)
_DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon")


# Bytes 0x80-0x9F decoded as ISO-8859-1 give C1 control characters, which nobody writes: they
# are Windows-1252's typographic characters (’ – … €). The five bytes Windows-1252 leaves
# undefined stay as they are.
_C1_AS_CP1252 = {
    code: bytes([code]).decode("cp1252")
    for code in range(0x80, 0xA0)
    if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def cp1252_repaired(text: str) -> str:
    """``text`` with the C1 control characters of a mislabelled Windows-1252 text restored."""
    return text.translate(_C1_AS_CP1252)


def _header(message: Message, name: str) -> str:
    try:
        return " ".join(str(message.get(name, "") or "").split())
    except (ValueError, TypeError, IndexError):  # a header too broken to decode
        return ""


def message_kind(message: Message) -> str:
    """``person``, ``automated``, ``auto_reply`` or ``bounce``."""
    sender = parseaddr(_header(message, "From"))[1].lower()
    subject = _header(message, "Subject")
    report_type = message.get_param("report-type", "", header="content-type")
    if message.get_content_type() == "multipart/report" and (
        str(report_type or "").lower() in ("delivery-status", "")
    ):
        return BOUNCE
    if sender.split("@")[0] in _DAEMONS:
        return BOUNCE
    if _header(message, "Return-Path") == "<>" and _BOUNCE_SUBJECT.search(subject):
        return BOUNCE
    # "auto-replied; ..." may carry parameters (RFC 3834 section 5).
    auto_submitted = _header(message, "Auto-Submitted").lower().split(";")[0].strip()
    if auto_submitted == "auto-replied":
        return AUTO_REPLY
    if message.get("X-Autoreply") is not None or message.get("X-Autorespond") is not None:
        return AUTO_REPLY
    if _OUT_OF_OFFICE_SUBJECT.search(subject):
        return AUTO_REPLY
    if _header(message, "Precedence").lower() in ("bulk", "junk", "list"):
        return AUTO_REPLY
    if auto_submitted and auto_submitted != "no":
        return AUTOMATED
    return PERSON


@dataclass(frozen=True)
class BounceReport:
    original_message_id: str = ""
    recipient: str = ""
    reason: str = ""


def _fields_of(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    return []


def bounce_report(message: Message) -> BounceReport:
    """The original Message-ID, the failed recipient and the reason, as far as the notice
    says them."""
    original_id, recipient, reason_parts = "", "", []
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            for block in _fields_of(part):
                recipient = recipient or _header(block, "Final-Recipient").rpartition(";")[2]
                for name in ("Status", "Diagnostic-Code"):
                    value = _header(block, name)
                    if value and value not in reason_parts:
                        reason_parts.append(value)
        elif content_type in ("message/rfc822", "text/rfc822-headers") and not original_id:
            inner = _fields_of(part)
            if inner:
                original_id = _header(inner[0], "Message-ID")
            else:
                payload = part.get_payload(decode=True)
                match = re.search(
                    r"^Message-ID:\s*(<[^>]+>)",
                    payload.decode("utf-8", "replace") if isinstance(payload, bytes) else "",
                    re.IGNORECASE | re.MULTILINE,
                )
                original_id = match.group(1) if match else ""
    if not original_id:
        # A plain-text notice quoting the original headers.
        text = body_text(message)[1]
        match = re.search(r"^\s*Message-ID:\s*(<[^>]+>)", text, re.IGNORECASE | re.MULTILINE)
        original_id = match.group(1) if match else ""
    reason = " — ".join(reason_parts) or _header(message, "Subject")
    return BounceReport(original_id.strip(), recipient.strip(), reason[:500])


def referenced_ids(message: Message) -> list[str]:
    """The Message-IDs this message answers: ``In-Reply-To`` first, then ``References`` from
    the most recent."""
    found: list[str] = []
    for name in ("In-Reply-To", "References"):
        ids = re.findall(r"<[^<>\s]+>", _header(message, name))
        if name == "References":
            ids.reverse()
        for value in ids:
            if value not in found:
                found.append(value)
    return found[:50]


# --- text ------------------------------------------------------------------------------------

_QUOTE_HEADER = re.compile(
    r"^(?:"
    r"le .{3,200}\s+a\s+[ée]crit\s*:|"  # Gmail, Thunderbird, Apple Mail in French
    r"on .{3,200}\s+wrote\s*:|"  # the same in English
    r"-{2,}\s*(?:original message|message d['’]origine|message original)\s*-{2,}|"
    r"-{2,}\s*(?:forwarded message|message transf[ée]r[ée])\s*-{2,}|"
    r"d[ée]but du message (?:r[ée]exp[ée]di[ée]|transf[ée]r[ée])\s*:|"
    r"begin forwarded message\s*:|"
    r"_{10,}"  # Outlook's line before its header block
    r")\s*$",
    re.IGNORECASE,
)
_WRAPPED_START = re.compile(r"^(?:le|on)\s", re.IGNORECASE)
_OUTLOOK_FROM = re.compile(r"^\*?(?:de|from)\s*:\*?\s", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\*?(?:envoy[ée]|sent|date|[àa]|to|objet|subject)\s*:", re.IGNORECASE)
_SIGNATURE = re.compile(
    r"^(?:--\s*|envoy[ée] (?:de|depuis) mon \S+.*|sent from my \S+.*|"
    r"(?:get|obtenir|t[ée]l[ée]charger) outlook pour .*|get outlook for .*|"
    r"provenance\s*: courrier pour windows.*)$",
    re.IGNORECASE,
)


def _cut_history(text: str) -> str:
    lines = text.split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if _QUOTE_HEADER.match(stripped):
            break
        # Gmail wraps its header at any word, even inside the address: "Le lun. 3 juin 2024 à
        # 10:00, Guichet <...>" / "a écrit :", "... <...> a" / "écrit :", "... <" / "c@x.fr>
        # a écrit :" (and "On ..." / "wrote:").
        if _WRAPPED_START.match(stripped) and any(
            _QUOTE_HEADER.match(" ".join(part.strip() for part in lines[index : index + span]))
            for span in (2, 3)
        ):
            break
        if _OUTLOOK_FROM.match(stripped) and any(
            _OUTLOOK_NEXT.match(following.strip()) for following in lines[index + 1 : index + 5]
        ):
            break
        if _SIGNATURE.match(stripped):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept)


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


_REPLY_PARSER = EmailReplyParser(languages=["fr", "en"])


def new_text(full: str) -> str:
    """What the person wrote in this message: quoted history and signature left out. The
    whole text when nothing would remain (a bare forward)."""
    try:
        latest = _REPLY_PARSER.parse_reply(text=full) or full
    except Exception:  # the library's regexes on an odd text: our own rules still apply
        latest = full
    cut = _tidy(_cut_history(latest))
    return cut or _tidy(full)


# A forward, said so by the mail client (Gmail, Thunderbird, Apple Mail, in French or English).
_FORWARD_MARKER = re.compile(
    r"^(?:-{2,}\s*(?:forwarded message|message transf[ée]r[ée]|message r[ée]exp[ée]di[ée])\s*-{2,}|"
    r"d[ée]but du message (?:r[ée]exp[ée]di[ée]|transf[ée]r[ée])\s*:|"
    r"begin forwarded message\s*:)\s*$",
    re.IGNORECASE,
)
# Outlook writes the same header block for a reply and a forward: the subject tells ("TR:",
# "Fwd:", "FW:", "WG:"), possibly after answer prefixes.
_FORWARD_SUBJECT = re.compile(
    r"^\s*(?:(?:re|r[ée]f|aw|sv)\s*:\s*)*(?:fwd?|fw|tr|transf|wg)\s*:", re.IGNORECASE
)
_FORWARDED_FROM = re.compile(r"^\*?(?:de|from)\s*:\*?\s*(.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Forward:
    """A message forwarded inline: what the person wrote above it, the forwarded message (its
    header lines and text), and the address it came from (as its header block says)."""

    above: str
    forwarded: str
    sender: str

    @property
    def text(self) -> str:
        return (self.above + "\n\n" + self.forwarded).strip()


def _history_start(lines: list[str]) -> int | None:
    """The line where quoted or forwarded history begins (the first header of it), or None
    when there is none, or when quoted lines (">") come first (a reply quoting inline)."""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(">"):
            return None
        if _QUOTE_HEADER.match(stripped) or _FORWARD_MARKER.match(stripped):
            return index
        if _WRAPPED_START.match(stripped) and any(
            _QUOTE_HEADER.match(" ".join(part.strip() for part in lines[index : index + span]))
            for span in (2, 3)
        ):
            return index
        if _OUTLOOK_FROM.match(stripped) and any(
            _OUTLOOK_NEXT.match(following.strip()) for following in lines[index + 1 : index + 5]
        ):
            return index
    return None


def forward_of(full: str, subject: str) -> Forward | None:
    """The forward, when the message is one: its history starts with a client's forward
    marker, or with a header block (Outlook's) while the subject says it is forwarded. None
    for a reply quoting the message it answers (its history is history: ``new_text``)."""
    lines = full.split("\n")
    start = _history_start(lines)
    if start is None:
        return None
    marker = lines[start].strip()
    if not _FORWARD_MARKER.match(marker) and not _FORWARD_SUBJECT.match(subject or ""):
        return None
    if _WRAPPED_START.match(marker) and not _FORWARD_MARKER.match(marker):
        return None  # "Le ... a écrit :" is a reply's quote, whatever the subject says
    # Apple Mail quotes the forwarded message ("> De: ..."): read without the quote marks.
    # HTML made text indents the forwarded block: read flush left.
    forwarded = [re.sub(r"^>\s?", "", line).strip() for line in lines[start:]]
    sender = ""
    for line in forwarded[:8]:
        found = _FORWARDED_FROM.match(line.strip())
        if found:
            sender = parseaddr(found.group(1).replace("*", ""))[1].lower()
            break
    above = "\n".join(lines[:start])
    return Forward(
        above=new_text(above) if above.strip() else "",
        forwarded=_tidy("\n".join(forwarded)),
        sender=sender,
    )


_HTML_QUOTES = (
    "//blockquote",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' gmail_quote ')]",
    "//*[@id='appendonsend']/following-sibling::*",
    "//*[@id='appendonsend']",
    "//*[@id='divRplyFwdMsg']/following-sibling::*",
    "//*[@id='divRplyFwdMsg']",
    "//*[contains(@class, 'moz-cite-prefix')]",
    "//*[contains(@class, 'gmail_signature')]",
    "//*[contains(@class, 'moz-signature')]",
)


def html_to_text(markup: str, *, drop_quotes: bool = False) -> str:
    """Plain text of an HTML body, entities decoded; quoted parts dropped if asked."""
    if not markup.strip():
        return ""
    try:
        tree = lxml_html.document_fromstring(markup)
    except (ValueError, lxml_html.etree.ParserError):
        return _tidy(get_text(markup))
    for bad in tree.xpath("//script|//style|//head"):
        bad.drop_tree()
    if drop_quotes:
        for xpath in _HTML_QUOTES:
            for element in tree.xpath(xpath):
                if element.getparent() is not None:
                    element.drop_tree()
    return _tidy(get_text(lxml_html.tostring(tree, encoding="unicode")))


def _decoded(part: Message) -> str:
    try:
        text = part.get_content() if isinstance(part, EmailMessage) else None
    except (LookupError, ValueError, AssertionError):
        text = None
    if not isinstance(text, str):
        # An unknown charset: the text still reaches an agent, with replacement characters.
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    return cp1252_repaired(text)


def body_text(message: Message) -> tuple[str, str]:
    """(new text, full text) of the message's body (plain preferred, else HTML)."""
    part = (
        message.get_body(preferencelist=("plain", "html"))
        if isinstance(message, EmailMessage)
        else None
    )
    if part is None:
        return "", ""
    text = _decoded(part)
    if part.get_content_type() == "text/html":
        full = html_to_text(text)
        latest = new_text(html_to_text(text, drop_quotes=True)) or full
        return latest, full
    full = _tidy(text)
    return new_text(full), full


@dataclass
class ReadMessage:
    """What the intake needs from one e-mail."""

    kind: str
    name: str
    address: str
    subject: str
    text: str
    full_text: str
    message_id: str
    references: list[str] = field(default_factory=list)
