"""Question-focused composition: what the offline drafter writes, and how sure every draft is.

The offline drafter does not invent: every sentence of substance is a unit of a source (a
sentence, a whole list with its lead-in, a whole table read as rows; ``drafting.knowledge.units``)
cited with the source's number. What makes a draft worth sending is the choice: the units that
answer *this* question, the answer first, the rest in the fiche's order, nothing from a
paragraph that merely shares a word with the question, and an honest abstention when the
sources do not cover the question. A model answer of the bank whose question matches closely is
reused whole instead.

The same analysis gives every draft, whatever the backend, its retrieval confidence
(``Composition.confidence``): the pipeline calls ``compose`` before the model.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from drafting.knowledge.compounds import (
    fiche_compounds,
    fiche_words,
    gives,
    names_title,
    unknown_compounds,
)
from drafting.knowledge.text import analyse
from drafting.knowledge.units import split_units as split_text

from .asking import INTENTS, asks_nothing, content_terms, question_intents, subject_terms
from .judgement import (
    LOW_CONFIDENCE,
    UNCOVERED_PROBABILITY,
    EvidenceContext,
    covered_confidence,
    term_evidence,
    uncovered_probability,
)
from .wording import (
    STATED_SITUATION,
    box_labels,
    heading_lead,
    leans_back,
    situation,
    situation_weights,
    with_situation,
)

# A unit is kept when it weighs at least this share of the best unit...
KEEP_RELATIVE = 0.3
# ...or, from another fiche than the best one's, this share.
OTHER_FICHE_RELATIVE = 0.75
MAX_UNITS = 7
MAX_WORDS = 300
# At most this many units and words of the section written for the usager's situation come
# right after the best unit (``_choose``).
SECTION_UNITS = MAX_UNITS - 2
SECTION_WORDS = MAX_WORDS // 2
# A unit that adds nothing new to what is chosen keeps this share of its score (see _choose).
NOVELTY_FLOOR = 0.4
# Units with more distinct terms than this are damped (see ``_score``).
LONG_UNIT_TERMS = 14
# Within a fiche, the words of its title (its subject) tell its units apart this much less.
TITLE_TERM_WEIGHT = 0.35
# How much the meaning (unit embeddings) counts beside the words, in units of the best term.
SEMANTIC_WEIGHT = 1.5
# A model answer of the bank is reused whole above this similarity of the two questions.
REUSE_SIMILARITY = 0.6
# Evidence a confident draft needs: question terms found in what it quotes, and their weight.
MIN_MATCHED_TERMS = 2
MIN_COVERAGE = 0.12
# Coverage credited when the best unit gives the kind of answer asked for (see ``INTENTS``).
INTENT_CREDIT = 0.15
# The confidence of a draft whose leading fiche is about something the question never names
# (see ``compose``): shown to the agent as a low-confidence one.
UNNAMED_SUBJECT_CONFIDENCE = 0.45
# The headings of sections that give dates ("Calendrier de paiement", "Quand s'actualiser ?").
_CALENDAR = re.compile(r"\b(calendrier|quand|dates?|d[ée]lais?|[ée]ch[ée]ances?)\b", re.I)
_QUANTITY = re.compile(r"\d+(?:[,.]\d+)?\s*(?:[^\W\d_]+|€|%)?")


@dataclass(frozen=True)
class ComposeSource:
    n: int
    kind: str  # "fiche" | "reponse_type"
    title: str
    url: str
    text: str
    # The source's standing among the retrieved fiches (1.0 for the best one).
    pertinence: float = 1.0
    # For answers of the bank: how close their question is to this one (0..1).
    similarity: float = 0.0

    @property
    def fiche(self) -> str:
        return self.title.split(" › ")[0]

    @property
    def heading(self) -> str:
        trail = self.title.split(" › ")
        return trail[-1] if len(trail) > 1 else ""


@dataclass
class Unit:
    source: ComposeSource
    position: int
    text: str
    kind: str  # "sentence" | "list" | "table"
    context: str = ""
    terms: frozenset[str] = field(default_factory=frozenset)
    score: float = 0.0

    def render(self, *, clause: str | None = None) -> str:
        """The unit as the reply quotes it, readable on its own (``wording``): a bare list
        introduced by its heading, a sentence with the one it leans on, and said for ``clause``
        (by default the situation its section is written for; ``""`` for none)."""
        if clause is None:
            clause = situation(self.source.title)
        text = box_labels(f"{self.context} {self.text}" if self.context else self.text)
        if self.kind != "sentence":
            first = text.split("\n", 1)[0]
            if first.startswith("- ") or leans_back(first):
                lead = heading_lead(self.source.title, clause)
                if lead:  # the lead says the situation
                    return f"{lead}\n{text} [{self.source.n}]"
        return f"{with_situation(clause, text)} [{self.source.n}]"


@dataclass
class Composition:
    body: list[str]  # paragraphs of substance, each cited
    cited: list[int]
    confidence: float
    abstained: bool
    # Why it abstained: "no_request" (thanks, a test), "not_covered"; "" when it did not.
    reason: str = ""
    reused: int | None = None  # number of the bank answer reused whole, if any
    # The evidence behind the confidence: share of the question's weight the quoted units
    # cover, and the best unit's embedding similarity with the question (when known).
    coverage: float = 0.0
    similarity: float | None = None
    # The inputs of the fitted judgement (``uncovered_probability``), when it judged: what
    # ``fit_abstention`` learns the weights from.
    evidence: dict[str, float] | None = None


@lru_cache(maxsize=8192)
def _analysed_units(text: str) -> tuple[tuple[int, str, str, str, frozenset[str]], ...]:
    # The same fiches serve draft after draft: their units are cut and analysed once per process.
    return tuple(
        (piece.position, piece.text, piece.kind, piece.context, frozenset(analyse(piece.full_text)))
        for piece in split_text(text)
    )


def split_units(source: ComposeSource) -> list[Unit]:
    """The source's units (``drafting.knowledge.units``) with their terms."""
    return [
        Unit(source, position, text, kind, context=context, terms=terms)
        for position, text, kind, context, terms in _analysed_units(source.text)
    ]


def _weights(question_terms: list[str], units: list[Unit]) -> dict[str, float]:
    """Inverse frequency of each question term among the candidate units.

    A term that every unit has (the fiche's own subject) tells the units apart least; a term
    found in no unit is a part of the question the sources do not speak of.
    """
    total = len(units) or 1
    df = Counter(term for unit in units for term in unit.terms)
    return {term: math.log(1 + total / (df.get(term, 0) + 0.5)) for term in question_terms}


def _score(
    unit: Unit,
    weights: Mapping[str, float],
    heading_terms: frozenset[str],
    intents: set[str],
    top: float,
) -> float:
    matched = unit.terms & weights.keys()
    score = sum(weights[term] for term in matched)
    # The section's heading says what the unit is about: its matches count half.
    score += 0.5 * sum(weights[term] for term in (heading_terms & weights.keys()) - matched)
    # Long units (a 12-item list) match more words by their length alone: damp them.
    length = max(len(unit.terms), 1)
    if length > LONG_UNIT_TERMS:
        score /= (length / LONG_UNIT_TERMS) ** 0.5
    # Giving the kind of answer asked for (a list, an amount) is worth the best term, however
    # long the unit: a list of twelve documents is the answer to "quels papiers", not noise.
    if score and intents:
        for intent in intents:
            gives = INTENTS[intent][1].search(unit.text)
            if gives and intent == "date" and unit.kind != "sentence":
                # A list's dates are conditions ("être né avant le 31 décembre") unless its
                # section is a calendar.
                gives = _CALENDAR.search(unit.source.heading)
            if gives or (intent == "list" and unit.kind != "sentence"):
                score += top
    return score * unit.source.pertinence


def _add_meaning(
    units: list[Unit], similarity: Mapping[tuple[int, int], float], top_weight: float
) -> None:
    """Meaning, not only words: each unit's closeness to the question (unit embeddings),
    relative to the other candidates, since embedding similarities are all high in absolute."""
    sims = [similarity.get((unit.source.n, unit.position)) for unit in units]
    known = sorted(s for s in sims if s is not None)
    if len(known) < 2:
        return
    floor, best = known[len(known) // 2], known[-1]
    span = (best - floor) or 1.0
    for unit, sim in zip(units, sims, strict=True):
        if sim is None:
            continue
        relative = max(0.0, (sim - floor) / span)
        unit.score += SEMANTIC_WEIGHT * top_weight * relative * relative * unit.source.pertinence


def _weigh_situations(units: list[Unit], question: str) -> frozenset[str]:
    """Units of a section written for another situation than the usager's count less, those of
    the one they are in more (``wording.situation_weights``); returns the sections (titles)
    written for the situation the usager is in."""
    weights = situation_weights(question, {unit.source.title for unit in units})
    for unit in units:
        unit.score *= weights[unit.source.title]
    return frozenset(title for title, weight in weights.items() if weight == STATED_SITUATION)


def _lean_on_antecedents(units: list[Unit]) -> None:
    """A sentence, or a list's lead-in, that leans on the sentence before it ("Conservez-le.",
    "Mais vous devez...", "Il est nominatif") is quoted with it (``wording.leans_back``); the
    terms that choose it stay its own."""
    previous: Unit | None = None
    for unit in units:
        if (
            not unit.context
            and previous is not None
            and previous.source.n == unit.source.n
            and previous.kind == "sentence"
            # A list's lead-in too: "Il est nominatif. Vous pouvez l'utiliser :"
            and leans_back(unit.text.split("\n", 1)[0])
        ):
            unit.context = f"{previous.context} {previous.text}".strip()
        previous = unit


def _choose(
    ranked: list[Unit],
    weights: Mapping[str, float],
    headings: Mapping[int, frozenset[str]],
    stated: frozenset[str] = frozenset(),
) -> list[Unit]:
    """The best unit, then, one at a time, the unit that adds most to what is already said.

    A unit that repeats the words already covered counts less than one that answers another
    part of the question ("commander une nouvelle carte *et* se faire rembourser en attendant").
    When the best unit's section is written for the situation the usager is in (``stated``:
    "Vous avez oublié de vous actualiser" for "j'ai oublié de m'actualiser, il se passe quoi ?"),
    the rest of that section is what happens next and what to do: it comes next, in the fiche's
    order, within ``SECTION_UNITS`` units and ``SECTION_WORDS`` words, so that what answers the
    question's other words keeps its room.
    """
    best = ranked[0]
    section = sorted(
        (u for u in ranked[1:] if best.source.title in stated and u.source.n == best.source.n),
        key=lambda u: u.position,
    )
    eligible = []
    for unit in ranked:
        if unit.score <= 0:
            break
        same_fiche = unit.source.fiche == best.source.fiche
        if unit.score / best.score >= (KEEP_RELATIVE if same_fiche else OTHER_FICHE_RELATIVE):
            eligible.append(unit)
    chosen: list[Unit] = []
    covered: set[str] = set()
    words = section_words = 0

    def gain(unit: Unit) -> float:
        terms = (unit.terms | headings[unit.source.n]) & weights.keys()
        total = sum(weights[t] for t in terms)
        if not total:
            return unit.score * NOVELTY_FLOOR
        new = sum(weights[t] for t in terms - covered)
        return unit.score * (NOVELTY_FLOOR + (1 - NOVELTY_FLOOR) * new / total)

    while (eligible or section) and len(chosen) < MAX_UNITS:
        if not chosen:
            unit = best
        elif section and len(chosen) <= SECTION_UNITS:
            unit = section.pop(0)
            size = len(unit.text.split()) + len(unit.context.split())
            if section_words + size > SECTION_WORDS:
                section.clear()  # the rest of the section competes as any unit does
                continue
            section_words += size
        elif eligible:
            unit = max(eligible, key=gain)
        else:
            break
        if unit in eligible:
            eligible.remove(unit)
        size = len(unit.text.split()) + len(unit.context.split())
        if chosen and words + size > MAX_WORDS:
            continue
        # Already said, alone or as what a chosen sentence leans on.
        if any(unit.text == other.text or unit.text in other.context for other in chosen):
            continue
        for other in chosen:
            # A sentence chosen after the one it continues no longer needs to repeat it.
            if unit.context and unit.context.endswith(other.text):
                unit.context = ""
        chosen.append(unit)
        covered |= unit.terms | headings[unit.source.n]
        words += size
    return chosen


def _paragraphs(chosen: list[Unit], question: str = "") -> list[str]:
    """The answer first; then the rest as the fiches read, one paragraph per source."""
    best = chosen[0]
    rest = sorted(chosen[1:], key=lambda u: (u.source.n != best.source.n, u.source.n, u.position))
    # Each unit says the situation it is written for ("Si vous êtes majeur"), unless the unit
    # before it was said for the same one, or the usager said it ("j'ai oublié de m'actualiser").
    paragraphs: list[str] = []
    current: list[str] = []
    current_source: int | None = None
    last: str | None = None  # the situation the reader has in mind, None when unsure
    for unit in [best, *rest]:
        if current and (unit.source.n != current_source or unit.kind != "sentence"):
            paragraphs.append(" ".join(current))
            current = []
        current_source = unit.source.n
        clause = situation(unit.source.title, question)
        rendered = unit.render(clause="" if clause == last else clause)
        # A unit with its own condition ("Si vous avez des enfants, ...") does not say it.
        last = clause if clause == last or clause.lower() in rendered.lower() else None
        if unit.kind == "sentence" and unit is not best:
            current.append(rendered)
        else:
            paragraphs.append(rendered)
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def compose(
    question: str,
    sources: list[ComposeSource],
    unit_similarity: Mapping[tuple[int, int], float] | None = None,
    *,
    min_similarity: float | None = None,
    context: EvidenceContext | None = None,
) -> Composition:
    """Choose and order what answers ``question``; ``Composition.abstained`` when nothing does.

    ``unit_similarity`` maps (source number, unit position) to the cosine similarity of the
    unit's embedding with the question's, when the semantic layer is on; below
    ``min_similarity`` (when given) the best unit is too far in meaning and the draft abstains.
    """
    if asks_nothing(question):
        return Composition([], [], confidence=0.0, abstained=True, reason="no_request")
    bank = [s for s in sources if s.kind != "fiche" and s.text.strip()]
    reusable = max(bank, key=lambda s: s.similarity, default=None)
    if reusable is not None and reusable.similarity >= REUSE_SIMILARITY:
        return Composition(
            body=[f"{reusable.text.strip()} [{reusable.n}]"],
            cited=[reusable.n],
            confidence=round(min(1.0, reusable.similarity), 3),
            abstained=False,
            reused=reusable.n,
        )

    fiches = [s for s in sources if s.kind == "fiche"]
    variants = context.variants if context is not None else {}
    question_terms = list(dict.fromkeys(variants.get(t, t) for t in content_terms(question)))
    units = [unit for source in fiches for unit in split_units(source)]
    _lean_on_antecedents(units)
    if not question_terms or not units:
        return Composition([], [], confidence=0.0, abstained=True, reason="not_covered")
    weights = _weights(question_terms, units)
    intents = question_intents(question)
    titles = {s.n: frozenset(analyse(s.fiche)) for s in fiches}
    headings = {s.n: frozenset(analyse(s.heading)) for s in fiches}
    top = max(weights.values(), default=1.0)
    for unit in units:
        local = {
            t: w * TITLE_TERM_WEIGHT if t in titles[unit.source.n] else w
            for t, w in weights.items()
        }
        unit.score = _score(unit, local, headings[unit.source.n], intents, top)
    if unit_similarity:
        _add_meaning(units, unit_similarity, top)
    stated = _weigh_situations(units, question)
    ranked = sorted(units, key=lambda u: (-u.score, u.source.n, u.position))
    if ranked[0].score <= 0:
        return Composition([], [], confidence=0.0, abstained=True, reason="not_covered")
    chosen = _choose(ranked, weights, headings, stated)

    # What the question is about, for the evidence: its words as written, an organisation's
    # name not spelled out ("caf" does not name the benefit "Allocations familiales":
    # ``text.ORGANISATIONS``); numbers (an amount, a date, an identifier) help choose a row of
    # a table but say nothing of the subject.
    evidence_terms = subject_terms(
        question, variants, context.fiche_frequency if context is not None else None
    )
    evidence_weights = _weights(evidence_terms, units)
    subject_weights = {
        t: w for t, w in evidence_weights.items() if not t.isdigit()
    } or evidence_weights
    question_weight = sum(subject_weights.values()) or 1.0
    covered_terms = frozenset().union(
        *(u.terms | titles[u.source.n] | headings[u.source.n] for u in chosen)
    )
    covered = sum(w for t, w in subject_weights.items() if t in covered_terms) / question_weight
    # The kind of answer asked for ("combien", "quels papiers") given by the best unit is
    # evidence too: the words of the question say *what*, the unit gives the amount or the list.
    if any(INTENTS[intent][1].search(ranked[0].text) for intent in intents):
        covered = min(1.0, covered + INTENT_CREDIT)
    matched = covered_terms & evidence_weights.keys()
    evidence: dict[str, float] | None = None
    best_similarity = max(
        (v for (n, _p), v in (unit_similarity or {}).items() if n == ranked[0].source.n),
        default=None,
    )
    confidence = round(min(1.0, 0.2 + 0.8 * covered) * ranked[0].source.pertinence, 3)
    if context is not None and context.rankings_agree is not None and best_similarity:
        # The semantic layer is on and both rankings answered: the fitted judgement.
        best_fiche = fiches[0].fiche  # the fiche retrieval ranked first
        fiche_terms = frozenset().union(
            *(
                unit.terms | titles[unit.source.n] | headings[unit.source.n]
                for unit in units
                if unit.source.fiche == best_fiche
            )
        )
        elsewhere, unknown = term_evidence(evidence_terms, fiche_terms, context)
        evidence = {
            "coverage": covered,
            "similarity": best_similarity,
            "agree": 1.0 if context.rankings_agree else 0.0,
            "elsewhere": elsewhere,
            "unknown": unknown,
            "bm25": context.bm25,
        }
        uncovered = uncovered_probability(**evidence)
        not_covered = uncovered >= UNCOVERED_PROBABILITY
        # The fitted judgement is the confidence: the share of the question's words the units
        # cover (the formula above) is one of its inputs, and alone it warned on one good
        # draft in six of the evaluation set.
        confidence = round(covered_confidence(uncovered) * ranked[0].source.pertinence, 3)
    else:
        too_far = (
            min_similarity is not None
            and best_similarity is not None
            and best_similarity < min_similarity
        )
        not_covered = (
            len(matched) < min(MIN_MATCHED_TERMS, len(evidence_terms))
            or covered < MIN_COVERAGE
            or too_far
        )
    # A question that never names what the leading fiche is about (its title, the headings of
    # its sections) may ask about a neighbouring procedure the base has no fiche for: "se faire
    # recenser" drafted from the fiche on the electoral rolls, which mentions the census in one
    # sentence. The draft is written, and shown to the agent as a low-confidence one.
    # A quantity ("16 ans", "3 semaines") is the usager's data, never a subject.
    named = set(subject_terms(_QUANTITY.sub(" ", question), variants))
    lead = ranked[0].source
    subject = titles[lead.n].union(*(headings[s.n] for s in fiches if s.fiche == lead.fiche))
    if not subject & named:
        confidence = min(confidence, UNNAMED_SUBJECT_CONFIDENCE)
    # A question naming another thing of the same kind than the leading fiche ("carte grise",
    # "carte d'électeur" against "Carte d'identité perdue ou volée"; "permis bateau" against the
    # driving licence) is about a procedure that fiche does not describe, however close the
    # words and the meaning (``compounds``): when neither another fiche found names that thing
    # nor the fiche uses the word at all, the base does not cover it; else ("permis
    # probatoire", a fiche that speaks of the "période probatoire") the draft is shown as a
    # low-confidence one.
    texts: dict[str, list[str]] = {}
    for source in fiches:
        texts.setdefault(source.fiche, []).extend((source.heading, source.text))
    known = fiche_compounds(lead.fiche, texts[lead.fiche])
    other_things = unknown_compounds(question, lead.fiche, known)
    if other_things:
        words = fiche_words(texts[lead.fiche])
        if all(qualifier in words for _head, qualifier in other_things) or any(
            gives(fiche_compounds(fiche, parts), head, qualifier)
            for fiche, parts in texts.items()
            if fiche != lead.fiche
            for head, qualifier in other_things
        ):
            confidence = min(confidence, UNNAMED_SUBJECT_CONFIDENCE)
        else:
            not_covered = True
    elif not_covered and names_title(question, lead.fiche):
        # The question names the very thing the fiche is about ("ma carte vitale" for the
        # fiche on a lost carte Vitale), in words the base does not use ("égarée ds le bus"):
        # the base has a fiche for it, perhaps not for this question. On the six sets of
        # devtools/eval, 219 of the 224 questions naming their first fiche's thing are
        # covered. The draft is written, shown as a low-confidence one.
        not_covered = False
        confidence = min(confidence, UNNAMED_SUBJECT_CONFIDENCE)
    if not_covered:
        return Composition(
            [],
            [],
            confidence=min(confidence, LOW_CONFIDENCE / 2),
            abstained=True,
            reason="not_covered",
            coverage=covered,
            similarity=best_similarity,
            evidence=evidence,
        )
    return Composition(
        body=_paragraphs(chosen, question),
        cited=sorted({u.source.n for u in chosen}),
        confidence=confidence,
        abstained=False,
        coverage=covered,
        similarity=best_similarity,
        evidence=evidence,
    )
