"""Pseudonymisation of usagers' texts before they are sent to a remote language model.

Identifiers are replaced by stable placeholders (``[NOM_1]``, ``[TEL_1]``...) and the placeholders
are put back in the model's draft afterwards. The placeholder -> original mapping lives in memory
only: it must never be logged nor stored, since it is exactly the data we are keeping away from
the model.

Detection is deliberately biased towards masking: a surname masked by mistake costs a slightly
odd draft, an IBAN sent to a third party costs a data breach. Structured identifiers (e-mail,
phone, NIR, IBAN) are matched by shape; names, addresses and birth dates need context, so they are
matched from the names the case already knows and from cues in the text.

This module is pure Python on purpose (no Django), so it can be tested and benchmarked alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from .addresses import (
    _ADDRESS_NONUM_F,
    _ADDRESS_NONUM_HINTS,
    _ADDRESS_RE,
    _ADDRESS_TAIL_AT,
    _WEAK_TYPES,
    _address_key,
    _address_span,
)
from .contact import (
    _EMAIL_OBF_RE,
    _OBF_HINTS,
    _PHONE_RE,
    _email_key,
    _emails,
    _phone_key,
    _phone_ok,
)
from .identifiers import (
    _DOB_F,
    _IBAN_RE,
    _NIR_CUE_RE,
    _NIR_RE,
    _date_key,
    _iban_end,
    _iban_key,
    _ident_key,
    _identifiers,
    _nir_compact,
    _nir_key,
    _nir_key_ok,
    _nir_structure_ok,
)
from .names import (
    _cued_names,
    _known_names,
    _name_index,
    _name_key,
    _Person,
    _split_person,
    _word_start,
)
from .placeholders import (
    _GENERIC_PLACEHOLDER_RE,
    _LOOSE_PLACEHOLDER_RE,
    _canonical_kind,
    _parse_placeholder,
)
from .text import _fold

__all__ = [
    "KINDS",
    "Pseudonymised",
    "find_leftover_placeholders",
    "pseudonymise",
    "reidentify",
]

KINDS = ("NOM", "EMAIL", "TEL", "NIR", "IBAN", "ADRESSE", "DATE_NAISSANCE", "IDENTIFIANT")

# When two detections overlap, the most specific one wins: an IBAN (right country, right length)
# is surer than a phone number read inside it, an address surer than a name read inside it.
_PRIORITY = {
    "IBAN": 100,
    "EMAIL": 90,
    "IDENTIFIANT": 85,
    "NIR": 80,
    "TEL": 70,
    "DATE_NAISSANCE": 60,
    "ADRESSE": 50,
    "NOM": 40,
}


@dataclass
class Pseudonymised:
    text: str
    # repr=False: this object ends up in logs and tracebacks; the originals must not.
    mapping: dict[str, str] = field(repr=False)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str


_KEYERS: dict[str, Callable[[str], str]] = {
    "NOM": _name_key,
    "EMAIL": _email_key,
    "TEL": _phone_key,
    "NIR": _nir_key,
    "IBAN": _iban_key,
    "ADRESSE": _address_key,
    "DATE_NAISSANCE": _date_key,
    "IDENTIFIANT": _ident_key,
}


# --- detection --------------------------------------------------------------------------------


def _detect(text: str, persons: Sequence[_Person]) -> list[_Span]:
    candidates: list[_Span] = []
    folded = _fold(text)

    def add(start: int, end: int, kind: str) -> None:
        candidates.append(_Span(start, end, kind))

    # Candidates run greedily over the words that follow; once cut to the country's length the
    # scan must resume right after, or an IBAN that follows another one would be skipped.
    position = 0
    while match := _IBAN_RE.search(text, position):
        end = _iban_end(match)
        if end is None:
            position = match.start() + 1
        else:
            add(match.start(), end, "IBAN")
            position = end
    # Cheap substring tests first: most messages have no e-mail, no obfuscated one, no cue of
    # an administrative number, and the full patterns are the slow part.
    for start, end in _emails(text):
        add(start, end, "EMAIL")
    if any(hint in folded for hint in _OBF_HINTS):
        for match in _EMAIL_OBF_RE.finditer(text):
            add(*match.span(), "EMAIL")
    for start, end in _identifiers(text, folded):
        add(start, end, "IDENTIFIANT")
    for match in _NIR_RE.finditer(text):
        start, end = match.span()
        compact13 = text[start] + _nir_compact(match["body"])
        structured = _nir_structure_ok(compact13)
        if not (structured or _NIR_CUE_RE.search(text, max(0, start - 60), start)):
            continue
        if structured and match["keysep"] and not _nir_key_ok(compact13, match["key"]):
            # A separate pair of digits that is not the key belongs to whatever follows.
            end = match.start("keysep")
        add(start, end, "NIR")
    for match in _PHONE_RE.finditer(text):
        if _phone_ok(match):
            add(*match.span(), "TEL")
    for match in _DOB_F.finditer(folded):
        add(*match.span("value"), "DATE_NAISSANCE")
    for match in _ADDRESS_RE.finditer(text):
        weak = bool(_WEAK_TYPES.fullmatch(match["type"]))
        span = _address_span(match, match.start(), weak=weak)
        if span:
            add(*span, "ADRESSE")
    if any(word in folded for word in _ADDRESS_NONUM_HINTS):
        for cue in _ADDRESS_NONUM_F.finditer(folded):
            start = cue.start()
            # A residence is only one when named with capitals ("Résidence Les Tilleuls").
            if not _word_start(folded, start) or (cue["res"] and not text[start].isupper()):
                continue
            tail = _ADDRESS_TAIL_AT.match(text, cue.end())
            if tail is None or (cue["res"] and not tail["name"].strip()[:1].isupper()):
                continue
            span = _address_span(tail, start, weak=False)
            if span:
                add(*span, "ADRESSE")

    cued = _cued_names(text, folded)
    for start, end in cued:
        add(start, end, "NOM")
    # A name the text gives once ("je m'appelle Jean Martin") is masked wherever it recurs.
    guessed = (_split_person(text[start:end], strict=True) for start, end in cued)
    index = _name_index(dict.fromkeys([*persons, *(p for p in guessed if p)]))
    if index:
        for start, end in _known_names(text, folded, index):
            add(start, end, "NOM")
    return _resolve(candidates, len(text))


def _resolve(candidates: list[_Span], length: int) -> list[_Span]:
    """Keep the best of overlapping detections: higher priority, then longer, then earlier."""
    ranked = sorted(candidates, key=lambda s: (-_PRIORITY[s.kind], s.start - s.end, s.start))
    # One byte per character of the text: overlap tests stay linear however many candidates
    # a long pasted document produces.
    taken = bytearray(length)
    accepted: list[_Span] = []
    for span in ranked:
        if span.end > span.start and taken.find(1, span.start, span.end) == -1:
            taken[span.start : span.end] = b"\x01" * (span.end - span.start)
            accepted.append(span)
    return sorted(accepted, key=lambda s: s.start)


# --- public API -------------------------------------------------------------------------------


def pseudonymise(
    text: str,
    *,
    known_names: Sequence[str] = (),
    mapping: dict[str, str] | None = None,
) -> Pseudonymised:
    """Replace the identifiers of ``text`` by placeholders.

    ``known_names`` are the names the case already holds for the usager (full names). Pass the
    ``mapping`` of a previous call to pseudonymise several texts of one case consistently: it is
    updated in place and returned, so the same identifier keeps the same placeholder.
    """
    mapping = {} if mapping is None else mapping
    # Offsets are computed on one canonical form; decomposed accents would split words.
    text = unicodedata.normalize("NFC", text)

    index: dict[tuple[str, str], str] = {}
    counters: dict[str, int] = {}
    persons: list[_Person] = []
    for placeholder, original in mapping.items():
        parsed = _parse_placeholder(placeholder)
        if parsed is None:
            continue
        kind, number = parsed
        counters[kind] = max(counters.get(kind, 0), number)
        keyer = _KEYERS.get(kind)
        if keyer is not None:
            index.setdefault((kind, keyer(original)), placeholder)
        if kind == "NOM":
            # A name met in the subject must also be caught when the body repeats it.
            person = _split_person(unicodedata.normalize("NFC", original), strict=True)
            if person:
                persons.append(person)
    for name in known_names:
        person = _split_person(unicodedata.normalize("NFC", name).strip(), strict=False)
        if person:
            persons.insert(0, person)

    pieces: list[str] = []
    cursor = 0
    for span in _detect(text, persons):
        original = text[span.start : span.end]
        key = (span.kind, _KEYERS[span.kind](original))
        known = index.get(key)
        if known is None:
            counters[span.kind] = counters.get(span.kind, 0) + 1
            placeholder = f"[{span.kind}_{counters[span.kind]}]"
            index[key] = placeholder
            mapping[placeholder] = original
        else:
            placeholder = known
        pieces.append(text[cursor : span.start])
        pieces.append(placeholder)
        cursor = span.end
    pieces.append(text[cursor:])
    return Pseudonymised(text="".join(pieces), mapping=mapping)


def reidentify(text: str, mapping: Mapping[str, str]) -> str:
    """Put the originals back in place of the placeholders of ``mapping``.

    Models rewrite placeholders ("[nom_1]", "[ NOM 1 ]"), so they are matched loosely. Unknown
    placeholders are left as they are, for :func:`find_leftover_placeholders` to catch.
    """
    originals: dict[tuple[str, int], str] = {}
    for placeholder, original in mapping.items():
        parsed = _parse_placeholder(placeholder)
        if parsed is not None:
            originals[parsed] = original

    def restore(match: re.Match[str]) -> str:
        found = originals.get((_canonical_kind(match["kind"]), int(match["number"])))
        return match.group() if found is None else found

    return _LOOSE_PLACEHOLDER_RE.sub(restore, text)


def find_leftover_placeholders(text: str) -> list[str]:
    """Placeholder-looking tokens still in ``text``, in order of appearance, without repeats.

    Run it on a re-identified draft: anything it finds could not be restored.
    """
    found = [(m.start(), m.group()) for m in _LOOSE_PLACEHOLDER_RE.finditer(text)]
    found += [(m.start(), m.group()) for m in _GENERIC_PLACEHOLDER_RE.finditer(text)]
    return list(dict.fromkeys(token for _, token in sorted(found)))
