"""Fitting the abstention model of the offline composer (``judgement.UNCOVERED_WEIGHTS``).

Each labelled question goes through what every draft goes through first
(``pipeline.read_case``: pseudonymisation, ``sources.gather``, ``compose``), and the composer
reports the evidence its fitted judgement weighed (``Composition.evidence``). A logistic
regression on that evidence, with "the base does not cover the question" as the outcome, gives
the weights. Fitted on all the sets but one and measured on the one left out, in turn, it tells
how the model does on questions it has not seen: what a new set of questions would show.

The regression is L2-regularised on standardised evidence (the objective of scikit-learn's
``LogisticRegression(C=1)``), solved by Newton's method: numpy only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from accounts.models import Administration
from drafting.suggestions import pipeline
from drafting.suggestions.judgement import FEATURES

from .drafts import EvaluationError, _case, knowledge_indexed

__all__ = ["Fit", "Sample", "collect", "fit", "held_out", "rates"]


@dataclass(frozen=True)
class Sample:
    set_name: str
    id: str
    covered: bool
    evidence: dict[str, float]


@dataclass(frozen=True)
class Fit:
    # In the evidence's own units, as compose reads them; the pieces of evidence the model
    # weighs are the keys (all of ``FEATURES`` unless some were left out to measure them).
    weights: dict[str, float]
    bias: float

    def probability(self, evidence: dict[str, float]) -> float:
        features = tuple(self.weights)
        row = _row(evidence, features)
        logit = self.bias + sum(
            self.weights[name] * v for name, v in zip(features, row, strict=True)
        )
        return float(1.0 / (1.0 + np.exp(-np.clip(logit, -50.0, 50.0))))


def _row(evidence: dict[str, float], features: Sequence[str] = FEATURES) -> list[float]:
    # compose weighs the BM25 score as log(1 + score): the regression sees it the same way.
    return [
        float(np.log1p(max(0.0, evidence[name]))) if name == "bm25" else float(evidence[name])
        for name in features
    ]


def collect(
    question_sets: Sequence[tuple[str, list[dict]]],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Sample], int]:
    """The composer's evidence for every question it judged with the fitted model, and how many
    questions it did not (a message that asks nothing, no fiche, no embeddings)."""
    if not knowledge_indexed():
        raise EvaluationError("no fiche is indexed")
    slugs = {q["administration"] for _name, questions in question_sets for q in questions}
    administrations = {a.slug: a for a in Administration.objects.filter(slug__in=slugs)}
    samples: list[Sample] = []
    skipped = done = 0
    total = sum(len(questions) for _name, questions in question_sets)
    for set_name, questions in question_sets:
        for item in questions:
            done += 1
            administration = administrations.get(item["administration"])
            if administration is None:
                skipped += 1
                continue
            composition = pipeline.read_case(_case(item, administration)).evidence
            if composition.evidence is None:
                skipped += 1
            else:
                covered = bool(item.get("covered", True))
                samples.append(Sample(set_name, item["id"], covered, composition.evidence))
            if progress:
                progress(done, total)
    return samples, skipped


def fit(
    samples: Sequence[Sample],
    *,
    features: Sequence[str] = FEATURES,
    c: float = 1.0,
    iterations: int = 50,
) -> Fit:
    """Logistic regression of "not covered" on the evidence (L2 penalty 1/(2c) on the
    standardised weights, the bias free); on ``features`` only when given (what a piece of
    evidence brings is measured by fitting without it)."""
    if len({s.covered for s in samples}) < 2:
        raise EvaluationError("fitting needs covered and uncovered questions")
    if not features:
        raise EvaluationError("fitting needs at least one piece of evidence")
    x = np.array([_row(s.evidence, features) for s in samples])
    y = np.array([0.0 if s.covered else 1.0 for s in samples])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], 1.0 / c)
    penalty[0] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -50.0, 50.0)))
        gradient = z.T @ (p - y) + penalty * beta
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    weights = beta[1:] / scale
    bias = beta[0] - float((beta[1:] * mean / scale).sum())
    return Fit({name: float(w) for name, w in zip(features, weights, strict=True)}, float(bias))


def rates(model: Fit, samples: Sequence[Sample], threshold: float) -> tuple[int, int, int, int]:
    """(uncovered abstained on, uncovered, covered abstained on, covered) at ``threshold``."""
    abstains = [model.probability(s.evidence) >= threshold for s in samples]
    uncovered = [a for a, s in zip(abstains, samples, strict=True) if not s.covered]
    covered = [a for a, s in zip(abstains, samples, strict=True) if s.covered]
    return sum(uncovered), len(uncovered), sum(covered), len(covered)


def held_out(
    samples: Sequence[Sample], threshold: float, *, features: Sequence[str] = FEATURES
) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Each set measured with the model fitted on the others (sets whose others lack a class,
    or that have one class only, are left out)."""
    results = []
    for name in dict.fromkeys(s.set_name for s in samples):
        others = [s for s in samples if s.set_name != name]
        if len({s.covered for s in others}) < 2:
            continue
        results.append(
            (
                name,
                rates(
                    fit(others, features=features),
                    [s for s in samples if s.set_name == name],
                    threshold,
                ),
            )
        )
    return results
