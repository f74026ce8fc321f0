"""Text folding and the character classes every detector shares."""

from __future__ import annotations

import re
import unicodedata

# --- text folding -------------------------------------------------------------------------------

_PUNCT_FOLD = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "\u0060": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u202f": " ", "\u2007": " ",
}  # fmt: skip


def _fold_table() -> dict[int, str]:
    # Latin-1, Latin Extended-A/B and the Vietnamese block cover the names usagers write; other
    # scripts are left as they are (folding only serves matching, never the output).
    table: dict[int, str] = {}
    for block in (range(0x80, 0x250), range(0x1E00, 0x1F00)):
        for code in block:
            base = unicodedata.normalize("NFD", chr(code))[0]
            if base != chr(code) and not unicodedata.combining(base):
                table[code] = base
    table.update({ord(k): v for k, v in _PUNCT_FOLD.items()})
    return table


_FOLD_TABLE = _fold_table()


def _fold(text: str) -> str:
    """Lower-case and strip accents *without changing the length*, so offsets stay valid."""
    if not text.isascii():
        # Substituting only the non-ASCII characters is several times faster than translate().
        text = _NON_ASCII.sub(_fold_char, text)
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A handful of characters lower-case to two code points; keep those as they are.
    return "".join(low if len(low := c.lower()) == 1 else c for c in text)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_char(match: re.Match[str]) -> str:
    char = match.group()
    return _FOLD_TABLE.get(ord(char), char)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _alnum(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


# --- shared character classes ---------------------------------------------------------------

_UP = "A-ZÀ-ÖØ-ÞŒŸ"
_LOW = "a-zß-öø-ÿœ"
_AP = "'\u2019"
_HS = r"[ \t\u00a0\u202f]"  # horizontal space: identifiers never span a line break

_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4,
    "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9,
    "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}  # fmt: skip
_MONTH_RE = (
    r"(?:janvier|janv\.?|f[ée]vrier|f[ée]vr?\.?|mars|avril|avr\.?|mai|juin|juillet|juil\.?"
    r"|ao[ûu]t|septembre|sept?\.?|octobre|oct\.?|novembre|nov\.?|d[ée]cembre|d[ée]c\.?)"
)  # in street names ("rue du 8 Mai 1945")
