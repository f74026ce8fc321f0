"""Names: cued by the text (a civility, a signature, "je m'appelle") or known to the case."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .addresses import _PARTICLES, _STOP_WORDS
from .text import _AP, _LOW, _UP, _fold, _words

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
