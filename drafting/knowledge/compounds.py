"""Compound names ("carte grise", "acte de mariage", "permis bateau"): what tells a
neighbouring procedure from the one a fiche is about.

A fiche titled "Carte d'identité perdue ou volée" is about one kind of *carte*; a question about
a lost "carte grise" or "carte d'électeur" shares the head word, the verb and most of the
situation, and reads close to it by words and by meaning, yet the fiche does not answer it. A
compound is a head word followed by a qualifier, directly ("carte grise", "permis bateau") or
through "de", "du", "des", "d'" ("acte de mariage", "taxe d'aménagement"). The question names a
*different* thing than the fiche when it uses one of the heads of the fiche's title with a
qualifier that neither the title nor the fiche ever gives that head
(``unknown_compounds``). Both sides are compared as stems without accents, so that "foncière"
and "fonciere" meet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from types import MappingProxyType

from .text import _PLACEHOLDER_RE, LEXICON, ORGANISATIONS, PHRASES, STOP_WORDS, _stem, strip_accents

_TOKEN_RE = re.compile(r"[0-9a-zà-öø-ÿœæ]+|[^\s\w]", re.IGNORECASE)
# What joins a head to its qualifier in a question ("acte de mariage", "taxe d'habitation").
_JOINS = frozenset({"de", "du", "des", "d"})
# In the fiches, a qualifier also comes through these ("aide au logement", "carte pour
# personnes handicapées"): the fiche is read generously, the question strictly.
_FICHE_JOINS = _JOINS | frozenset({"au", "aux", "à", "a", "en", "pour"})
_APOSTROPHES = frozenset({"'", "’", "`", "´"})
_ENUMERATION = frozenset({",", "et", "ou"})
# Words that qualify nothing: times, days and months, quantities of time, modal verbs.
_NOT_QUALIFIERS = frozenset(
    [
        "depuis",
        "apres",
        "après",
        "avant",
        "pendant",
        "dedans",
        "dessus",
        "dessous",
        "quelque",
        "quelqu",
        "combien",
        "hier",
        "demain",
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
        "janvier",
        "fevrier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "aout",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "decembre",
        "décembre",
        "mois",
        "an",
        "ans",
        "annee",
        "année",
        "annees",
        "années",
        "semaine",
        "semaines",
        "jour",
        "jours",
        "heure",
        "heures",
        "veux",
        "voudrais",
        "voudrait",
        "faut",
        "dois",
        "doit",
        "peut",
        "pourrais",
        "jveux",
    ]
)
# Ordinals and ages are not the head of a name ("première demande", "nouvelle carte").
_NOT_HEADS = frozenset(
    [
        "premier",
        "première",
        "premiere",
        "premiers",
        "premières",
        "nouveau",
        "nouvelle",
        "nouveaux",
        "nouvelles",
        "ancien",
        "ancienne",
        "dernier",
        "dernière",
        "derniere",
        "autre",
    ]
)
# Read right after the head without a join, a verb's participle or infinitive is what happens
# to the thing ("carte volée", "permis suspendu", "carte egaree" typed without its accent),
# not which thing it is. (A noun in "-té" is not one: "carte mobilité", "carte priorité".)
_VERB_ENDINGS = re.compile(
    r"(?:(?<!t)é|ée|és|ées|ee|ees|er|ez|ait|aient|ant|[çdlntv]u(?:e|s|es)?)$"
)
# An acronym in a title's parentheses spelling its first words ("Carte mobilité inclusion
# (CMI)"): the fiche's "CMI priorité" is the title's "carte" with that qualifier.
_ACRONYM_RE = re.compile(r"\(([A-Z]{2,6})(?:[,)\s])")
# Two qualifiers whose stems share this many first letters, one extending the other, name the
# same thing ("priorité" and "prioritaire").
_PREFIX = 5
# How far after its head a title's qualifier still names the title's thing in a question
# ("carte *nationale* d'identité").
_NEAR = 3
# What a title is about comes before its colon or question mark ("Carte Vitale : que faire en
# cas de perte ou de vol ?" is about the carte Vitale, not about a "cas").
_SUBJECT_END = re.compile(r"[:?(]")

Pair = tuple[str, str]


def _stem_plain(word: str) -> str:
    return _stem(strip_accents(word))


def _content(word: str) -> bool:
    return (
        word.isalpha()
        and len(word) >= 3
        and word not in STOP_WORDS
        and strip_accents(word) not in STOP_WORDS
    )


def _compounds(text: str, *, fiche: bool) -> list[tuple[str, str, bool]]:
    """(head, qualifier, whether the qualifier is written with a capital) stems of ``text``."""
    written = _TOKEN_RE.findall(text)
    tokens = [token.lower() for token in written]
    joins = _FICHE_JOINS if fiche else _JOINS
    found: list[tuple[str, str, bool]] = []
    for i, word in enumerate(tokens):
        if not _content(word) or word in _NOT_HEADS:
            continue
        j = i + 1
        joined = j < len(tokens) and tokens[j] in joins
        if joined:
            j += 1
            if j < len(tokens) and tokens[j] in _APOSTROPHES:
                j += 1
        elif j < len(tokens) and tokens[j] == "-":  # "carte-grise"
            j += 1
        if j >= len(tokens):
            continue
        qualifier = tokens[j]
        if not _content(qualifier) or qualifier in _NOT_QUALIFIERS:
            continue
        if not fiche and not joined and _VERB_ENDINGS.search(qualifier):
            continue
        head = _stem_plain(word)
        found.append((head, _stem_plain(qualifier), _capitalised(written[j])))
        if joined:
            # An enumeration goes on qualifying the same head: "les cartes d'invalidité, de
            # priorité et de stationnement".
            j += 1
            while j + 1 < len(tokens) and tokens[j] in _ENUMERATION:
                k = j + 1
                if tokens[k] not in joins:
                    break
                k += 1
                if k < len(tokens) and tokens[k] in _APOSTROPHES:
                    k += 1
                if k >= len(tokens) or not _content(tokens[k]):
                    break
                found.append((head, _stem_plain(tokens[k]), _capitalised(written[k])))
                j = k + 1
    return found


def _capitalised(word: str) -> bool:
    """A name's spelling ("Louise"), not a word shouted ("GRISE")."""
    return word[:1].isupper() and not word.isupper()


def compounds(text: str, *, fiche: bool = False) -> list[Pair]:
    """The (head, qualifier) stems of ``text``, in order; ``fiche`` reads a fiche's text (more
    joining words, participles kept)."""
    return [(head, qualifier) for head, qualifier, _capital in _compounds(text, fiche=fiche)]


def _near(text: str) -> set[Pair]:
    """Each content word with the next ``_NEAR`` ones, as stems."""
    stems = [_stem_plain(t) for t in _TOKEN_RE.findall(text.lower()) if _content(t)]
    return {(h, q) for i, h in enumerate(stems) for q in stems[i + 1 : i + 1 + _NEAR]}


@lru_cache(maxsize=8192)
def _fiche_text_compounds(text: str) -> tuple[Pair, ...]:
    # The same passages come back draft after draft.
    return tuple(compounds(text, fiche=True))


# Titles whose reading is kept: more than a national base's fiches (``named_first`` reads every
# title of the base for each question).
TITLES_CACHED = 16384


@lru_cache(maxsize=TITLES_CACHED)
def title_compounds(title: str) -> tuple[frozenset[Pair], frozenset[str], frozenset[str]]:
    """(the compounds of what the title is about, their heads, all the title's terms): what it
    is about comes before its colon ("Carte Vitale : que faire en cas de perte"); a head is the
    first word of a compound that qualifies nothing itself ("déclaration trimestrielle de
    ressources": "déclaration")."""
    subject = title_subject(title)
    pairs = frozenset(compounds(subject, fiche=True))
    qualifiers = {q for _h, q in pairs}
    heads = frozenset(h for h, _q in pairs) - qualifiers
    terms = frozenset(_stem_plain(t) for t in _TOKEN_RE.findall(title.lower()) if _content(t))
    return pairs, heads, terms


def fiche_compounds(title: str, texts: Iterable[str]) -> frozenset[Pair]:
    """Every compound a fiche gives (its title and its texts), an acronym of its title read as
    the words it spells."""
    pairs = set(_fiche_text_compounds(title))
    for text in texts:
        pairs.update(_fiche_text_compounds(text))
    match = _ACRONYM_RE.search(title)
    if match:
        acronym = _stem_plain(match.group(1).lower())
        words = [t for t in _TOKEN_RE.findall(title.lower()) if _content(t)]
        initials = "".join(w[0] for w in words[: len(match.group(1))])
        if words and strip_accents(initials) == match.group(1).lower():
            head = _stem_plain(words[0])
            pairs.update((head, q) for h, q in list(pairs) if h == acronym)
    return frozenset(pairs)


def _same(a: str, b: str) -> bool:
    """Two qualifier stems that name the same thing ("priorit" and "prioritair")."""
    return a == b or (min(len(a), len(b)) >= _PREFIX and (a.startswith(b) or b.startswith(a)))


def gives(pairs: Iterable[Pair], head: str, qualifier: str) -> bool:
    """Whether ``pairs`` qualify ``head`` by ``qualifier`` (or a word of the same stem)."""
    return any(h == head and _same(q, qualifier) for h, q in pairs)


def _spells(acronym: str, words: str) -> bool:
    """Whether the initials of ``words`` (the acronym itself left out) spell ``acronym``:
    "cni" and "carte nationale identité", "aspa" and "aspa allocation solidarité personnes
    âgées …"; not "permis" and "permis conduire", a guess at which permit is meant."""
    rest = [w for w in strip_accents(words).split() if w != acronym]
    return len(rest) >= len(acronym) and "".join(w[0] for w in rest[: len(acronym)]) == acronym


# The lexicon's acronyms ("cni", "aah", "css"), by the words they stand for; an organisation's
# name ("caf") names no benefit (``text.ORGANISATIONS``).
_SPELLED_OUT = {
    acronym: words
    for acronym, words in LEXICON.items()
    if acronym not in ORGANISATIONS and _spells(acronym, words)
}
_WORD_RE = re.compile(r"[0-9a-zà-öø-ÿœæ]+", re.IGNORECASE)


def _spell_out(match: re.Match[str]) -> str:
    words = _SPELLED_OUT.get(match.group(0).lower())
    return f"{match.group(0)} {words}" if words else match.group(0)


def _asked(question: str) -> str:
    # The usagers' names for a thing are read as the fiches' ("carte de sécurité sociale" is
    # the "carte vitale", a "carte de résident" a "titre de séjour": ``text.PHRASES``), and an
    # acronym as the words it stands for ("ma cni" is a "carte nationale d'identité").
    for pattern, words in PHRASES:
        question = pattern.sub(words, question)
    question = _WORD_RE.sub(_spell_out, question)
    # A pseudonymised name ("le permis de [NOM_1]") qualifies nothing.
    return _PLACEHOLDER_RE.sub(" ", question)


def _writes_acronym(question: str, acronym: str) -> bool:
    """Whether ``question`` writes ``acronym`` as a word: in any case, but in capitals when it
    is also a common word ("PAS", not "je ne sais pas") or two letters long, and never in a
    message written all in capitals (there every word is); an organisation's ("CAF") names no
    benefit."""
    lower = acronym.lower()
    if lower in ORGANISATIONS:
        return False
    words = _WORD_RE.findall(question)
    if lower in STOP_WORDS or len(acronym) < 3:
        letters = [c for c in question if c.isalpha()]
        shouting = sum(c.isupper() for c in letters) > len(letters) / 2
        return acronym in words and not shouting
    return lower in {w.lower() for w in words}


def names_title(question: str, title: str) -> bool:
    """Whether ``question`` names the thing the fiche titled ``title`` is about, as its title
    does ("ma carte vitale" for "Carte Vitale : que faire en cas de perte ou de vol ?"), a word
    or two between ("carte nationale d'identité"), by an acronym the lexicon spells out ("ma
    cni") or by the acronym the title gives in parentheses ("l'AAH" for "Allocation aux adultes
    handicapés (AAH)")."""
    match = _ACRONYM_RE.search(title)
    if match and _writes_acronym(question, match.group(1)):
        return True
    qualifiers = _qualifiers_by_head(title)
    return any(
        _same(q, qualifier) for h, q in _asked_near(question) for qualifier in qualifiers.get(h, ())
    )


@lru_cache(maxsize=TITLES_CACHED)
def _qualifiers_by_head(title: str) -> Mapping[str, tuple[str, ...]]:
    # ``gives`` over the title's compounds, indexed by head: a question is read against every
    # title of the base (``retrieval.named_first``).
    by_head: dict[str, list[str]] = {}
    for head, qualifier in sorted(title_compounds(title)[0]):
        by_head.setdefault(head, []).append(qualifier)
    return MappingProxyType({head: tuple(qualifiers) for head, qualifiers in by_head.items()})


@lru_cache(maxsize=1024)
def _asked_near(question: str) -> frozenset[Pair]:
    # One question is read against every title of the base (``retrieval.named_first``).
    return frozenset(_near(_asked(question)))


def title_subject(title: str) -> str:
    """What a fiche's title is about: before its colon ("Carte Vitale" for "Carte Vitale : que
    faire en cas de perte ou de vol ?")."""
    return _SUBJECT_END.split(title, maxsplit=1)[0].strip()


def title_thing(title: str) -> str:
    """The thing a fiche is about, the same for its sibling fiches: the first compound of its
    subject ("cart ident" for "Carte d'identité perdue ou volée" and "Carte d'identité : faire
    une première demande"), else its subject."""
    pairs = compounds(title_subject(title), fiche=True)
    return " ".join(pairs[0]) if pairs else title_subject(title).lower()


def unknown_compounds(question: str, title: str, known: frozenset[Pair]) -> list[Pair]:
    """The compounds of ``question`` that name another thing than the fiche titled ``title``
    (whose compounds are ``known``): a head of the title with a qualifier that neither the
    title nor the fiche gives it. None when the question names the title's own thing; a
    qualifier written with a capital is a name ("la carte de Louise"), never a thing."""
    if names_title(question, title):
        return []
    _pairs, heads, title_terms = title_compounds(title)
    unknown: list[Pair] = []
    for head, qualifier, capital in _compounds(_asked(question), fiche=False):
        if capital or head not in heads or qualifier in title_terms:
            continue
        if gives(known, head, qualifier):
            continue
        # "didentité": the elision typed without its apostrophe.
        if qualifier[:1] in ("d", "l") and any(_same(qualifier[1:], t) for t in title_terms):
            continue
        unknown.append((head, qualifier))
    return unknown


def fiche_words(texts: Iterable[str]) -> frozenset[str]:
    """Every word a fiche uses, as the compounds' stems."""
    words: set[str] = set()
    for text in texts:
        words.update(_text_words(text))
    return frozenset(words)


@lru_cache(maxsize=8192)
def _text_words(text: str) -> frozenset[str]:
    return frozenset(_stem_plain(t) for t in _TOKEN_RE.findall(text.lower()) if _content(t))
