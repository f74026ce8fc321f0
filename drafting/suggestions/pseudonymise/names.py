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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

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

# --- e-mail -----------------------------------------------------------------------------------

# Scanning for local parts everywhere is slow; addresses are found from their "@" instead.
_EMAIL_DOMAIN_AT = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
)
_EMAIL_LOCAL_CHARS = frozenset("._%+-")
# People dodge spam filters with "jean at gmail.com" or "jean (at) gmail (dot) com". The TLD list
# keeps " point " (a common French word) from turning prose into an address.
_OBF_AT = r"(?:[ \t]*[(\[{][ \t]*(?:at|arobase)[ \t]*[)\]}][ \t]*|[ \t]+(?:at|arobase)[ \t]+)"
_OBF_DOT = r"(?:\.|[ \t]*[(\[{][ \t]*(?:dot|point)[ \t]*[)\]}][ \t]*|[ \t]+(?:dot|point)[ \t]+)"
_OBF_TLD = r"(?:com|fr|net|org|eu|info|be|ch|lu|io|de|es|it|pt|uk|ca|ma|dz|tn|sn|re|gp|mq|yt|nc|pf)"
_EMAIL_OBF_RE = re.compile(
    rf"(?i:(?<![\w.%+-])[\w.%+-]{{1,64}}{_OBF_AT}"
    rf"(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?{_OBF_DOT}){{1,4}}{_OBF_TLD}(?![\w-]))"
)
_OBF_AT_KEY = re.compile(_OBF_AT, re.I)
_OBF_HINTS = (" at ", "(at)", "[at]", "{at}", "( at )", "arobase")
_OBF_DOT_KEY = re.compile(_OBF_DOT, re.I)


def _emails(text: str) -> Iterable[tuple[int, int]]:
    at = text.find("@")
    while at != -1:
        start = at
        while start > 0 and at - start < 64:
            char = text[start - 1]
            if not (char.isalnum() or char == "_" or char in _EMAIL_LOCAL_CHARS):
                break
            start -= 1
        while start < at and text[start] == ".":
            start += 1
        domain = _EMAIL_DOMAIN_AT.match(text, at + 1)
        if start < at and domain:
            yield start, domain.end()
        at = text.find("@", at + 1)


def _email_key(value: str) -> str:
    value = _OBF_AT_KEY.sub("@", value)
    local, _, domain = value.partition("@")
    return (local.strip() + "@" + _OBF_DOT_KEY.sub(".", domain).replace(" ", "")).lower()


# --- phone ------------------------------------------------------------------------------------

_PHONE_SEP = r"[ \u00a0\u202f.\-/]"
# Overseas departments and territories use the same 9 national digits behind their own code.
_PHONE_CC = r"(?:33|262|269|508|590|594|596|681|687|689)"
# Every pattern below starts with a plain character and checks what precedes it afterwards:
# a leading look-behind would keep the regex engine from skipping quickly to candidates.
_PHONE_RE = re.compile(
    r"(?:(?:\+(?<![\w+]\+)|0(?<![\w+]0)(?<!\d[.\-/]0)0)"
    rf"{_HS}?{_PHONE_CC}{_HS}?[.\-]?{_HS}?(?:\(0\){_HS}?)?"
    rf"|\((?<![\w+]\()0\){_HS}?|0(?<![\w+]0)(?<!\d[.\-/]0))"
    rf"(?P<local>[1-79](?:{_PHONE_SEP}?\d){{8}})"
    r"(?!\d)(?![.\-/]\d)"
)


def _phone_key(value: str) -> str:
    return "0" + re.sub(r"\D", "", value)[-9:]


def _phone_ok(match: re.Match[str]) -> bool:
    seps = {"space" if c in " \u00a0\u202f" else c for c in match["local"] if not c.isdigit()}
    # "01/02/2026 03..." has ten digits too; a real number never mixes slashes with other marks.
    return not ("/" in seps and len(seps) > 1)


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


# --- postal addresses -------------------------------------------------------------------------

_STREET_STRONG = (
    r"rue|ruelle|avenue|av\.?|bd\.?|boulevard|bld|blvd|impasse|imp\.|all[ée]es?|quai|faubourg"
    r"|fbg|venelle|sentier|mont[ée]e|rond-point|esplanade|chauss[ée]e|square|route|rte|chemin"
)
# These are also ordinary nouns ("1 place en crèche"): they need a capitalised name or a postcode.
_STREET_WEAK = (
    r"place|pl\.|cours|passage|villa|cit[ée]|r[ée]sidence|lotissement|hameau|domaine|mail|voie"
    r"|promenade|clos|parc|traverse|c[ôo]te|parvis|za|zi|zac"
)
_WEAK_TYPES = re.compile(rf"(?i:{_STREET_WEAK})")
_STOP_WORDS = (
    "je|tu|il|elle|on|nous|vous|ils|elles|et|ou|où|mais|donc|car|ni|que|qui|quoi|dont|depuis"
    "|pour|avec|sans|dans|chez|par|à|a|est|sont|suis|ai|as|avons|avez|ont|était|habite|habitons"
    "|habitent|vis|vit|vivons|mon|ma|mes|ton|ta|tes|son|sa|ses|notre|nos|votre|vos|leur|leurs"
    "|ce|cet|cette|ces|ceci|cela|ça|ne|pas|plus|puis|alors|si|comme|quand|lorsque|tél|tel"
    "|téléphone|telephone|portable|mobile|email|e-mail|mail|courriel|appartement|appt|apt|bât"
    "|bâtiment|batiment|escalier|étage|etage|né|née|nee|depuis|code|postal|iban|rib|nir|merci"
    "|cordialement|bonjour|madame|monsieur|objet|concernant|car|afin|mais|or|ici|y"
)
_STOP_RE = rf"(?i:(?:{_STOP_WORDS})(?![\w{_AP}-])|(?:j|qu|n|c|m|s|t)[{_AP}])"
_STREET_TOKEN = (
    r"(?:(?i:st|ste|dr|g[ée]n|gal|mal|pr|cdt|mgr|mar)\."
    rf"|\d{{1,2}}(?:er)?[ \t]+(?i:{_MONTH_RE})(?:[ \t]+(?:1[89]|20)\d{{2}})?(?!\w)"
    rf"|et(?=[ \t]+[{_UP}])"
    rf"|(?!{_STOP_RE})[^\W\d_][\w{_AP}-]*)"
)
_CITY = (
    rf"(?!{_STOP_RE})[^\W\d_][\w{_AP}-]*"
    rf"(?:[ \t]+(?:(?i:sur|sous|en|l[èe]s|lez|de|du|des|la|le|les|aux|au)[ \t]+)?"
    rf"(?!{_STOP_RE})[{_UP}][\w{_AP}-]*){{0,3}}"
    r"(?:[ \t]+(?i:cedex)(?:[ \t]+\d{1,2})?)?"
    r"(?:[ \t]+\d{1,2}(?:e|er|ème)(?!\w))?"
)
_POSTCODE_CITY = (
    rf"(?P<city>{_HS}*,?{_HS}*(?:\r?\n{_HS}*)?(?<!\d)(?:F-)?\d{{5}}(?!\d)[ \t]+{_CITY})?"
)
_ADDRESS_TAIL = rf"(?P<name>(?:[ \t]+{_STREET_TOKEN}){{1,7}})" + _POSTCODE_CITY
_ADDRESS_TAIL_AT = re.compile(_ADDRESS_TAIL)
_ADDRESS_RE = re.compile(
    r"\d(?<![\w,.]\d)\d{0,3}(?:[ \t]*-[ \t]*\d{1,4})?"
    r"(?:[ \t]*(?i:bis|ter|quater)(?!\w)|[ \t]?[A-Da-d](?!\w))?[ \t]*,?[ \t]+"
    rf"(?P<type>(?i:{_STREET_STRONG}|{_STREET_WEAK}))(?![\w-])" + _ADDRESS_TAIL
)
# Addresses without a street number: a lieu-dit, a named residence, or a street after "j'habite".
# The cue is found on the folded text, the rest is read on the original by _ADDRESS_TAIL_AT.
_ADDRESS_NONUM_F = re.compile(
    r"(?P<lieu>lieu(?:-| )?dit|lieudit)(?:[ \t]*:)?"
    r"|(?P<res>residence|lotissement|hameau|domaine|cite)(?=[ \t]+\S)"
    r"|(?:j' ?habite|nous[ \t]+habitons|domicilie(?:e|s|es)?|demeurant|residant)"
    r"(?:[ \t]+(?:au|a|dans|en))?(?:[ \t]+(?:la|le|l'))?[ \t]+"
    rf"(?P<street>{_STREET_STRONG})(?![\w-])"
)
_ADDRESS_NONUM_HINTS = (
    "lieu",
    "residence",
    "lotissement",
    "hameau",
    "domaine",
    "cite",
    "habit",
    "domicili",
    "demeurant",
    "resid",
)
_PARTICLES = _words(
    "de du des d le la les l au aux en sur sous et van von der den da dos das di del della "
    "ben ibn el al"
)


def _address_span(match: re.Match[str], start: int, *, weak: bool) -> tuple[int, int] | None:
    words = [w for w in _STREET_WORD.findall(match["name"]) if w.lower() not in _PARTICLES]
    if not words:
        return None
    # Weak street types need a capitalised name or a postcode to be told apart from prose.
    if weak and not match["city"] and not any(w[0].isupper() for w in words):
        return None
    if match["city"]:
        return start, match.end("city")
    # Do not swallow trailing particles ("12 rue des Lilas et ...").
    trimmed = _TRAILING_PARTICLES.sub("", match["name"])
    return start, match.start("name") + len(trimmed)


_STREET_WORD = re.compile(rf"[^\W\d_][\w{_AP}-]*")
_TRAILING_PARTICLES = re.compile(
    r"(?:[ \t]+(?:de|du|des|d'|la|le|les|l'|au|aux|en|sur|et))+[ \t]*$", re.I
)


def _address_key(value: str) -> str:
    return " ".join(_WORD.findall(_fold(value)))


_WORD = re.compile(r"\w+")


# --- names ------------------------------------------------------------------------------------

# Cued names are read on the original text, because capitals are what tells a name from a word.
_NAME_PART = rf"(?:[{_UP}]{{2,}}|[{_UP}][{_LOW}]+)"
_NAMEWORD = rf"(?:[{_UP}dl][{_AP}])?{_NAME_PART}(?:-(?:{_NAME_PART}|[{_LOW}]+))*(?![\w{_AP}-])"
_INITIAL = rf"[{_UP}]\.(?:-[{_UP}]\.)?"
_PARTICLE_RE = (
    r"(?:[dD]e|[dD]u|[dD]es|[lL]e|[lL]a|[vV]an|[vV]on|[dD]er|[dD]en|[dD]a|[dD]os|[dD]as|[dD]i"
    rf"|[dD]el|[bB]en|[iI]bn|[eE]l|[aA]l)(?![\w{_AP}-])"
)
_NAME = rf"{_NAMEWORD}(?:[ \t]+(?:{_PARTICLE_RE}[ \t]+){{0,2}}{_NAMEWORD}){{0,3}}"
_ANYWORD = rf"[^\W\d_][\w{_AP}-]*"
_CIV = (
    r"(?<!\w)(?:Madame|Monsieur|Mademoiselle|MADAME|MONSIEUR|MADEMOISELLE|Mme|MME|Mlle|MLLE|Mr"
    r"|MR|M|Me|Ma[îi]tre|Dr|Docteur)(?!\w)\.?"
)
_NAME_AT = re.compile(_NAME)
_INITIAL_AT = re.compile(_INITIAL)
_TOKEN = re.compile(r"\S+")
# "mes enfants Lucas, Emma et Noah": the names listed after the first one.
_MORE_NAMES_AT = re.compile(rf"(?:[ \t]*,[ \t]*|[ \t]+et[ \t]+)(?P<name>{_NAMEWORD})")
_NAME_ANY_AT = re.compile(rf"{_ANYWORD}(?:[ \t]+{_ANYWORD}){{0,3}}")
_SIGNED_NAME_AT = re.compile(rf"(?:{_CIV}[ \t]+)?(?P<name>{_NAME})[ \t]*\.?[ \t]*(?:\n|$)")
_NAME_LINE_RE = re.compile(
    rf"[ \t]*(?P<civ>{_CIV}[ \t]+)?(?P<name>(?:{_INITIAL}|{_NAMEWORD})"
    rf"(?:[ \t]+(?:{_PARTICLE_RE}[ \t]+){{0,2}}(?:{_INITIAL}|{_NAMEWORD})){{0,3}})"
    r"[ \t]*[.,]?[ \t]*$"
)

# Cues are searched on the folded text (lower case, no accents), which keeps these patterns free
# of slow case-insensitive alternations; the name itself is then read on the original text.
_CIV_F = r"(?:madame|monsieur|mademoiselle|mme|mlle|mr|m|me|maitre|dr|docteur)(?!\w)\.?"
_CIVILITIES = _words("m mr mme mlle madame monsieur mademoiselle me maitre dr docteur")
_CIV_BEFORE_F = re.compile(rf"(?:^|[^\w]){_CIV_F}[ \t]+$")


def _cue(pattern: str) -> re.Pattern[str]:
    # A space in a cue stands for any run of blanks (written [\t\x20] where a class is meant).
    return re.compile(pattern.replace(" ", r"[\t\x20]+"))


@dataclass(frozen=True)
class _NameCue:
    pattern: re.Pattern[str]  # on folded text, ends where the name starts
    min_tokens: int  # name tokens needed (one is enough after a civility)
    any_case: bool  # strong cues accept "je m'appelle marie dupont"
    listing: bool = False  # the cue may introduce several names ("mes enfants X et Y")


_SP = r"[\t\x20]"
# No leading look-behind (it would slow the scan down): _cued_names() checks word starts.
_NAME_CUES = (
    _NameCue(
        _cue(
            rf"(?:je m'{_SP}*appelle|mon nom est|je me nomme|je soussigne(?:e|\(e\))?,?)"
            rf"{_SP}+(?:(?P<civ>{_CIV_F}){_SP}+)?"
        ),
        1,
        True,
    ),
    _NameCue(
        _cue(
            r"(?:nom(?: de famille| de naissance| de jeune fille| d'usage| et prenoms?| complet)?"
            rf"|prenoms?(?: et nom)?|nom{_SP}*/{_SP}*prenoms?){_SP}*:{_SP}*"
        ),
        1,
        True,
    ),
    _NameCue(_cue(rf"je suis{_SP}+(?:(?P<civ>{_CIV_F}){_SP}+)?"), 2, False),
    _NameCue(_cue(rf"(?P<civ>{_CIV_F}){_SP}+"), 1, False),
    _NameCue(_cue(rf"signee?(?:{_SP}*:|{_SP}+par)?{_SP}+(?:(?P<civ>{_CIV_F}){_SP}+)?"), 1, False),
    _NameCue(
        _cue(
            r"(?:mon|ma|notre|nos|mes) (?:fils|filles?|enfants?|epoux|epouse|mari|femme"
            r"|conjointe?|compagnon|compagne|concubine?|pere|mere|frere|s(?:oe|\u0153)ur|petit-fils"
            rf"|petite-fille|neveu|niece|bebe){_SP}*,?{_SP}+"
        ),
        1,
        False,
        listing=True,
    ),
    _NameCue(_cue(rf"de la part de{_SP}+(?:(?P<civ>{_CIV_F}){_SP}+)?"), 1, False),
)

# Every alternative starts with a plain letter, which lets the engine skip ahead quickly.
_CLOSING_F = (
    r"(?:bien cordialement|tres cordialement|cordialement|sinceres salutations(?: distinguees)?"
    r"|meilleures salutations|salutations(?: distinguees)?|bien a vous|respectueusement"
    rf"|amicalement|merci(?: (?:d'{_SP}*avance|par avance|beaucoup|bien|encore|pour votre"
    r" (?:aide|retour|reponse|comprehension)))?|en vous remerciant(?: (?:par avance"
    rf"|d'{_SP}*avance))?|bonne journee|bonne soiree|a bientot|dans l'attente de votre reponse)"
)
_CLOSING_LINE_F = _cue(_CLOSING_F + rf"{_SP}*[.,!]*{_SP}*(?m:$)")
_CLOSING_INLINE_F = _cue(_CLOSING_F + rf"{_SP}*[.,!]*{_SP}+(?=\S)")


def _word_start(folded: str, position: int) -> bool:
    return position == 0 or not folded[position - 1].isalnum()


# Words that follow a cue capitalised but are not names: titles, institutions, sentence starts.
_NOT_NAME = _words(
    """
    madame monsieur mademoiselle mme mlle mr m me docteur dr maitre directeur directrice
    president presidente prefet prefete maire ministre conseiller conseillere agent agente
    responsable chef juge mediateur mediatrice depute deputee senateur senatrice gestionnaire
    service services caf cpam cnaf ants msa urssaf carsat mdph dgfip sip sie cnav cram rsa apl
    als alf aah ajpp paje cmu css ame ars cpf are ass rib iban nir pj ps nb ok tel fax france
    travail pole emploi public publique publics caisse assurance maladie retraite allocation
    allocations familiales prefecture mairie impots impot finances centre direction tresor
    tribunal agence ministere republique etat departement region conseil objet bonjour bonsoir
    merci cordialement salutations amicalement respectueusement bonne journee soiree je j nous
    vous il elle on ils elles ce cela ceci suite depuis mon ma mes votre vos notre nos un une
    et ou mais donc car pour avec sans dans sur sous chez par lors apres avant pendant oui non
    cedex rue avenue boulevard lundi mardi mercredi jeudi vendredi samedi dimanche janvier
    fevrier avril juin juillet aout septembre octobre novembre decembre allocataire
    beneficiaire demandeur usager usagere assure assuree contribuable titulaire locataire
    proprietaire parent parents mere pere fils fille enfant enfants epoux epouse mari femme
    francais francaise etranger etrangere nom prenom prenoms ne nee nes nees date adresse
    telephone portable mail email courriel numero dossier reference piece jointe messieurs
    mesdames cher chere chers urgent urgence demande reclamation attestation carte vitale
    grise securite sociale prime activite logement aide impot revenu compte espace personnel
    formulaire courrier document justificatif facture avis declaration paiement versement
    remboursement pension indemnite chomage arret accident handicap famille familiale sante
    solidaire complementaire mutuelle banque postale poste bureau accueil guichet copie
    """
)
# Surnames that are also everyday French words: a lower-case occurrence is the word, not the
# usager ("un petit souci" for Mme Petit).
_COMMON_WORDS = _words(
    """
    petit petite blanc blanche brun brune roux rousse noir grand grande gros fort bon bonne
    rose lion loup renard fontaine moulin marchand mercier boucher boulanger berger meunier
    charpentier chevalier masson bonnet roi page carre bois pierre roche vigne chene lac mer
    mars mai juin avril leger sage juste gentil doux court long france paris salle amour
    bonheur claire loyer bureau maison chaud froid reste billet poste marche porte cote garde
    droit riviere champ champs vallee aide payen caron maire prevost baron comte duc prince
    lievre leveque cerf coq mouton vache poisson pin olive laurier lune soleil etoile beau
    belle joli jolie vrai prieur abbe moine pape clerc noel paques martin colombe
    """
)
_STOP_WORDS_SET = frozenset(_fold(w) for w in _STOP_WORDS.split("|"))
_ELIDED = re.compile(rf"(?:j|qu|n|c|m|s|t|l)[{_AP}]")


def _is_particle(token: str) -> bool:
    # Particles are plain ASCII: lower() is enough, no need to fold accents.
    lowered = token.lower().replace("\u2019", "'")
    return lowered in _PARTICLES or lowered in ("d'", "l'")


def _clean_name(
    text: str, start: int, end: int, *, min_tokens: int = 1, any_case: bool = False
) -> tuple[int, int] | None:
    """Trim a cued name to the tokens that really are a name, or reject it."""
    kept_end = None
    kept = 0
    for token in _TOKEN.finditer(text, start, end):
        word = token.group()
        if _INITIAL_AT.fullmatch(word):
            continue  # "J. Dupont": the initial goes with the name but does not make one
        folded = _fold(word).strip(".")
        if folded in _NOT_NAME or (folded[-1:] in "sx" and folded[:-1] in _NOT_NAME):
            break
        if any_case and (folded in _STOP_WORDS_SET or _ELIDED.match(word)):
            break
        if _is_particle(word):
            continue
        kept += 1
        kept_end = token.end()
    if kept_end is None or kept < min_tokens:
        return None
    return start, kept_end


def _cued_names(text: str, folded: str) -> list[tuple[int, int]]:
    spans = []
    for cue in _NAME_CUES:
        for match in cue.pattern.finditer(folded):
            if not _word_start(folded, match.start()):
                continue
            civ = match.groupdict().get("civ")
            # "me" and "m" are also pronouns: as a civility they are written with a capital.
            if civ and not text[match.start("civ")].isupper():
                continue
            name = (_NAME_ANY_AT if cue.any_case else _NAME_AT).match(text, match.end())
            if name is None:
                continue
            cleaned = _clean_name(
                text,
                name.start(),
                name.end(),
                min_tokens=1 if civ else cue.min_tokens,
                any_case=cue.any_case,
            )
            if cleaned:
                spans.append(cleaned)
                position = cleaned[1]
                while cue.listing and (more := _MORE_NAMES_AT.match(text, position)):
                    extra = _clean_name(text, more.start("name"), more.end("name"))
                    if extra is None:
                        break
                    spans.append(extra)
                    position = extra[1]
    spans.extend(_signature_names(text, folded))
    return spans


def _signature_names(text: str, folded: str) -> list[tuple[int, int]]:
    """Names signed at the end of the message ("Cordialement,\\nJean Martin")."""
    spans = []
    last_closing_end = None
    for match in _CLOSING_INLINE_F.finditer(folded):
        if not _word_start(folded, match.start()):
            continue
        signed = _SIGNED_NAME_AT.match(text, match.end())
        if signed:
            cleaned = _clean_name(text, signed.start("name"), signed.end("name"))
            if cleaned:
                spans.append(cleaned)
    for match in _CLOSING_LINE_F.finditer(folded):
        if _word_start(folded, match.start()):
            last_closing_end = match.end()
    if last_closing_end is not None:
        lines = _lines(text, last_closing_end + 1)
        candidates = lines[:3]
        min_tokens = 1
    else:
        # Without a closing formula, only the last lines of a message of several lines, and
        # only full names (two words at least).
        lines = _lines(text, 0)
        candidates = lines[-5:] if len(lines) > 5 else lines[1:]
        min_tokens = 2
    for start, line in candidates:
        named = _NAME_LINE_RE.match(line)
        if not named:
            continue
        cleaned = _clean_name(
            text,
            start + named.start("name"),
            start + named.end("name"),
            min_tokens=1 if named["civ"] else min_tokens,
        )
        if cleaned:
            spans.append(cleaned)
    return spans


def _lines(text: str, start: int) -> list[tuple[int, str]]:
    """The non-blank lines of ``text`` from offset ``start``, with their offsets."""
    lines = []
    offset = start
    for line in text[start:].split("\n"):
        if line.strip():
            lines.append((offset, line))
        offset += len(line) + 1
    return lines


# Known names are matched word by word on the folded text, through an index built per call:
# compiling one regular expression per usager would cost more than all the rest together.
_NAME_TOKEN = re.compile(r"[^\W\d_]+")
_NAME_GAP = re.compile(r"[ \t]*-[ \t]*|[ \t]+|'[ \t]?")


@dataclass(frozen=True)
class _Person:
    first: tuple[str, ...]
    last: tuple[str, ...]
    # Names guessed from the text itself are less certain than the case's own: their bare
    # occurrences are only masked when capitalised.
    strict: bool


def _split_person(name: str, *, strict: bool) -> _Person | None:
    tokens = name.split()
    # Case records sometimes hold "Mme Marie Dupont": the civility is not part of the name.
    while tokens and _fold(tokens[0]).rstrip(".") in _CIVILITIES:
        tokens = tokens[1:]
    # Initials ("J. Dupont") identify nobody on their own and would match every "J'ai".
    tokens = [t for t in tokens if not _INITIAL_AT.fullmatch(t)]
    if not tokens:
        return None
    if len(tokens) == 1:
        return _Person((), tuple(tokens), strict)
    caps = [i for i, t in enumerate(tokens) if sum(c.isalpha() for c in t) >= 2 and t.isupper()]
    if caps and len(caps) < len(tokens):
        # "Marie DUPONT" / "DUPONT Marie": the upper-case run is the surname (with particles).
        low, high = caps[0], caps[-1]
        while low > 0 and _is_particle(tokens[low - 1]):
            low -= 1
        return _Person(
            tuple(tokens[:low] + tokens[high + 1 :]), tuple(tokens[low : high + 1]), strict
        )
    for index in range(1, len(tokens)):
        if _is_particle(tokens[index]) or _ELIDED.match(tokens[index].lower()):
            return _Person(tuple(tokens[:index]), tuple(tokens[index:]), strict)
    return _Person(tuple(tokens[:-1]), (tokens[-1],), strict)


def _name_forms(tokens: Sequence[str]) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """(whole forms, single-word components) of a first name or surname, as folded words."""
    if not tokens:
        return [], []
    words: list[str] = _NAME_TOKEN.findall(_fold(" ".join(tokens)))
    if len("".join(words)) < 2:
        return [], []
    whole: list[tuple[str, ...]] = [tuple(words)]
    # "de La Fontaine" is also written "La Fontaine".
    while len(words) > 1 and words[0] in ("de", "d", "du"):
        words = words[1:]
        whole.append(tuple(words))
    components: list[tuple[str, ...]] = [
        (word,)
        for word in words
        if len(word) >= 3 and word not in _PARTICLES and (word,) not in whole
    ]
    return whole, components


_Variant = tuple[tuple[str, ...], str, _Person]  # (folded words, "full"/"last"/"first", person)


def _name_index(persons: Iterable[_Person]) -> dict[str, list[_Variant]]:
    variants: list[_Variant] = []
    for person in persons:
        last_whole, last_parts = _name_forms(person.last)
        first_whole, first_parts = _name_forms(person.first)
        lasts = last_whole + last_parts
        for first in first_whole + first_parts:
            for last in lasts:
                variants.append((first + last, "full", person))
                variants.append((last + first, "full", person))
        variants.extend((last, "last", person) for last in lasts)
        variants.extend((first, "first", person) for first in first_whole)
    # Longest first; at equal length a full name beats a bare one, the case's names beat guesses.
    rank = {"full": 0, "last": 1, "first": 2}
    variants.sort(key=lambda v: (-len(v[0]), rank[v[1]], v[2].strict))
    index: dict[str, list[_Variant]] = {}
    for variant in variants:
        index.setdefault(variant[0][0], []).append(variant)
    return index


def _known_names(
    text: str, folded: str, index: dict[str, list[_Variant]]
) -> Iterable[tuple[int, int]]:
    """Occurrences of the indexed names (overlaps are left to _resolve)."""
    for head, variants in index.items():
        longest = len(variants[0][0])
        position = folded.find(head)
        while position != -1:
            if _word_start(folded, position):
                words = _words_at(folded, position, longest)
                for tokens, kind, person in variants:
                    size = len(tokens)
                    if tuple(word for _, word in words[:size]) != tokens:
                        continue
                    end = words[size - 1][0]
                    if _accept_name(text, folded, position, end, kind, person):
                        yield position, end
                        break
            position = folded.find(head, position + 1)


def _words_at(folded: str, position: int, count: int) -> list[tuple[int, str]]:
    """Up to ``count`` words of one name from ``position``, as (end offset, word)."""
    words: list[tuple[int, str]] = []
    while len(words) < count:
        match = _NAME_TOKEN.match(folded, position)
        if match is None:
            break
        words.append((match.end(), match.group()))
        gap = _NAME_GAP.match(folded, match.end())
        if gap is None:
            break
        position = gap.end()
    return words


def _accept_name(text: str, folded: str, start: int, end: int, kind: str, person: _Person) -> bool:
    before = folded[start - 2 : start] if start >= 2 else " " + folded[:start]
    after = folded[end : end + 2]
    # Part of a longer word or compound: "Saint-Martin" is not M. Martin.
    if before[-1:].isalnum() or (before[-1:] in "-'" and before[:1].isalpha()):
        return False
    if after[:1].isalnum() or (after[:1] == "-" and after[1:].isalpha()):
        return False
    if kind == "full":
        return True
    word = folded[start:end]
    capitalised = text[start].isupper()
    if kind == "first":
        if not capitalised or word in _NOT_NAME:
            return False
        # "Pierre" mid-sentence is the usager; at the start of a sentence it may be the stone.
        return word not in _COMMON_WORDS or not _sentence_start(folded, start)
    if capitalised or _CIV_BEFORE_F.search(folded, max(0, start - 16), start):
        return True
    return not person.strict and word not in _COMMON_WORDS


def _sentence_start(folded: str, position: int) -> bool:
    before = folded[max(0, position - 40) : position].rstrip(" \t")
    return not before or before[-1] in ".!?:\n"


def _name_key(value: str) -> str:
    return " ".join(sorted(_NAME_TOKEN.findall(_fold(value))))


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
    if any(word in folded for word in _IDENT_HINTS):
        for match in _IDENT_RE.finditer(text):
            add(*match.span("value"), "IDENTIFIANT")
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
