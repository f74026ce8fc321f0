"""Postal addresses, with or without a street number."""

from __future__ import annotations

import re

from .text import _AP, _HS, _MONTH_RE, _UP, _fold, _words

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
