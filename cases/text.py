"""Text hygiene of what is sent to the usager.

``one_line`` makes a subject one line of printable text: a usager's line break must not reach
a mail header (Django refuses such a header, and every reply on the case would fail).

Drafts cite their sources as ``[n]`` markers; those are internal and never reach the usager.
``strip_citation_markers`` removes them (``[1]``, ``[1, 3]``, ``[1][2]``, ``[1]. [6]``, a line
made only of markers) and repairs the punctuation and spacing around them. It is the last guard
of the reply service (``cases/services/replies.py``), and drafting's ``strip_markers`` is this
same function (drafting imports cases, never the reverse).

The answer bank replaces a usager's identifiers with neutral words ("(téléphone masqué)"):
``MASKS`` is that vocabulary, and ``MASKED_RE`` finds any of them left in a reply, so that the
composer can warn the agent before it reaches the usager.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "CITATION_MARKER",
    "MASKED_RE",
    "MASKS",
    "REFERENCE_MASK",
    "UNKNOWN_MASK",
    "greeting_for",
    "is_greeting_line",
    "one_line",
    "phone_number",
    "says_nothing",
    "strip_citation_markers",
]

# What stands in place of each kind of identifier (plain words, never restorable placeholders).
MASKS = {
    "NOM": "(nom masqué)",
    "EMAIL": "(adresse e-mail masquée)",
    "TEL": "(téléphone masqué)",
    "NIR": "(numéro de sécurité sociale masqué)",
    "IBAN": "(IBAN masqué)",
    "ADRESSE": "(adresse masquée)",
    "DATE_NAISSANCE": "(date de naissance masquée)",
}
UNKNOWN_MASK = "(identifiant masqué)"
REFERENCE_MASK = "(référence masquée)"
# Any of them, and any older wording of the same form ("(… masqué)", "(… masquée)").
MASKED_RE = re.compile(r"\((?:[^()\n]{1,60} )?masquée?\)")

_HS = r"[ \t\u00a0\u202f]"
# One marker: "[3]", "[1, 3]", "[2-4]". Placeholders such as "[NOM_1]" are not markers.
CITATION_MARKER = r"\[\s*\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*\s*\]"
_ONE = CITATION_MARKER
# A chain of markers, with the punctuation a model scatters between them ("[1]. [6]"), and
# the punctuation right after the chain (kept once).
_CHAIN_RE = re.compile(
    rf"{_HS}*{_ONE}(?:{_HS}*(?P<between>[.,;:]?){_HS}*{_ONE})*(?:{_HS}*(?P<tail>[.,]))?"
)
_LINE_START_RE = re.compile(rf"(?m)^{_HS}*(?:{_ONE}{_HS}*)+")
_MARKER_LINE_RE = re.compile(rf"(?m)^{_HS}*(?:{_ONE}{_HS}*[.,;:]?{_HS}*)+(?:\n|$)")
_SPACE_BEFORE_RE = re.compile(rf"{_HS}+(?=[.,](?:\s|$))")
_MULTI_SPACE_RE = re.compile(rf"(?<=\S){_HS}{{2,}}(?=\S)")
_TRAILING_RE = re.compile(rf"(?m){_HS}+$")
_BLANK_LINES_RE = re.compile(r"\n{3,}")
_BETWEEN_RE = re.compile(r"\]\s*([.,;:])\s*\[")
_PUNCT = ".!?;:,"


def _chain(match: re.Match[str]) -> str:
    text = match.string
    before = text[: match.start()].rstrip(" \t\u00a0\u202f")
    punct = match.group("tail") or ""
    if not punct:
        # "[1]. [6]": the full stop the model put between the markers ends the sentence.
        between = _BETWEEN_RE.findall(match.group(0))
        punct = between[-1] if between else ""
    if punct and (not before or before[-1] in _PUNCT or before.endswith("\n")):
        punct = ""
    return punct


def strip_citation_markers(text: str) -> str:
    """``text`` without its citation markers, punctuation and spacing repaired: "délai [1]. [6]"
    reads "délai.", a line made only of markers disappears. French spacing before ":" ";" "?"
    "!" is left alone. A text without any marker is returned unchanged."""
    if "[" not in text or not re.search(_ONE, text):
        return text
    text = _MARKER_LINE_RE.sub("", text)
    text = _LINE_START_RE.sub("", text)
    text = _CHAIN_RE.sub(_chain, text)
    text = _SPACE_BEFORE_RE.sub("", text)
    text = _MULTI_SPACE_RE.sub(" ", text)
    text = _TRAILING_RE.sub("", text)
    return _BLANK_LINES_RE.sub("\n\n", text).strip()


# A line that only greets, without a verb: "Bonjour,", "Madame, Monsieur,", "Chère Madame,",
# "Bonjour Mme Martin,". A sentence ("Madame, votre dossier est complet,") is not one.
_GREETING_LINE_RE = re.compile(
    r"(?im)^[ \t]*(?:bonjour|bonsoir|madame|monsieur|mesdames|messieurs|ch[eè]re?s?)"
    r"(?:[ \t,]+(?:madame|monsieur|mme|m\.|mlle|(?-i:[A-ZÀ-Ý][\w'’.-]*))){0,4}[ \t]*,?[ \t]*$"
)


def greeting_for(usager_name: str) -> str:
    """How a reply to this usager starts (the composer's first line)."""
    return f"Bonjour {usager_name}," if usager_name else "Madame, Monsieur,"


def is_greeting_line(line: str) -> bool:
    """Whether ``line`` only greets ("Bonjour,", "Madame, Monsieur,", "Bonjour Mme Martin,")."""
    return bool(_GREETING_LINE_RE.fullmatch(line.strip()))


def _one_kind_of_line_break(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def says_nothing(body: str, *, courtesy: list[str]) -> bool:
    """Whether a reply holds nothing but courtesy: the ``courtesy`` texts (the greeting the
    composer starts with, the administration's closing formula and signature) and a line that
    only greets — the composer's starting text sent as it is. Line breaks are compared as one
    kind: a signature typed in a form is stored with CR LF."""
    text = _one_kind_of_line_break(strip_citation_markers(body or ""))
    parts = (_one_kind_of_line_break(p).strip() for p in courtesy if p and p.strip())
    for part in sorted(parts, key=len, reverse=True):
        text = text.replace(part, " ")
    text = _GREETING_LINE_RE.sub(" ", text)
    return not re.search(r"\w", text)


# Control characters (line breaks, tabs, NUL, escapes...) and the Unicode line and paragraph
# separators.
_NOT_ONE_LINE = frozenset(("Cc", "Zl", "Zp"))


def one_line(text: str) -> str:
    """``text`` on one line: control characters and line breaks become spaces, runs of spaces
    one, no space at either end."""
    text = "".join(
        " " if unicodedata.category(char) in _NOT_ONE_LINE else char for char in text or ""
    )
    return " ".join(text.split())


_PHONE_SEPARATORS = re.compile(r"[\s.\-/()\u00a0\u202f]")


def phone_number(text: str) -> str:
    """A usager's phone number in one written form, so that "06.12.34.56.78", "0612345678"
    and "+33 6 12 34 56 78" are the same usager's (cases/history.py matches them exactly):
    a French number as "06 12 34 56 78", any other as its digits after a "+". What is not a
    number is kept as written (trimmed)."""
    compact = _PHONE_SEPARATORS.sub("", text)
    if compact.startswith("0033"):
        compact = "+33" + compact[4:]
    if re.fullmatch(r"\+33[1-9]\d{8}", compact):
        compact = "0" + compact[3:]
    if re.fullmatch(r"0[1-9]\d{8}", compact):
        return " ".join(compact[i : i + 2] for i in range(0, 10, 2))
    if re.fullmatch(r"\+?\d{6,15}", compact):
        return compact
    return text.strip()
