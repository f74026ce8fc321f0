"""Internal markup out, plain references in: what the usager receives.

Drafts cite their sources as ``[n]``; the usager must never see those markers (nor the
pseudonymisation placeholders, nor the prompt's tags). What is sent carries instead a short
"Pour en savoir plus :" list of the cited fiches' public links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from cases.text import CITATION_MARKER, strip_citation_markers

from ..suggestions.pseudonymise import find_leftover_placeholders

_ONE = CITATION_MARKER
_MARKER_RE = re.compile(_ONE)

# The prompt's own tags, and the plain-word masks the answer bank stores instead of
# identifiers: neither may be sent to a usager.
_TAG_RE = re.compile(
    r"</?(?:source|sources|message_usager|objet|formule|signature|salutation)\b[^>]*>", re.I
)
_MASK_RE = re.compile(
    r"\((?:nom|adresse e-mail|adresse|t[ée]l[ée]phone|num[ée]ro de s[ée]curit[ée] sociale|IBAN|"
    r"date de naissance|identifiant|r[ée]f[ée]rence) masqu[ée]e?\)",
    re.I,
)

# Hosts reserved for examples and tests (RFC 2606, RFC 6761): never a public link.
_RESERVED_HOSTS = ("example.com", "example.net", "example.org")
_RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local")


def strip_markers(text: str) -> str:
    """``text`` without its citation markers (``[1]``, ``[1, 3]``, ``[1][2]``, ``[1]. [6]``),
    punctuation and spacing repaired: "délai [1]. [6]" reads "délai.", a line made only of
    markers disappears. The same function as the reply service's last guard
    (``cases.text.strip_citation_markers``), so that a draft and a sent reply agree."""
    return strip_citation_markers(text)


def cited_numbers(text: str) -> list[int]:
    """The source numbers ``text`` cites, in order of first appearance."""
    numbers: dict[int, None] = {}
    for marker in _MARKER_RE.findall(text):
        inner = marker.strip("[] \t")
        for part in re.split(r"\s*[,;]\s*", inner):
            if re.fullmatch(r"\d{1,3}\s*[–-]\s*\d{1,3}", part):
                low, high = (int(x) for x in re.split(r"\s*[–-]\s*", part))
                for n in range(low, min(high, low + 20) + 1):
                    numbers.setdefault(n, None)
            elif part.isdigit():
                numbers.setdefault(int(part), None)
    return list(numbers)


def has_internal_markup(text: str) -> bool:
    """Whether ``text`` still holds something internal: citation markers, pseudonymisation
    placeholders, the prompt's tags, or the bank's identifier masks."""
    return bool(
        _MARKER_RE.search(text)
        or _TAG_RE.search(text)
        or _MASK_RE.search(text)
        or find_leftover_placeholders(text)
    )


def public_url(url: str) -> str:
    """``url`` if a usager can follow it (http(s), a real host), else ``""``."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or not host or "." not in host:
        return ""
    if host in _RESERVED_HOSTS or any(host.endswith("." + h) for h in _RESERVED_HOSTS):
        return ""
    if any(host.endswith(suffix) for suffix in _RESERVED_SUFFIXES):
        return ""
    # An invented demo host ("guichet.example.gouv.fr") is no public link either.
    if "example" in host.split("."):
        return ""
    return url


def _field(source: Any, name: str) -> str:
    value = source.get(name, "") if isinstance(source, Mapping) else getattr(source, name, "")
    return str(value or "")


def references_block(sources: Iterable[Any], *, heading: str = "Pour en savoir plus :") -> str:
    """The short list of the fiches' public links that replaces the markers in a sent reply.

    ``sources`` are the cited sources, as the suggestion stores them (mappings with ``title``,
    ``url`` and ``kind``) or any object with those attributes. Only fiches with a public link
    are listed (past answers and sources without a URL are not), once each, by fiche title
    (the part before " › "); with none, there is no block at all (``""``).
    """
    lines: list[str] = []
    seen: set[str] = set()
    for source in sources:
        if _field(source, "kind") not in ("", "passage", "fiche"):
            continue
        url = public_url(_field(source, "url"))
        if not url or url in seen:
            continue
        seen.add(url)
        title = _field(source, "title").split(" › ")[0].strip().rstrip(" .:")
        lines.append(f"- {title} : {url}" if title else f"- {url}")
    if not lines:
        return ""
    return "\n".join([heading, *lines])
