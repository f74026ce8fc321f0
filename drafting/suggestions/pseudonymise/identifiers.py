"""Structured identifiers: NIR, IBAN, other administrative numbers, dates of birth."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .text import _HS, _MONTHS, _alnum, _fold

# --- NIR (numéro de sécurité sociale) -----------------------------------------------------------

_NIR_SEP = r"[ \u00a0\u202f.\-]"
_NIR_RE = re.compile(
    rf"[1-478](?<![\w+][1-478])(?P<body>(?:{_NIR_SEP}?[0-9AaBb]){{12}})"
    rf"(?:(?P<keysep>{_NIR_SEP}{{0,3}}(?:[/\-]{_NIR_SEP}{{0,3}})?)(?P<key>\d{{2}}))?(?!\w)"
)
_NIR_CUE_RE = re.compile(
    r"(?i:s[ée]curit[ée][ \t]+sociale|\bNIR\b|\bn°[ \t]*SS\b|\bINSEE\b|\bs[ée]cu\b)"
)


def _nir_compact(value: str) -> str:
    return _alnum(value).upper()


def _nir_structure_ok(compact13: str) -> bool:
    if not (compact13[:5].isdigit() and compact13[7:].isdigit()):
        return False
    month = int(compact13[3:5])
    dept = compact13[5:7]
    # Months 20-42 and 50-99 exist for people whose birth month was unknown when registered.
    if month == 0 or 13 <= month <= 19:
        return False
    if dept in ("2A", "2B"):
        return True
    return dept.isdigit() and dept != "00"


def _nir_key_ok(compact13: str, key: str) -> bool:
    # Corsica: 2A and 2B count as 19 and 18 in the control key computation.
    number = int(compact13.replace("2A", "19").replace("2B", "18"))
    return 97 - number % 97 == int(key)


def _nir_key(value: str) -> str:
    # With or without its control key, it is the same person.
    return _nir_compact(value)[:13]


# --- IBAN -------------------------------------------------------------------------------------

_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    # Not in the SWIFT registry, but banks of the Maghreb and West Africa print IBAN-shaped
    # numbers and many usagers have accounts there.
    "MA": 28, "DZ": 26, "SN": 28, "CI": 28, "CM": 27, "MG": 27, "ML": 28, "BJ": 28, "BF": 28,
}  # fmt: skip
# Upper-case country codes may be followed by a space ("FR 76 ..."); lower-case ones must not,
# or "de 12 ..." in prose would start a candidate. After the first group (a bank code may be
# all letters: "GB82 WEST ...") each group must hold a digit, so that the words following an
# IBAN ("FR12 mon compte...") never count towards its length.
_IBAN_GROUP = r"(?=[A-Za-z]*\d)[A-Za-z0-9]+"
_IBAN_RE = re.compile(
    rf"(?<![A-Za-z0-9])(?:[A-Z]{{2}}{_HS}?|[A-Za-z]{{2}})\d{{2}}"
    rf"[ \u00a0\-]?[A-Za-z0-9]+(?:[ \u00a0\-]{_IBAN_GROUP})*"
)


def _iban_end(match: re.Match[str]) -> int | None:
    """End offset of the IBAN that starts ``match``, or None if it is not one.

    The candidate may run on into other numbers; it is cut at the end of the group that brings
    it to the country's length. A group end one or two characters off still counts: a mistyped
    IBAN is still somebody's bank account (hence no checksum test either).
    """
    length = _IBAN_LENGTHS.get(match.group()[:2].upper())
    if length is None:
        return None
    best: tuple[int, int] | None = None  # (distance to the expected length, end offset)
    count = 0
    for group in _IBAN_CHUNK.finditer(match.group()):
        count += sum(c.isalnum() for c in group.group())
        distance = abs(count - length)
        if distance <= 2 and (best is None or distance < best[0]):
            best = (distance, match.start() + group.end())
        if count > length + 2:
            break
    return None if best is None else best[1]


_IBAN_CHUNK = re.compile(r"[A-Za-z0-9]+")


def _iban_key(value: str) -> str:
    return _alnum(value).upper()


# --- other administrative identifiers ------------------------------------------------------------

_IDENT_RE = re.compile(
    r"(?i:(?<!\w)(?:(?:num[ée]ro|num\.|n[°º]|no\.?)[ \t]*(?:d['\u2019][ \t]*|de[ \t]+)?"
    r"(?:allocataire|fiscal|identifiant|passeport|carte[ \t]+d['\u2019]identit[ée]|cni"
    r"|adh[ée]rent[ \t]+msa|demandeur[ \t]+d['\u2019]emploi)"
    r"|identifiant(?:[ \t]+(?:fiscal|france[ \t]+travail|p[ôo]le[ \t]+emploi))?"
    r"|allocataire(?=[ \t]*(?:caf|msa)?[ \t]*:))"
    r"(?:[ \t]+(?:caf|msa|france[ \t]+travail|p[ôo]le[ \t]+emploi))?"
    r"[ \t]*(?::|est|=)?[ \t]*)"
    r"(?P<value>(?:\d[ \u00a0]?){12}\d(?!\w)|(?=[A-Z0-9]*\d[A-Z0-9]*\d)[A-Z0-9]{5,15}(?!\w))"
)


_IDENT_HINTS = (
    "allocataire",
    "fiscal",
    "identifiant",
    "passeport",
    "identite",
    "cni",
    "msa",
    "demandeur",
)


def _ident_key(value: str) -> str:
    return _alnum(value).upper()


# --- numbers of identity documents, after the document's name --------------------------------

# "passeport n° 18AB12345", "ma carte d'identité numéro X4RTBPFW4", "titre de séjour pluriannuel
# n° 6912345678", "permis de conduire B n° 123456789012", "mon numéro AGDREF est le 6912345678":
# the number comes after the document's name (``_IDENT_RE`` reads "numéro de passeport …", the
# other order), with at most a few words between. A value is a run of letters and digits with at
# least two digits, in up to four groups ("18 AB 12345"), 6 to 15 characters in all
# (``_document_value_ok``): "permis B", "valable 10 ans" and dates are not numbers, and neither
# are years ("permis de conduire 1998 2012"). Every repetition is bounded and possessive: a
# long pasted run after "passeport" costs linear time.
_DOC_NAME = (
    r"passeport|carte[ \t]+(?:nationale[ \t]+)?d['\u2019][ \t]*identit[ée]|\bcni"
    r"|(?:titre|carte|r[ée]c[ée]piss[ée])[ \t]+de[ \t]+(?:s[ée]jour|r[ée]sident)"
    r"|\btitre[ \t]+de[ \t]+voyage|permis(?:[ \t]+de[ \t]+conduire)?"
    r"|(?:num[ée]ro|n[°º])[ \t]+(?:d['\u2019][ \t]*)?[ée]tranger|agdref"
)
# Words that may stand between the name and the number: qualifiers ("pluriannuel", "étudiant"),
# a licence's categories ("B", "A2"), "qui porte le numéro", "est le".
_DOC_BETWEEN = (
    r"(?:[ \t]+(?:actuel(?:le)?|fran[çc]aise?|biom[ée]trique|provisoire|temporaire"
    r"|pluriannuel(?:le)?|[ée]tudiant|salari[ée]|vie[ \t]+priv[ée]e[ \t]+et[ \t]+familiale"
    r"|(?-i:[A-E][1-2]?[EM]?)|qui[ \t]+porte|porte|portant|avec|est|le|la|l['\u2019]|mon|ma|son|sa"
    r"|num[ée]ro|n[°º]"
    # whose document: "de mon fils", "de ma fille", "du demandeur"
    r"|d[eu][ \t]+(?:(?:mon|ma|mes|son|sa|ses|notre|votre)[ \t]+)?[^\W\d]{2,15}+)"
    r"(?!\w)){0,5}+"
)
_DOC_GROUP = r"(?=[A-Za-z]{0,14}+\d)[A-Za-z0-9]{1,15}+"
_DOC_RE = re.compile(
    rf"(?i:(?<!\w)(?:{_DOC_NAME})(?!\w){_DOC_BETWEEN}"
    r"[ \t]*+(?:\(?(?:num[ée]ro|num\.|n[°º]|no\.?)\)?)?[ \t]*+(?:(?::|est|=)[ \t]*+(?:le[ \t]+)?)?)"
    rf"(?P<value>(?<![\w/.\-]){_DOC_GROUP}"
    rf"(?:[ \u00a0]{_DOC_GROUP}|[ \u00a0][A-Z]{{1,4}}(?=[ \u00a0]\d)){{0,3}}+"
    r"(?![\w/\-]|[.,]\d))"
)
_DOC_HINTS = (
    "passeport",
    "identite",
    "cni",
    "sejour",
    "resident",
    "titre de voyage",
    "permis",
    "etranger",
    "agdref",
)
_YEARS = re.compile(r"(?:(?:19|20)\d\d[ \u00a0]?)+")
# "le 12 03 2024": a date written with spaces, not a number.
_SPACED_DATE = re.compile(
    r"(?:0?[1-9]|[12]\d|3[01])[ \u00a0]+(?:0?[1-9]|1[0-2])[ \u00a0]+(?:19|20)?\d\d"
)


def _document_value_ok(value: str) -> bool:
    compact = _alnum(value)
    value = value.strip()
    return (
        6 <= len(compact) <= 15
        and sum(c.isdigit() for c in compact) >= 2
        and not _YEARS.fullmatch(value)
        and not _SPACED_DATE.fullmatch(value)
    )


def _identifiers(text: str, folded: str) -> Iterator[tuple[int, int]]:
    """Spans of the administrative numbers of ``text`` (``folded``: its folded form, for the
    cheap substring tests that spare most messages the full patterns)."""
    if any(word in folded for word in _IDENT_HINTS):
        for match in _IDENT_RE.finditer(text):
            yield match.span("value")
    if any(word in folded for word in _DOC_HINTS):
        for match in _DOC_RE.finditer(text):
            if _document_value_ok(match["value"]):
                yield match.span("value")


# --- dates of birth ---------------------------------------------------------------------------

_MONTH_F = (
    r"(?:janvier|janv\.?|fevrier|fevr?\.?|mars|avril|avr\.?|mai|juin|juillet|juil\.?|aout"
    r"|septembre|sept?\.?|octobre|oct\.?|novembre|nov\.?|decembre|dec\.?)"
)
_DATE_VALUE_F = (
    r"(?:(?:0?[1-9]|[12]\d|3[01])[ \t]*(?P<s1>[/.\-])[ \t]*(?:0?[1-9]|1[0-2])[ \t]*(?P=s1)[ \t]*"
    r"(?:\d{4}|\d{2})"
    r"|(?:0?[1-9]|[12]\d|3[01])[ \t]+(?:0?[1-9]|1[0-2])[ \t]+(?:19|20)\d{2}"
    rf"|(?:1er|0?[1-9]|[12]\d|3[01])[ \t]+{_MONTH_F}[ \t]+\d{{4}}"
    r"|(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    rf"|{_MONTH_F}[ \t]+(?:19|20)\d{{2}}"
    r"|(?:19|20)\d{2})(?![\d/.\-]\d)"
)
# Only cued dates are birth dates; a deadline "avant le 15/04/2026" must reach the model intact.
# Matched on the folded text, whose offsets are those of the original.
_DOB_F = re.compile(
    r"(?:ne(?<!\wne)e?s?(?:[ \t]*\([ \t]*e[ \t]*\))?|date(?<!\wdate)[ \t]+de[ \t]+naiss"
    r"(?:ance|\.)?|d(?<!\wd)\.?d\.?n\.?)(?![\w(])"
    r"(?:[ \t]+(?:de|du)[ \t]+(?:mon|ma|notre|l')[ \t]*[^\W\d]{2,20})?"
    r"(?:[ \t]*(?:[:\-]|(?:le|en)(?!\w))){0,3}"
    r"(?:[ \t]+a[ \t]+[^\n\d:]{1,40}?[ \t]+le)?[ \t]*(?:\n[ \t]*)?"
    rf"(?P<value>{_DATE_VALUE_F})"
)
_DATE_TOKENS = re.compile(r"\d+|[^\W\d_]+")


def _date_key(value: str) -> str:
    """Day-month-year with a two-digit year, so "12.03.85" and "12 mars 1985" agree."""
    numbers: list[str] = []
    month = 0
    for token in _DATE_TOKENS.findall(_fold(value)):
        if token.isdigit():
            numbers.append(token)
        elif token in _MONTHS:
            month = _MONTHS[token]
    if len(numbers) == 3 and len(numbers[0]) == 4:  # ISO order
        numbers = numbers[::-1]
    if month:
        numbers.insert(1 if len(numbers) > 1 else 0, str(month))
    if len(numbers) == 1:
        numbers = ["0", "0", numbers[0]]
    elif len(numbers) == 2:
        numbers = ["0", *numbers]
    day, mon, year = numbers[0], numbers[1], numbers[-1]
    return f"{int(day)}-{int(mon)}-{year[-2:]}"
