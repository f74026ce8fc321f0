"""The HTML part of the mails to the usager (``multipart/alternative``: the plain text, sent as
it always was, and this HTML beside it, for webmail and phones).

``text_to_html`` turns a plain text into safe HTML: paragraphs (blank lines) with their line
breaks, lines starting with "- ", "• ", "* ", "– " as a bulleted list and "1. " / "1) " as a
numbered one, bare ``http(s)://`` and ``www.`` addresses and e-mail addresses as links, and a
list item "Title : https://..." (the "Pour en savoir plus" references) as a link named by its
title. Everything in the text is escaped first: what the agent or the usager wrote never
becomes markup, and the only links made are ``http``, ``https`` and ``mailto`` ones (no
``javascript:``, ``data:`` or other scheme is ever linked).

Mail clients drop ``<style>`` blocks and classes more often than not: the styles are inline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import iri_to_uri
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from ..models import Case

__all__ = ["case_mail_html", "signature_split", "text_to_html"]

# Inline styles (dark text on white, links in the state's blue: contrasts well above 7:1).
TEXT_COLOR = "#161616"
LINK_COLOR = "#000091"
P_STYLE = "margin:0 0 16px 0;"
LEAD_STYLE = "margin:0 0 8px 0;"  # a paragraph introducing the list right under it
LIST_STYLE = "margin:0 0 16px 0;padding-left:24px;"
ITEM_STYLE = "margin:0 0 6px 0;"
LINK_STYLE = f"color:{LINK_COLOR};text-decoration:underline;word-break:break-word;"

_BULLET_RE = re.compile(r"^[ \t]*[-•*–][ \t\u00a0]+(?P<item>\S.*)$")
_NUMBER_RE = re.compile(r"^[ \t]*(?P<number>\d{1,3})[.)][ \t\u00a0]+(?P<item>\S.*)$")
_BLANK_LINES_RE = re.compile(r"\n[ \t\u00a0]*\n(?:[ \t\u00a0]*\n)*")
# Control characters have no place in HTML (line breaks and tabs are kept).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What may be linked. Each alternative starts where no character of its own kind precedes it
# (the look-behinds), so that a long run of letters is scanned once, not once per position.
_LINK_RE = re.compile(
    r"(?P<url>(?<![\w/])https?://[^\s<>\"«»]+)"
    r"|(?P<email>(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<www>(?<![\w./@-])www\.[^\s<>\"«»]+)",
    re.IGNORECASE,
)
# Punctuation that ends a sentence rather than an address ("voir https://x.fr.").
_TRAILING = ".,;:!?'’\"»)]}>…"
# "Title : https://..." as the "Pour en savoir plus" list writes its items.
_LABELLED_RE = re.compile(
    r"^(?P<label>.*?\S)[ \t\u00a0]*:[ \t\u00a0]+(?P<url>https?://[^\s<>\"«»]+)$"
)


def _trim(address: str) -> str:
    """``address`` without the punctuation of the sentence around it; a closing bracket stays
    when the address opened it (``https://fr.wikipedia.org/wiki/Loi_(droit)``). One pass from
    the end, the brackets counted once (a long run of ")" costs its length, not its square)."""
    counts = {c: address.count(c) for c in "()[]{}"}
    end = len(address)
    while end and address[end - 1] in _TRAILING:
        last = address[end - 1]
        opening = {")": "(", "]": "[", "}": "{"}.get(last)
        if opening and counts[opening] >= counts[last]:
            break
        if opening:
            counts[last] -= 1
        end -= 1
    return address[:end]


def _web_href(address: str) -> str:
    """The link for a web address, or "" when it is not one worth linking (no host)."""
    href = address if "://" in address else "https://" + address
    try:
        parts = urlsplit(href)
    except ValueError:  # an invalid IPv6 host, say
        return ""
    if parts.scheme.lower() not in ("http", "https") or "." not in (parts.hostname or ""):
        return ""
    return iri_to_uri(href)


def _link(href: str, label: str) -> SafeString:
    return format_html('<a href="{}" style="{}">{}</a>', href, LINK_STYLE, label)


def _inline(text: str) -> SafeString:
    """One line or item: escaped, with its web and e-mail addresses as links."""
    out: list[str] = []
    position = 0
    for match in _LINK_RE.finditer(text):
        if match.start() < position:
            continue
        found = match.group(0)
        if match.lastgroup == "email":
            address = found.rstrip(".")
            href = "mailto:" + iri_to_uri(address)
        else:
            address = _trim(found)
            href = _web_href(address)
        if not address or not href:
            continue
        out.append(escape(text[position : match.start()]))
        out.append(_link(href, address))
        position = match.start() + len(address)
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308 (every piece is escaped or built by format_html)


# A host name in a label ("caf.fr", "impots.gouv.fr", "service-public.fr").
_SITE_RE = re.compile(r"[\w-]+\.[a-z]{2,}\b", re.IGNORECASE)


def _item(text: str) -> SafeString:
    labelled = _LABELLED_RE.match(text)
    # A label that is itself an address, or names a site ("Suivre votre dossier sur caf.fr"),
    # would show one place and lead to another: the address stays visible.
    label = labelled.group("label") if labelled else ""
    if labelled and not _LINK_RE.search(label) and not _SITE_RE.search(label):
        url = labelled.group("url")
        href = _web_href(url) if _trim(url) == url else ""
        if href:
            return _link(href, labelled.group("label"))
    return _inline(text)


@dataclass
class _Segment:
    kind: str  # "p", "ul" or "ol"
    lines: list[str] = field(default_factory=list)
    start: int = 1


def _segments(block: str) -> list[_Segment]:
    """The paragraphs and lists of one block (lines between blank lines)."""
    segments: list[_Segment] = []
    for line in block.split("\n"):
        current = segments[-1] if segments else None
        listed = _BULLET_RE.match(line) or _NUMBER_RE.match(line)
        if listed:
            kind = "ol" if listed.re is _NUMBER_RE else "ul"
            item = listed.group("item")
            if current is None or current.kind != kind:
                start = int(listed.group("number")) if kind == "ol" else 1
                segments.append(_Segment(kind, [item], start))
            else:
                current.lines.append(item)
        elif current is not None and current.kind != "p" and line[:1] in (" ", "\t"):
            # An indented line under an item goes on with it.
            current.lines[-1] += "\n" + line.strip()
        elif current is None or current.kind != "p":
            segments.append(_Segment("p", [line.strip()]))
        else:
            current.lines.append(line.strip())
    return segments


def _lines(text: str, render: Callable[[str], SafeString]) -> SafeString:
    return mark_safe("<br>\n".join(render(line) for line in text.split("\n")))  # noqa: S308


def _render(segment: _Segment, *, lead: bool = False) -> SafeString:
    if segment.kind == "p":
        text = _lines("\n".join(segment.lines), _inline)
        return format_html('<p style="{}">{}</p>', LEAD_STYLE if lead else P_STYLE, text)
    items = mark_safe(  # noqa: S308 (built by format_html)
        "\n".join(
            format_html('<li style="{}">{}</li>', ITEM_STYLE, _lines(item, _item))
            for item in segment.lines
        )
    )
    if segment.kind == "ol" and segment.start != 1:
        return format_html(
            '<ol start="{}" style="{}">\n{}\n</ol>', segment.start, LIST_STYLE, items
        )
    return format_html('<{} style="{}">\n{}\n</{}>', segment.kind, LIST_STYLE, items, segment.kind)


def text_to_html(text: str) -> SafeString:
    """``text`` (plain, as the usager receives it) as safe HTML paragraphs, lists and links."""
    text = _CONTROL_RE.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    parts: list[str] = []
    for block in _BLANK_LINES_RE.split(text.strip("\n")):
        if not block.strip():
            continue
        segments = _segments(block)
        for segment, after in zip(segments, [*segments[1:], None], strict=True):
            parts.append(_render(segment, lead=after is not None and after.kind != "p"))
    return mark_safe("\n".join(parts))  # noqa: S308 (built by format_html)


def signature_split(body: str, signature: str) -> tuple[str, str]:
    """(text, signature): the administration's ``signature`` apart when it is the body's last
    paragraph(s), as the composer ends a reply; else (body, "")."""
    body = (body or "").replace("\r\n", "\n").rstrip()
    signature = (signature or "").replace("\r\n", "\n").strip()
    if signature and body.endswith("\n\n" + signature):
        return body[: -len(signature)].rstrip(), signature
    return body, ""


def case_mail_html(*, case: Case, subject: str, body: str, notice: str = "") -> str:
    """The whole HTML document of a mail to the case's usager: the administration's name as a
    header, the text, the signature, ``notice`` (how to reach the service when no mailbox reads
    an answer), and a footer saying who sent it."""
    administration = case.administration
    text, signature = signature_split(body, administration.signature or administration.name)
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "cases/mail/usager.html",
            {
                "language": translation.get_language() or settings.LANGUAGE_CODE,
                "subject": subject,
                "administration": administration.name,
                "reference": case.reference,
                "content": text_to_html(text),
                "signature": text_to_html(signature),
                "notice": text_to_html(notice) if notice else "",
            },
        )
