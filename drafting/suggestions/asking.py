"""What a usager's question asks: the kind of answer (a list, a delay, a cost, an amount, a
place), the terms that say what it is about, and whether it asks anything at all."""

from __future__ import annotations

import re
from collections.abc import Mapping

from drafting.knowledge.text import analyse, lexicon_groups

__all__ = ["INTENTS", "asks_nothing", "content_terms", "question_intents", "subject_terms"]

# What kind of answer a question asks for, and what a unit that gives it looks like. These words
# steer the choice between units of the right fiche; they are not what the question is about.
_NUMBER_WORDS = r"(?:\d+|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|quinze|trente)"
_MONTHS = (
    r"(janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|"
    r"d[ée]cembre)"
)
INTENTS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "list": (
        re.compile(
            r"\b(quel(le)?s? (papiers?|documents?|pi[eè]ces?|justificatifs?|conditions?)|"
            # "c'est quoi les documents", "il faut quoi comme papiers", "des pièces"
            r"(quoi|comme|les|des) (papiers|documents|pi[eè]ces)|faut quoi|"
            r"(dois|faut|doit|doivent)[- ](je |il |on )?(me |nous |vous |lui )?"
            r"(fournir|amener|emmener|apporter|donner|remettre)|"
            r"fournir|amener|emmener|apporter|justificatifs?|"
            # "la liste de ce qu'il faut préparer", "les papiers nécessaires", "que faut-il prévoir"
            r"liste (des|de ce|du n[ée]cessaire)|(qu['’]il faut|faut[- ]il|dois[- ]je|doit[- ]on) "
            r"pr[ée](parer|voir)|"
            r"(papiers|documents|pi[eè]ces) n[ée]cessaires)\b",
            re.I,
        ),
        re.compile(r"^- ", re.M),
    ),
    "duration": (
        re.compile(r"\b(combien de temps|d[ée]lais?|quand|dur[ée]e|long|attendre|tarde)\b", re.I),
        re.compile(rf"\b{_NUMBER_WORDS}\s+(jours?|semaines?|mois|ans?|heures?)\b|\bd[ée]lai", re.I),
    ),
    # "Quand", "jusqu'à quand", "c'est trop tard ?": a date, a deadline. "Quand" asked, not
    # the "quand" of a circumstance ("quand on déménage, faut-il...").
    "date": (
        re.compile(
            r"\bquand\s*\?|\bquand (est[- ]ce|sera|seront|va|vais|vont|aurai|aura|faut|dois|doit|"
            r"pourrai|pourra|recevrai|recevra|tombe)\b|"
            # "c'est quand", "elle tombe quand ?"; not "c'est quand même", nor the "quand" of a
            # circumstance ("versée quand je suis hospitalisé").
            r"\b(c['’ ]?\s?est|tombe|tombent|arrive|arrivent) quand(?=\s*(?:[?,.!]|$|(?:le|la|les|"
            r"mon|ma|mes|votre|vos|notre|nos|leur|leurs|que)\b|l['’]|qu['’]))|"
            r"\b(jusqu['’ ]\s?[àa]|jusque|[àa] partir de|d['’]ici|avant) quand\b(?!\s+m[eê]me)|"
            r"\b(quelle date|quel jour|date limite|trop tard|dernier d[ée]lai)\b",
            re.I,
        ),
        re.compile(
            rf"\b(\d{{1,2}}(er)?|mi-?\s?|d[ée]but|fin|courant)\s*{_MONTHS}\b|"
            r"\b\d{1,2}(er)? du mois\b|"
            # "le 6e vendredi avant le scrutin", "la 14e semaine de grossesse"; not "3e catégorie"
            r"\b\d+\s?(e|[èe]me)\s+(jour|semaine|mois|ann[ée]e|lundi|mardi|mercredi|jeudi|"
            r"vendredi|samedi|dimanche|anniversaire)|\bau plus tard\b|"
            # "à partir de quand": "le mois suivant", "à compter du dépôt"
            r"\b(mois|jour|semaine|ann[ée]e) (suivant|qui suit)|\b[àa] compter d",
            re.I,
        ),
    ),
    "cost": (
        re.compile(
            r"\b(combien(?! de temps)|co[uû]te?s?|prix|tarifs?|payer|payant|gratuite?|frais)\b",
            re.I,
        ),
        re.compile(r"€|\beuros?\b|\bgratuite?s?\b|\bpayante?s?\b|\bfrais\b|\btimbre", re.I),
    ),
    "amount": (
        re.compile(r"\b(combien(?! de temps)|montant|toucher|touche|percevoir|somme)\b", re.I),
        re.compile(r"€|\beuros?\b|\bmontant", re.I),
    ),
    "where": (
        re.compile(r"\b(o[uù]|quelle mairie|quel (bureau|guichet|service|site)|adresse)\b", re.I),
        re.compile(
            r"\b(mairie|en ligne|accueil|guichet|site|compte|agence|bureau|t[ée]l[ée]phone)\b",
            re.I,
        ),
    ),
}
# Question words: they tell the intent, never the subject.
_QUESTION_WORDS = frozenset(
    analyse(
        "combien temps délai quand comment quel quelle quels quelles faut dois doit peux peut "
        "possible savoir besoin faire demande question aide merci urgent svp "
        # "je viens de", "il vient de": a recent past
        "viens vient venons venez viennent"
    )
)

# Messages that ask nothing: thanks, a test, a few letters. They get a short courteous answer.
_THANKS = re.compile(
    r"\b(merci|remerci\w*|parfait|super|top|nickel|c'?est (bon|clair|not[ée])|bien re[çc]u)\b", re.I
)
_ASKS = re.compile(r"\?|\b(comment|pourquoi|quand|combien|est-ce|pouvez|pourriez|puis-je)\b", re.I)


def question_intents(question: str) -> set[str]:
    return {name for name, (asks, _gives) in INTENTS.items() if asks.search(question)}


def content_terms(question: str, *, names: bool = True) -> list[str]:
    """What the question is about: its terms without question words, lexicon expanded (the
    names of organisations spelled out only with ``names``: ``text.ORGANISATIONS``)."""
    terms = analyse(question, expand=True, names=names)
    return [t for t in dict.fromkeys(terms) if t not in _QUESTION_WORDS]


# Who the question is about ("ma mère", "ma fille"), and when: never what it is about. Left
# in the evidence, "mère" reads as a subject other fiches speak of and the chosen one does not,
# "fille" as one the base never uses (the fiches say "enfant").
_NOT_SUBJECTS = frozenset(
    analyse(
        "mère mere père pere mari femme épouse epouse époux epoux conjoint conjointe compagnon "
        "compagne partenaire concubin concubine frère frere sœur soeur oncle tante neveu nièce "
        "niece cousin cousine voisin voisine copain copine ami amie fils fille filles garçon "
        "garcon ex"
    )
    # When, and how many: the usager's circumstances ("depuis janvier", "deux enfants").
    + analyse(
        "depuis janvier février fevrier mars avril mai juin juillet août aout septembre octobre "
        "novembre décembre decembre deux trois quatre cinq six sept huit dix"
    )
)


def subject_terms(
    question: str,
    variants: Mapping[str, str] | None = None,
    known: Mapping[str, int] | None = None,
) -> list[str]:
    """What the question is about, for the evidence: its terms as written (an organisation's
    name not spelled out), without who it is about nor when; a term the base does not have read
    as the known form it is a variant of (``variants``: "demission" for "démissionner" is the
    base's "demiss").

    With ``known`` (how many fiches use each term), a word the lexicon reads in the fiches'
    words is what the base calls it: "CDI" stands for "contrat à durée indéterminée", and
    when the base uses some of these words, the others ("cdi", "indéterminée") are not words
    the base lacks."""
    mapped = variants or {}
    terms = [
        mapped.get(t, t) for t in content_terms(question, names=False) if t not in _NOT_SUBJECTS
    ]
    if known is not None:
        lacking: set[str] = set()
        for group in lexicon_groups(question, names=False):
            group = frozenset(mapped.get(t, t) for t in group)
            if any(known.get(t, 0) for t in group):
                lacking |= {t for t in group if not known.get(t, 0)}
        terms = [t for t in terms if t not in lacking]
    return list(dict.fromkeys(terms))


def asks_nothing(question: str) -> bool:
    """A message with no request in it: thanks, "ok", "test", a handful of letters."""
    words = re.findall(r"\w+", question)
    if len(words) <= 3 and not _ASKS.search(question):
        return True
    return bool(_THANKS.search(question)) and not _ASKS.search(question) and len(words) <= 40
