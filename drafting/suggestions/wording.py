"""How a unit quoted from a fiche reads on its own, in a reply.

A fiche is read from its headings down: "Vous êtes étudiant" over a paragraph says who the
paragraph is for, "Pièces à fournir" over a bare list says what the list is, and "Conservez-le"
after a sentence says what to keep. A draft quotes units out of that order (the answer first)
and without the headings, so each quoted unit brings along what it needs to be read alone:

- a list or table with no sentence of its own to introduce it is introduced by its section's
  heading ("Conditions :");
- a sentence that leans on the one before it (a connector, an object pronoun, a
  demonstrative) comes with that sentence;
- a unit of a section written for one situation ("Vous divorcez", "Si vous ne l'avez pas
  reçue", "En cas de refus") says so ("Si vous divorcez, chacun obtient..."), so that the
  usager does not read as meant for them what the fiche says for someone else.
"""

from __future__ import annotations

import re

from drafting.knowledge.text import analyse

# A sentence that cannot open a paragraph: its subject or its object is in the sentence before.
_LEANS_BACK = re.compile(
    r"^(?:"
    r"(?:mais|cependant|toutefois|en revanche|pourtant|sinon|donc|ainsi|dans ce cas|"
    r"dans les deux cas|de même|par conséquent|néanmoins|par contre|au-delà|"
    r"passé ce délai|à défaut|en effet|de plus|en outre|c['’]est)\b"
    # "Conservez-le", "Téléchargez-la", "Faites-le"
    r"|\w+-(?:le|la|les|lui|leur|en|y)\b"
    # "Vous pouvez le télécharger", "Vous en recevez", "Vous pouvez l'utiliser"
    r"|vous (?:(?:pouvez|devez|pourrez|devrez|allez) )?(?:(?:le|la|les|lui|leur|en|y)\b|l['’])"
    # "Sans cette déclaration", "Tant que ce n'est pas fait", "Selon les cas, il s'agit de"
    r"|(?:[\w'’,-]+\s+){0,3}(?:ce|cet|cette|ces|il s['’]agit|ensuite|aussi)\b"
    # "À titre indicatif, à partir d'avril 2026, ce montant est..."
    r"|(?:[\w'’,-]+\s+){0,8}[\w'’-]+,\s+(?:ce|cet|cette|ces)\b"
    r")"
    # "ce que", "cette année" point at nothing before them.
    r"(?!\s+(?:que|qu['’]|qui|dont|année|mois|jour|semaine)\b"
    r")",
    re.IGNORECASE,
)
# A unit that states its own situation needs no other in front of it.
_OWN_CONDITION = re.compile(
    r"^(?:si|s['’]il|s['’]ils|en cas|lorsque|lorsqu['’]|quand|dans ce cas|pour les?)\b",
    re.IGNORECASE,
)
# A heading that names a situation rather than a subject.
_SITUATION = re.compile(r"^(?:(?P<vous>vous)|si|en cas)\b", re.IGNORECASE)
# Words that keep their capital inside a sentence (an acronym is kept whatever its case).
_PROPER = frozenset({"France", "Paris", "Lyon", "Europe", "État", "Etat"})


def leans_back(text: str) -> bool:
    """Whether ``text`` (a sentence, or a list's lead-in) reads only after the sentence before."""
    return bool(_LEANS_BACK.match(text.strip()))


def _trail(title: str) -> list[str]:
    """The headings under the fiche's title, outermost first."""
    return [part.strip() for part in title.split(" › ")[1:] if part.strip()]


def _clause(heading: str) -> str:
    heading = heading.strip().rstrip(" ?:.!")
    match = _SITUATION.match(heading)
    if not match:
        return ""
    # "Vous êtes mineur" is a situation: "Si vous êtes mineur".
    return f"Si v{heading[1:]}" if match["vous"] else heading


def situation(title: str) -> str:
    """The situation the section of ``title`` is written for, as a clause ("Si vous êtes
    étudiant ou apprenti"), or ``""`` for a section that applies to everyone."""
    for heading in _trail(title):
        clause = _clause(heading)
        if clause:
            return clause
    return ""


# A situation is taken as stated by the usager only when it has this many terms and the
# question has them all: "oublié" + "actualiser" is the usager's case, "reçue" alone is not
# ("je n'ai pas reçu" and "j'ai reçu" share it).
STATED_TERMS = 2


def states(question: str, clause: str) -> bool:
    """Whether ``question`` says the usager is in the situation ``clause`` (the words as
    written, without synonyms: "une mutuelle gratuite" does not say "Si vous avez déjà une
    mutuelle")."""
    terms = set(analyse(clause))
    return len(terms) >= STATED_TERMS and terms <= set(analyse(question))


def _lower_first(text: str) -> str | None:
    """``text`` with its first letter in lower case, or None when the first word must keep its
    capital (an acronym, a proper name such as "France Travail")."""
    match = re.match(r"([^\W\d_])([^\W\d_]*)(['’]?)(\s+(\S+))?", text)
    if not match:
        return None
    word = match[1] + match[2]
    following = match[5] or ""
    if (word.isupper() and len(word) > 1) or word in _PROPER:
        return None
    if following[:1].isupper() and not following.isupper() and not match[3]:
        return None
    return text[0].lower() + text[1:]


def with_situation(clause: str, text: str) -> str:
    """``text`` said for the situation ``clause``: "Si vous divorcez, chacun obtient..."."""
    if not clause or _OWN_CONDITION.match(text.strip()):
        return text
    lowered = _lower_first(text)
    return f"{clause}, {lowered}" if lowered is not None else f"{clause} : {text}"


_BOX_LABEL = re.compile(r"(?<!\w)(À savoir|À noter|Attention|Rappel) : (?=[^\W\d_])")


def box_labels(text: str) -> str:
    """A fiche's boxes ("À savoir", "À noter") open their sentence with a label: in French
    the sentence goes on in lower case after the colon ("À savoir : une erreur...")."""
    pieces: list[str] = []
    position = 0
    for match in _BOX_LABEL.finditer(text):
        pieces.append(text[position : match.end()])
        position = match.end()
        lowered = _lower_first(text[position:])
        if lowered is not None:
            pieces.append(lowered[0])
            position += 1
    pieces.append(text[position:])
    return "".join(pieces)


def heading_lead(title: str) -> str:
    """The line that introduces a bare list of the section of ``title``: its heading as a
    label ("Conditions :", "Comment s'inscrire ?"), said for its situation when an outer
    heading names one ("Si vous êtes majeur, pièces à fournir :"). ``""`` without a heading."""
    trail = _trail(title)
    if not trail:
        return ""
    heading = trail[-1]
    clause = _clause(heading)
    if clause:
        return f"{clause} :"
    # "Étape 2 : les pièces à fournir" labels the list by what follows the step.
    if " : " in heading:
        rest = heading.split(" : ", 1)[1].strip()
        heading = rest[:1].upper() + rest[1:]
    label = heading if heading.endswith("?") else f"{heading.rstrip(' :.')} :"
    outer = next((c for c in map(_clause, trail[:-1]) if c), "")
    return with_situation(outer, label) if outer else label
