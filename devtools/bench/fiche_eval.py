"""Fiche retrieval on the labelled usager questions: hit@1/hit@3 of ``retrieve_fiches`` and its
latency, BM25 alone against hybrid (BM25 + embeddings fused by RRF).

Used by ``bench_drafting --fiches`` (after ``seed_demo``, or on any database holding the demo
fiches). The question set is ``devtools/eval/questions.jsonl``: covered questions only (the
others have no right fiche).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

from django.test.utils import override_settings

from drafting.knowledge import embeddings
from drafting.knowledge.retrieval import retrieve_fiches

EVAL_QUESTIONS = Path(__file__).resolve().parents[1] / "eval" / "questions.jsonl"


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)] if ordered else 0.0


def load_covered(path: Path = EVAL_QUESTIONS) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [row for row in rows if row.get("covered") and row.get("expected_sources")]


def question_text(item: dict) -> str:
    """What a draft retrieves with: the case's subject and message."""
    return f"{item.get('subject', '')}\n{item['question']}".strip()


@dataclass
class FicheScore:
    label: str
    questions: int
    hit_at_1: float
    hit_at_3: float
    p50_ms: float
    p95_ms: float
    misses: list[tuple[str, list[str], list[str]]]


def evaluate_fiches(
    questions: list[dict], administration_id: int, *, hybrid: bool, label: str = ""
) -> FicheScore:
    """Rank fiches for each question; ``hybrid`` False turns the embeddings off."""
    overrides = {} if hybrid else {"DRAFTING_EMBEDDINGS": ""}
    hits1 = hits3 = 0
    timings: list[float] = []
    misses = []
    with override_settings(**overrides):
        embeddings.clear_caches()
        for item in questions:
            text = question_text(item)
            started = time.perf_counter()
            found = retrieve_fiches(text, administration_id=administration_id, articles=3)
            timings.append((time.perf_counter() - started) * 1000)
            ranking = [article.external_id for article in found]
            expected = item["expected_sources"]
            hits1 += bool(ranking[:1]) and ranking[0] in expected
            hit3 = any(external_id in expected for external_id in ranking[:3])
            hits3 += hit3
            if not hit3:
                misses.append((item["question"], expected, ranking))
    total = len(questions) or 1
    return FicheScore(
        label or ("hybrid" if hybrid else "BM25"),
        len(questions),
        hits1 / total,
        hits3 / total,
        percentile(timings, 0.5),
        percentile(timings, 0.95),
        misses,
    )
