"""Placeholders: the tokens that stand for an identifier, as models rewrite them."""

from __future__ import annotations

import re

from .text import _fold

# --- placeholders -----------------------------------------------------------------------------

_KIND_WORDS = (
    r"NOM|E[-_ ]?MAIL|T[ÉE]L|NIR|IBAN|ADRESSE|DATE[-_ ]*(?:DE[-_ ]*)?NAISSANCE|IDENTIFIANT"
)
_LOOSE_PLACEHOLDER_RE = re.compile(
    rf"\[[ \t]*(?P<kind>{_KIND_WORDS})[ \t]*[-_ ]?[ \t]*(?P<number>\d{{1,4}})[ \t]*\]", re.I
)
# Anything shaped like a placeholder, even of a kind we never produce ("[PRENOM_1]"): a draft
# that still contains one is not fit to be sent. Upper case and underscore are required here, so
# that "[annexe 2]" in a draft is not taken for one.
_GENERIC_PLACEHOLDER_RE = re.compile(r"\[[ \t]*[A-ZÉ]{2,}(?:_[A-ZÉ]{2,})*_\d{1,4}[ \t]*\]")


def _canonical_kind(word: str) -> str:
    word = re.sub(r"[-_ ]", "", _fold(word).upper())
    return {
        "EMAIL": "EMAIL",
        "TEL": "TEL",
        "DATENAISSANCE": "DATE_NAISSANCE",
        "DATEDENAISSANCE": "DATE_NAISSANCE",
    }.get(word, word)


def _parse_placeholder(token: str) -> tuple[str, int] | None:
    match = _LOOSE_PLACEHOLDER_RE.fullmatch(token.strip())
    if not match:
        return None
    return _canonical_kind(match["kind"]), int(match["number"])
