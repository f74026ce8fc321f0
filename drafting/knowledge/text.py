"""French text normalisation for retrieval: the same function indexes and queries.

Lower-case, elisions split (l', d', qu'...), stop words dropped, Snowball French stemming on
the accented word (the stemmer's rules expect accents), then accents stripped from the stem so
that "écrire" and "ecrire" meet. A small lexicon expands the abbreviations usagers write.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("french")
_WORD_RE = re.compile(r"[0-9a-zà-öø-ÿœæ]+", re.IGNORECASE)
_ELISION_RE = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)['’`]", re.I)
# Placeholders left by pseudonymisation ([NOM_1], [EMAIL]) carry no meaning for retrieval.
_PLACEHOLDER_RE = re.compile(r"\[[A-Z_]+(?:_\d+)?\]")

# Not stop words, though frequent: words that change what a question asks ("avant",
# "depuis", "plus", "sans", "combien", "moins", "après"...) stay index terms. Measured on
# devtools/eval/questions.jsonl: fiche hit@1 of BM25 0.828 -> 0.845, hit@3 unchanged.
STOP_WORDS = frozenset(
    """
    a à afin ai aie aient aies ait alors as au aucun aucune aupres auquel aura aurai
    auraient aurais aurait auras aurez auriez aurions aurons auront aussi autre autres aux
    auxquelles auxquels avaient avais avait avec avez aviez avions avoir avons ayant
    ayez ayons bon bonjour bonsoir car ce ceci cela celle celles celui cependant certain
    certaine certains ces cet cette ceux chaque chez ci comme comment d dans de des deja
    déjà dois doit donc dont du elle elles en encore entre es est et etaient étaient
    etais étais etait était etant étant ete été etes êtes etiez étiez etions étions etre
    être eu eue eues eurent eus eusse eussent eusses eussiez eussions eut eux fais fait
    faire faites fois font fut furent fus fusse fussent hui ici il ils j je jusqu l la le
    les leur leurs lors lui m ma madame mais me meme même mes moi mon monsieur merci n ne ni
    nos notre nous on ont ou où par parce pas peu peut peuvent peux pour pourquoi puis
    qu quand que quel quelle quelles quels qui quoi s sa se sera serai seraient serais
    serait seras serez seriez serions serons seront ses si sien sienne soi soient sois soit
    sommes son sont sous soyez soyons suis sur t ta te tes toi ton tous tout toute toutes
    tres très tu un une unes uns va vais vas vers voici voila voilà vont vos votre vous vu y
    jai jais cordialement salutations svp stp bien beaucoup etc oui non ca ça cest
    """.split()  # noqa: SIM905 - a word list reads best as prose
)

# Abbreviations and informal words usagers write, expanded to the words the fiches use.
LEXICON: dict[str, str] = {
    "cni": "carte nationale identité",
    "apl": "aide personnalisée logement apl",
    "als": "allocation logement sociale",
    "alf": "allocation logement familiale",
    "caf": "caf caisse allocations familiales",
    "cpam": "cpam caisse assurance maladie",
    "secu": "sécurité sociale assurance maladie",
    "sécu": "sécurité sociale assurance maladie",
    "ameli": "ameli assurance maladie",
    "mutuelle": "mutuelle complémentaire santé",
    "css": "complémentaire santé solidaire",
    "cmu": "complémentaire santé solidaire",
    "ij": "indemnités journalières",
    "rsa": "rsa revenu solidarité active",
    "aah": "aah allocation adulte handicapé",
    "mdph": "mdph maison départementale personnes handicapées",
    "paje": "paje prestation accueil jeune enfant",
    "are": "allocation retour emploi chômage",
    "chomage": "chômage allocation demandeur emploi",
    "pole": "france travail",
    "ft": "france travail",
    "impots": "impôts impôt",
    "impot": "impôt",
    "ants": "ants titres sécurisés",
    "permis": "permis conduire",
    "immat": "immatriculation carte grise",
    "aspa": "aspa allocation solidarité personnes âgées minimum vieillesse",
    "crous": "crous bourse étudiant",
    "paumé": "perdu perte",
    "paume": "perdu perte",
    "perdue": "perte perdu",
    "perdu": "perte perdu",
    "volé": "vol volé",
    "volée": "vol volé",
    "vole": "vol volé",
    "bebe": "naissance enfant",
    "bébé": "naissance enfant",
    "enceinte": "enceinte grossesse",
    "accoucher": "accouchement naissance",
    "accouché": "accouchement naissance",
    "accouchée": "accouchement naissance",
    "naitre": "naissance",
    "naître": "naissance",
    "né": "naissance",
    "demenagement": "déménagement changement adresse",
    "déménagement": "déménagement changement adresse",
    "demenage": "déménagement changement adresse",
    "déménagé": "déménagement changement adresse",
    "boulot": "emploi travail",
    "taf": "emploi travail",
    "toucher": "percevoir versement",
    "touche": "percevoir versement",
    "tune": "argent montant",
    "fric": "argent montant",
    "retraité": "retraite",
    "papiers": "papiers identité",
    "rdv": "rendez-vous",
    "mail": "courriel adresse électronique",
    "mdp": "mot passe",
    "fc": "franceconnect",
    # Informal and abbreviated words of usagers' messages.
    "gosse": "enfant",
    "gosses": "enfants",
    "gamin": "enfant",
    "gamins": "enfants",
    "mômes": "enfants",
    "momes": "enfants",
    "proprio": "propriétaire",
    "coloc": "colocation colocataire",
    "appart": "appartement logement",
    "fac": "université études étudiant",
    "toubib": "médecin",
    "généraliste": "médecin généraliste",
    "generaliste": "médecin généraliste",
    "voiture": "voiture véhicule",
    "bagnole": "voiture véhicule",
    "moto": "moto véhicule",
    "scooter": "scooter véhicule",
    "smartphone": "smartphone téléphone",
    "radié": "désinscrit radiation",
    "radie": "désinscrit radiation",
    "actu": "actualisation",
    "cb": "combien",
    "cbien": "combien",
    "tps": "temps",
    "qd": "quand",
    "1ere": "première",
    "1ère": "première",
    "allocs": "allocations",
    "égaré": "perdu perte",
    "égarée": "perdu perte",
    "egare": "perdu perte",
    "egaree": "perdu perte",
    "egaré": "perdu perte",
    "egarée": "perdu perte",
    "égare": "perdu perte",
    "pb": "problème",
    "pbm": "problème",
    "pblm": "problème",
    "msg": "message",
    "num": "numéro",
    "docs": "documents",
    "info": "informations",
    "infos": "informations",
    "dispo": "disponible",
    "appli": "application",
    "ordi": "ordinateur",
    # "pointer": the monthly declaration to France Travail as it used to be called
    "pointer": "actualiser actualisation",
    "pointé": "actualiser actualisation",
    "pointage": "actualiser actualisation",
    # A couple's words: the fiches say "conjoint", "partenaire", "PACS".
    "pacser": "pacs",
    "pacse": "pacs",
    "pacses": "pacs",
    "pacsé": "pacs",
    "pacsée": "pacs",
    "pacsés": "pacs",
    "pacsées": "pacs",
    "compagne": "compagne conjoint partenaire",
    "compagnes": "compagne conjoint partenaire",
    "compagnon": "compagnon conjoint partenaire",
    "compagnons": "compagnon conjoint partenaire",
    "concubin": "concubin conjoint",
    "concubine": "concubine conjoint",
    "concubinage": "concubinage couple conjoint",
    "cdi": "cdi contrat durée indéterminée",
    "cdd": "cdd contrat durée déterminée",
}

# Words of usagers' messages that say nothing of what they ask, dropped from queries only:
# greetings and fillers written as text messages ("slt", "ds", "pr"), and the moment something
# happened ("hier soir", "jeudi"; not the weekend: "travailler le dimanche" is a subject). Left
# in a question, each weighs as a rare word no fiche uses.
QUERY_NOISE = frozenset(
    """
    slt salut bjr bsr cdt cdlt coucou mrc mci ds dns pr pour ac avc pk pq pkoi koi ke tte
    ttes bcp dc mm ms tjs tjrs vs ns qq qqn qqun qqch qqchose vrmt vraiment mtn mnt auj ajd
    aujourdhui aujourd hier demain soir soirée soiree tantot tantôt chui chuis svp stp lundi
    mardi mercredi jeudi vendredi
    """.split()  # noqa: SIM905 - a word list reads best as prose
)
# "jsuis", "jfais", "jcomprends": "je" written without its vowel before a verb. No French word
# opens on "j" and another consonant.
_JE_RE = re.compile(r"^j([bcdfghklmnpqrstvwxz][a-zà-öø-ÿ]{2,})$")

# The names of organisations among the lexicon's entries: their expansion is the organisation
# spelled out, whose words are also the names of subjects ("caisse d'*allocations familiales*",
# "*assurance maladie*"). They help retrieval find the organisation's fiches, but a question that
# writes "caf" does not name the benefit "Allocations familiales": the evidence of what a
# question is about reads them as written (``analyse(..., names=False)``).
ORGANISATIONS = frozenset({"caf", "cpam", "ameli", "secu", "sécu", "mdph", "ants"})

# Expressions of several words usagers write for what the fiches name otherwise; the words
# written are kept, the fiches' words added (queries only, like LEXICON).
PHRASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern, re.IGNORECASE), words)
    for pattern, words in (
        (r"\bcartes? (?:de |d'|du )?(?:la )?s[ée]cu(?:rit[ée] sociale)?\b", "carte vitale"),
        (r"\bcartes? (?:de |du )?(?:s[ée]jour|r[ée]sidents?)\b", "titre séjour"),
        (r"\bmi[- ]temps\b", "temps partiel"),
        # Another's pay counts as the household's income ("à cause de son salaire").
        (
            r"\b(?:son|leur) salaire\b|\bsalaires? (?:du |de (?:mon |ma |son |sa )?)"
            r"(?:conjoint|conjointe|compagne|compagnon|mari|femme|partenaire|[ée]poux|[ée]pouse)\b",
            "revenus conjoint",
        ),
        (r"\bp[ôo]le[- ]emploi\b", "france travail"),
        (r"\b(?:file d'attente|faire la queue)\b", "file attente priorité"),
        (r"\bfauteuil roulant\b", "handicap mobilité"),
        (
            r"\b(?:petits?|faibles?|bas) (?:revenus|salaires?|ressources)\b",
            "revenus modestes ressources",
        ),
        # "une toute petite retraite", "une pension très faible"
        (
            r"\b(?:petites?|faibles?|maigres?|basses?) (?:retraites?|pensions?)\b|"
            r"\b(?:retraites?|pensions?) (?:tr[eè]s |trop )?(?:petites?|faibles?|basses?)\b",
            "ressources faibles",
        ),
    )
]


# Acronyms that are also common words: expanded only when written in capitals ("mon PAS" is
# the prélèvement à la source, "je ne sais pas" is a negation).
ACRONYMS: dict[str, str] = {
    "PAS": "prélèvement source",
}


class _Marks(dict):
    """A ``str.translate`` table that deletes combining marks: a code point maps to None when
    ``unicodedata.combining`` says it is a mark, else to itself; filled as characters are met
    (a few hundred in French texts). The same result as filtering character by character in
    Python, at the speed of ``translate``."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_MARKS = _Marks()


def without_marks(text: str) -> str:
    """``text`` without its combining marks (to be applied to a decomposed text)."""
    return text.translate(_MARKS)


def strip_accents(value: str) -> str:
    return without_marks(unicodedata.normalize("NFKD", value))


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return strip_accents(_STEMMER.stemWord(word))


def _words(text: str) -> list[str]:
    """The words of ``text``, their case kept (``analyse`` lower-cases them)."""
    text = _PLACEHOLDER_RE.sub(" ", text)
    for ligature, letters in (("œ", "oe"), ("Œ", "OE"), ("æ", "ae"), ("Æ", "AE")):
        text = text.replace(ligature, letters)
    return _WORD_RE.findall(_ELISION_RE.sub(" ", text))


# The age of a child, or of a usager, under 18: the fiches say "mineur" ("Vous êtes mineur", "Cas
# d'un enfant mineur") where the usager writes "ma fille de 10 ans", "mon fils a 15 ans", "j'ai
# 17 ans".
_AGE_RE = re.compile(
    r"\b(?:fils|filles?|enfants?|ado|adolescente?|gar[cç]on|petite?-(?:fils|fille)|b[ée]b[ée]|"
    r"j['’]?ai|il a|elle a|avoir|[âa]g[ée]e?s?(?: de)?)\s+(?:de\s+|a\s+|à\s+|qui a\s+)?"
    # Not a length of time: "j'ai 10 ans de cotisations", "avoir 5 ans de résidence".
    r"(\d{1,2})\s*ans\b(?!\s*(?:de\b|d['’]))",
    re.IGNORECASE,
)
MAJORITY = 18


def _minor(match: re.Match[str]) -> str:
    return f"{match[0]} mineur" if int(match[1]) < MAJORITY else match[0]


def expand_phrases(text: str) -> str:
    """``text`` with the fiches' words added after the usagers' expressions (``PHRASES``) and
    after the age of a minor."""
    for pattern, words in PHRASES:
        text = pattern.sub(rf"\g<0> {words}", text)
    return _AGE_RE.sub(_minor, text)


# Texts analysed again and again by one draft and the next (the question by retrieval, the bank,
# the composer and the citation check; the fiches' passages and titles): kept, by text.
ANALYSED_TEXTS = 4096


def analyse(text: str, *, expand: bool = False, names: bool = True) -> list[str]:
    """The index terms of ``text``, in order (repetitions kept for term frequencies); with
    ``expand``, the lexicon's expansions, the names of organisations (``ORGANISATIONS``) spelled
    out only with ``names``."""
    return list(_analysed(text, expand, names))


@lru_cache(maxsize=ANALYSED_TEXTS)
def _analysed(text: str, expand: bool, names: bool = True) -> tuple[str, ...]:
    terms: list[str] = []
    if expand:
        text = expand_phrases(text)
    for written in _words(text):
        word = written.lower()
        if expand and written in ACRONYMS:
            terms.extend(analyse(ACRONYMS[written]))
            continue
        if expand and word in LEXICON and (names or word not in ORGANISATIONS):
            terms.extend(analyse(LEXICON[word]))
            continue
        if expand:
            if word in QUERY_NOISE:
                continue
            contracted = _JE_RE.match(word)
            if contracted:
                terms.extend(analyse(contracted[1], expand=True, names=names))
                continue
        if word in STOP_WORDS or strip_accents(word) in STOP_WORDS:
            continue
        if len(word) < 2 and not word.isdigit():
            continue
        stem = _stem(word)
        if stem:
            terms.append(stem[:60])
    return tuple(terms)


def lexicon_groups(text: str, *, names: bool = True) -> list[frozenset[str]]:
    """For each word or expression of ``text`` that queries read in the fiches' words
    (``LEXICON``, ``ACRONYMS``, ``PHRASES``), the terms it stands for: the usager's and the
    fiches' (with ``names``, the organisations' names spelled out too)."""
    groups: list[frozenset[str]] = []
    for pattern, words in PHRASES:
        for match in pattern.finditer(text):
            groups.append(frozenset(analyse(match[0]) + analyse(words)))
    for written in _words(text):
        word = written.lower()
        if written in ACRONYMS:
            groups.append(frozenset(analyse(ACRONYMS[written])))
        elif word in LEXICON and (names or word not in ORGANISATIONS):
            groups.append(frozenset(analyse(word) + analyse(LEXICON[word])))
    return groups


def term_frequencies(text: str) -> Counter[str]:
    return Counter(analyse(text))


def query_terms(text: str, *, limit: int = 40) -> list[str]:
    """Distinct terms of a question (with the lexicon's expansions), in order of appearance."""
    seen: dict[str, None] = {}
    for term in analyse(text, expand=True):
        seen.setdefault(term, None)
        if len(seen) >= limit:
            break
    return list(seen)
