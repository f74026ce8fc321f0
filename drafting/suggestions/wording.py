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
from collections.abc import Iterable

from drafting.knowledge.text import analyse, strip_accents

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
    # "Vous recevez un courrier vous en informant": what it informs of is said before.
    r"|.*\bvous en (?:inform\w*|avert\w*|aviser|avise|avisant)\b"
    # "Il est nominatif", "Elle est versée chaque mois": the subject is named before. Not "il"
    # without a referent: "Il faut", "Il existe", "Il est possible de", "Il n'est pas nécessaire".
    r"|(?:elles?|ils)\b"
    r"|il\b(?!\s+(?:faut|fallait|faudra|existe|suffit|y\s+a|reste|convient|vaut|arrive|"
    r"s['’]agit|n['’]est\s+pas|n['’]y\s+a|(?:est|sera|était)\s+(?:(?:donc|alors|aussi|"
    r"toujours|parfois|souvent|désormais|également|fortement|vivement)\s+)?"
    r"(?:possible|impossible|nécessaire|conseillé|recommandé|obligatoire|interdit|inutile|utile|"
    r"préférable|indispensable|important|prudent|fréquent|rare|courant|souhaitable|prévu|"
    r"demandé|temps|question|tenu)))"
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
# A heading that names a situation rather than a subject: "Si ...", "En cas de ...", or "Vous"
# with a verb that says what the usager is, has, lives or goes through ("Vous êtes étudiant",
# "Vous n'avez pas reçu votre carte", "Vous vous mariez"). Not a modal ("Vous pouvez faire une
# demande en ligne", "Vous devez fournir"): it says what to do, for everyone.
_NUMBER_WORDS = r"(?:\d+|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|quinze|trente)"
_STATE_VERBS = (
    r"êtes|étiez|serez|avez|aviez|aurez|vivez|habitez|résidez|demeurez|logez|hébergez|louez|"
    r"possédez|travaillez|exercez|cotisez|employez|souhaitez|voulez|désirez|percevez|touchez|"
    r"bénéficiez|recevez|attendez|adoptez|élevez|divorcez|séparez|mariez|remariez|pacsez|"
    r"déménagez|installez|partez|quittez|arrêtez|cessez|perdez|changez|créez|reprenez|"
    r"achetez|vendez|contestez|relevez|dépendez|venez"
)
_SITUATION = re.compile(
    rf"^(?:(?P<vous>vous\s+(?:ne\s+|n['’])?(?:vous\s+|y\s+|en\s+)?(?:{_STATE_VERBS})\b)"
    r"|si\b|s['’]ils?\b|en cas\b)",
    re.IGNORECASE,
)
# Not a situation but what the usager is owed, or has time for, said to everyone: "Vous avez
# droit à un rappel", "Vous n'avez pas droit à l'aide", "Vous avez 2 mois pour contester",
# "Vous avez jusqu'au 31 mai" (an age stays one: "Vous avez 16 ans ou plus").
_ENTITLEMENT = re.compile(
    r"^vous\s+(?:n['’])?(?:avez|aurez|aviez)\s+(?:pas\s+|toujours\s+)?"
    rf"(?:droit|le\s+droit|la\s+possibilité|jusqu|un\s+délai|"
    rf"{_NUMBER_WORDS}\s+(?:jours?|semaines?|mois|heures?)\b)",
    re.IGNORECASE,
)

# The first words after which a sentence goes on in lower case behind a clause ("Si vous êtes
# étudiant, votre caisse..."): articles, determiners, pronouns, prepositions, common adverbs and
# the imperatives fiches open with. Any other word may be a name ("Pôle emploi", "Parcoursup",
# "Marseille") and keeps its capital: the clause is then set apart by a colon.
_OPENER_WORDS = (
    "le la les l un une des du de d au aux ce cet cette ces cela ça ceci celui celle ceux celles "
    "mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs "
    "je j tu il ils elle elles on nous vous chacun chacune chaque tout toute tous toutes "
    "aucun aucune certains certaines plusieurs quelques autre autres même seul seule seuls seules "
    "pour en à dans par sur sous avec sans selon après avant depuis pendant dès jusqu lors entre "
    "vers chez hors sauf outre ensuite puis alors désormais également aussi enfin toutefois "
    "cependant néanmoins sinon ne n pas si s quand lorsque lorsqu comme afin ainsi "
    "faites déposez envoyez adressez contactez demandez remplissez joignez signalez déclarez "
    "présentez prenez conservez vérifiez renseignez téléchargez consultez indiquez complétez "
    "transmettez fournissez inscrivez connectez rendez munissez pensez gardez imprimez notez "
    "payez réglez utilisez choisissez allez appelez écrivez suivez attendez patientez mettez "
    "effectuez sélectionnez cochez saisissez ouvrez créez activez justifiez précisez préparez "
    "prévoyez informez prévenez évitez"
)
_OPENERS = frozenset(_OPENER_WORDS.split())


def leans_back(text: str) -> bool:
    """Whether ``text`` (a sentence, or a list's lead-in) reads only after the sentence before."""
    return bool(_LEANS_BACK.match(text.strip()))


def _trail(title: str) -> list[str]:
    """The headings under the fiche's title, outermost first."""
    return [part.strip() for part in title.split(" › ")[1:] if part.strip()]


def _clause(heading: str) -> str:
    heading = heading.strip().rstrip(" ?:.!")
    match = _SITUATION.match(heading)
    if not match or _ENTITLEMENT.match(heading):
        return ""
    # "Vous êtes mineur" is a situation: "Si vous êtes mineur".
    return f"Si v{heading[1:]}" if match["vous"] else heading


_SI_VOUS = re.compile(r"^si vous (?:ne |n['’])?(\S+) ", re.IGNORECASE)


def _and(first: str, second: str) -> str:
    """Two situations said as one: "Si vous êtes salarié et en CDD", "Si vous êtes salarié et
    que vous avez un enfant", "Si vous êtes salarié et en cas de refus"."""
    outer, inner = _SI_VOUS.match(first), _SI_VOUS.match(second)
    # The same verb, both affirmative, is said once: "Si vous êtes salarié et en CDD".
    if (
        outer
        and inner
        and outer[1].lower() == inner[1].lower()
        and outer[0].lower() == f"si vous {outer[1].lower()} "
        and inner[0].lower() == f"si vous {inner[1].lower()} "
    ):
        return f"{first} et {second[inner.end() :]}"
    lowered = second[:1].lower() + second[1:]
    # "si A et si B" is said "si A et que B" (and "s'il" is "qu'il"); after "En cas de",
    # "si" stays.
    if not re.match(r"si\b|s['’]ils?\b", first, re.IGNORECASE):
        return f"{first} et {lowered}"
    if re.match(r"si\b", lowered):
        rest = lowered[2:].lstrip()
        que = "qu'" if re.match(r"(?:il|ils|elle|elles|on)\b", rest) else "que "
        return f"{first} et {que}{rest}"
    if re.match(r"s['’]ils?\b", lowered):
        return f"{first} et qu'{lowered[2:]}"
    return f"{first} et {lowered}"


def situations(title: str) -> list[str]:
    """The situations the section of ``title`` is written for, outermost first, each as a
    clause ("Si vous êtes salarié", "Si vous êtes en CDD")."""
    return [clause for heading in _trail(title) if (clause := _clause(heading))]


def joined(clauses: list[str]) -> str:
    """``clauses`` said as one clause, ``""`` for none."""
    result = ""
    for clause in clauses:
        result = _and(result, clause) if result else clause
    return result


def situation(title: str, question: str = "") -> str:
    """The situation the section of ``title`` is written for, as one clause ("Si vous êtes
    salarié et en CDD"), less what the usager says of themselves in ``question``; ``""`` for a
    section that applies to everyone (or to what the usager said they are)."""
    return joined([c for c in situations(title) if not (question and states(question, c))])


# A situation is taken as stated by the usager only when it has this many terms and the
# question has them all: "oublié" + "actualiser" is the usager's case, "reçue" alone is not
# ("je n'ai pas reçu" and "j'ai reçu" share it).
STATED_TERMS = 2


_WORDS = re.compile(r"[^\W_]+", re.UNICODE)
# Words that turn a sentence into its negation: "Si vous n'avez pas reçu votre carte" is not
# stated by "j'ai bien reçu ma carte", nor "Si vous êtes étudiant" by "je ne suis pas étudiant".
_NEGATION = frozenset({"ne", "n", "pas", "plus", "jamais", "aucun", "aucune", "ni", "non"})
# How many words around one of the situation's words a negation of the usager reaches.
NEGATION_REACH = 4


def _negated(words: list[str], terms: set[str]) -> bool:
    """Whether a negation stands within ``NEGATION_REACH`` words of a word of ``terms``."""
    for index, word in enumerate(words):
        if terms & set(analyse(word)):
            near = words[max(0, index - NEGATION_REACH) : index + NEGATION_REACH + 1]
            if _NEGATION & set(near):
                return True
    return False


# Someone else than the usager, as the subject of what the question says: "mon fils est
# majeur", "ma mère a oublié de s'actualiser", "elle est étudiante".
_THIRD_PERSON = re.compile(
    r"\b(?:(?:mon|ma|mes|notre|nos|son|sa|ses)\s+(?:fils|filles?|enfants?|m[eè]re|p[eè]re|"
    r"parents?|mari|femme|[ée]pou(?:x|se)|conjointe?|compagnon|compagne|fr[eè]res?|s(?:œ|oe)urs?|"
    r"grand-m[eè]re|grand-p[eè]re|grands-parents|b[ée]b[ée]|ado|voisine?|locataire)|"
    r"il|elle|ils|elles)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:(?:je|moi|me|nous)\b|[jm]['’])", re.IGNORECASE)
# What a question says of one person: the stretch between two marks.
_STRETCH = re.compile(r"[.;:!?,\n]+")


def _said_of_someone_else(question: str, terms: set[str]) -> bool:
    """Whether the stretch of ``question`` that says the situation's words is about someone
    else than the usager ("mon fils est majeur"), with no first person in it."""
    for stretch in _STRETCH.split(question):
        if terms & set(analyse(stretch)):
            return bool(_THIRD_PERSON.search(stretch)) and not _FIRST_PERSON.search(stretch)
    return False


def states(question: str, clause: str) -> bool:
    """Whether ``question`` says the usager is in the situation ``clause`` (the words as
    written, without synonyms: "une mutuelle gratuite" does not say "Si vous avez déjà une
    mutuelle"). A situation said in the negative, or words of it the usager negates, are never
    taken as stated: the polarity of "reçu" is not in its terms, and saying the situation back
    costs a clause where dropping it misleads. Nor is a situation the question says of someone
    else ("mon fils a oublié de s'actualiser"): the usager is not in it themselves."""
    terms = set(analyse(clause))
    if len(terms) < STATED_TERMS or not terms <= set(analyse(question)):
        return False
    if _NEGATION & set(_WORDS.findall(clause.lower())):
        return False
    if _said_of_someone_else(question, terms):
        return False
    return not _negated(_WORDS.findall(question.lower()), terms)


# "Si A ou si B", "En cas de A ou de B": the alternatives of a situation.
_ALTERNATIVES = re.compile(r",?\s+ou\s+(?=si\b|s['’]ils?\b|quand\b|lorsqu)", re.IGNORECASE)


def contradicts(question: str, clause: str) -> bool:
    """Whether ``question`` says the usager is *not* in the situation ``clause``: it negates the
    words of an affirmative situation ("j'ai pas de mutuelle" against "Si vous avez déjà une
    mutuelle"), or says in the affirmative the words of a negative one ("j'ai bien reçu ma
    carte" against "Si vous n'avez pas reçu votre carte"). One word negated is enough for an
    affirmative situation; a negative one needs ``STATED_TERMS`` words said without a negation
    (a single shared word said in passing tells nothing). Not what is said of someone else.
    A situation of alternatives ("Si vous retrouvez la carte ou si la nouvelle n'arrive pas") is
    contradicted only when each of them is."""
    alternatives = _ALTERNATIVES.split(clause)
    if len(alternatives) > 1:
        return all(contradicts(question, alternative) for alternative in alternatives)
    terms = set(analyse(clause))
    if not terms or not terms <= set(analyse(question)):
        return False
    if _said_of_someone_else(question, terms):
        return False
    negated = _negated(_WORDS.findall(question.lower()), terms)
    if _NEGATION & set(_WORDS.findall(clause.lower())):
        return len(terms) >= STATED_TERMS and not negated
    return negated


def stance(question: str, title: str) -> int:
    """How the situations the section of ``title`` is written for stand against what the usager
    says of themselves: -1 when the question contradicts one of them, 1 when it states one (and
    contradicts none), 0 when it says nothing of them (or the section is for everyone)."""
    clauses = situations(title)
    if any(contradicts(question, clause) for clause in clauses):
        return -1
    return 1 if any(states(question, clause) for clause in clauses) else 0


# A unit of a section written for a situation the usager says they are not in ("Si vous avez
# déjà une mutuelle" for "j'ai pas de mutuelle") keeps this share of its score; one of a section
# for a situation they say they are in is worth this much more (``stance``).
CONTRADICTED_SITUATION = 0.4
STATED_SITUATION = 1.25
# Sections side by side for situations that exclude one another ("Vous vous mariez ou vous
# concluez un PACS", "Vous divorcez ou vous séparez"): when the question names what one of them
# is about ("je viens de me marier") and not the others, the others keep this share.
OTHER_SITUATION = 0.6


# Two words of one family share their first letters ("marier", "mariez", "mariée": "marie";
# "séparée", "séparez": "separ"); the stemmer cuts verb forms apart ("mariez" and "marier" stem
# to "mar" and "mari", and "mari" is also the husband).
ROOT = 5


def _roots(text: str) -> list[tuple[int, str]]:
    """(position, root) of the content words of ``text`` as written: their first ``ROOT``
    letters without accents, a shorter word whole."""
    return [
        (i, strip_accents(word)[:ROOT])
        for i, word in enumerate(_WORDS.findall(text.lower()))
        if analyse(word)
    ]


def situation_weights(question: str, titles: Iterable[str]) -> dict[str, float]:
    """How much the units of each section (by ``title``) count for ``question``: less for a
    situation the usager contradicts, or for one beside the situation the usager names; more
    for a situation they state or name."""
    factors = {-1: CONTRADICTED_SITUATION, 0: 1.0, 1: STATED_SITUATION}
    weights = {title: factors[stance(question, title)] for title in titles}
    words = _WORDS.findall(question.lower())
    asked = _roots(question)
    # The sections under the same parent heading, each for a situation: siblings.
    siblings: dict[str, dict[str, frozenset[str]]] = {}
    for title in weights:
        trail = title.split(" › ")
        clause = _clause(trail[-1]) if len(trail) > 1 else ""
        # A situation said in the negative ("Vous n'avez pas reçu votre titre") is not named by
        # its words: "j'ai bien reçu mon titre" says the opposite.
        if clause and not _NEGATION & set(_WORDS.findall(clause.lower())):
            parent = " › ".join(trail[:-1])
            siblings.setdefault(parent, {})[title] = frozenset(r for _i, r in _roots(clause))
    for group in siblings.values():
        if len(group) < 2:
            continue
        shared = frozenset.intersection(*group.values())
        said = set()
        for title, roots in group.items():
            if weights[title] == CONTRADICTED_SITUATION:
                continue
            # Named, and not negated ("je ne suis pas mariée" names no marriage).
            where = [i for i, root in asked if root in roots - shared]
            if any(
                not _NEGATION & set(words[max(0, i - NEGATION_REACH) : i + NEGATION_REACH + 1])
                for i in where
            ):
                said.add(title)
        if not said or len(said) == len(group):
            continue
        for title in group:
            if weights[title] != 1.0:  # contradicted or stated: the usager said so
                continue
            weights[title] = STATED_SITUATION if title in said else OTHER_SITUATION
    return weights


def _lower_first(text: str) -> str | None:
    """``text`` with its first letter in lower case, or None when its first word may be a name
    and must keep its capital ("France Travail", "Parcoursup", "CAF"): only the common words a
    sentence opens with (``_OPENERS``) are lowered."""
    match = re.match(r"([^\W\d_]+)", text)
    if not match:
        return None
    word = match[1]
    if word != word.capitalize() or word.lower() not in _OPENERS:
        return None
    return text[0].lower() + text[1:]


# How many words of a sentence its opening is: "Un refus peut être contesté".
OPENING_WORDS = 3


def _opens_with(text: str, clause: str) -> bool:
    """Whether ``text`` opens on what ``clause`` says ("Un refus peut être contesté" in the
    section "En cas de refus"): said in front, the clause would repeat it ("En cas de refus, un
    refus peut être contesté")."""
    terms = set(analyse(_CASE_OF.sub("", clause)))
    return bool(terms) and terms <= set(analyse(" ".join(text.split()[:OPENING_WORDS])))


# The words that make a situation of a noun: "En cas de refus".
_CASE_OF = re.compile(r"^en\s+cas\s+d(?:e\s+|['’])", re.IGNORECASE)


_OPENING_BOX = re.compile(r"^(À savoir|À noter|Attention|Rappel) : ")


def with_situation(clause: str, text: str) -> str:
    """``text`` said for the situation ``clause``: "Si vous divorcez, chacun obtient...". A box
    keeps its label first: "À savoir : si vous avez oublié de vous actualiser, une erreur...",
    not "Si vous avez oublié de vous actualiser, à savoir : une erreur..."."""
    box = _OPENING_BOX.match(text)
    # A box with its own condition ("À savoir : si vous demandez une carte, ...") says both as
    # one: "À savoir : si vous êtes majeur et que vous demandez une carte, ...", not "Si vous
    # êtes majeur, à savoir : si vous demandez...".
    if box and clause and _SI.match(text[box.end() :]):
        after = text[box.end() :]
        both = _and(clause, after[:1].upper() + after[1:])
        lowered = _lower_first(both)
        return f"{box[0]}{lowered if lowered is not None else both}"
    # A box with another condition of its own ("À noter : en cas de perte") keeps the section's
    # clause in front: the one it states does not say the section's.
    if box and clause and not _OWN_CONDITION.match(text[box.end() :]):
        # box_labels lowered the sentence after the label: it opens a sentence again here.
        after = text[box.end() :]
        rest = with_situation(clause, after[:1].upper() + after[1:])
        lowered = _lower_first(rest)
        return f"{box[0]}{lowered if lowered is not None else rest}"
    if not clause or _OWN_CONDITION.match(text.strip()) or _opens_with(text, clause):
        return text
    lowered = _lower_first(text)
    return f"{clause}, {lowered}" if lowered is not None else f"{clause} : {text}"


_SI = re.compile(r"si\b|s['’]ils?\b", re.IGNORECASE)
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


def heading_lead(title: str, clause: str | None = None) -> str:
    """The line that introduces a bare list of the section of ``title``: its heading as a
    label ("Conditions :", "Comment s'inscrire ?"), said for ``clause`` (by default the
    situation of its headings), after the label so that a name keeps its capital ("Pièces à
    fournir, si vous êtes majeur :"). A situation heading is the lead itself ("Si vous êtes
    salarié et en CDD :"). ``""`` without a heading."""
    trail = _trail(title)
    if not trail:
        return ""
    heading = trail[-1]
    if clause is None:
        clause = situation(title)
    if _clause(heading):
        return f"{clause or _clause(heading)} :"
    # "Étape 2 : les pièces à fournir" labels the list by what follows the step.
    if " : " in heading:
        rest = heading.split(" : ", 1)[1].strip()
        heading = rest[:1].upper() + rest[1:]
    heading = heading.rstrip(" :.")
    if not clause:
        return heading if heading.endswith("?") else f"{heading} :"
    said = clause[:1].lower() + clause[1:]
    if heading.endswith("?"):
        return f"{heading[:-1].rstrip()} {said} ?"
    return f"{heading}, {said} :"
