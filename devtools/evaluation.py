"""Retrieval alone on the short labelled set ``devtools/demo/retrieval_questions.jsonl``.

Kept for the retrieval quality gate of tests/drafting/test_retrieval.py (and the same set
feeds bench_drafting). Drafts as a whole are measured by ``eval_drafts`` (devtools/eval/).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from drafting.knowledge.retrieval import bm25_search
from drafting.models import SearchDocument

from .demo import QUESTIONS_FILE


@dataclass
class RetrievalScore:
    questions: int
    hit_at_1: float
    hit_at_3: float
    misses: list[tuple[str, str, list[str]]]


def load_questions(path: Path = QUESTIONS_FILE) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def ranked_fiches(question: str, administration_id: int, depth: int = 30) -> list[str]:
    """External ids of the articles whose passages rank best, best first, without repeats."""
    results = bm25_search(
        question, kind=SearchDocument.Kind.PASSAGE, administration_id=administration_id, k=depth
    )
    passages = SearchDocument.objects.filter(pk__in=[d.pk for d, _ in results]).values_list(
        "pk", "passage__article__external_id"
    )
    external = dict(passages)
    ranking: list[str] = []
    for document, _score in results:
        external_id = external.get(document.pk)
        if external_id and external_id not in ranking:
            ranking.append(external_id)
    return ranking


def evaluate(questions: list[dict], administration_id: int) -> RetrievalScore:
    hits1 = hits3 = 0
    misses = []
    for item in questions:
        ranking = ranked_fiches(item["question"], administration_id)
        hits1 += ranking[:1] == [item["expected"]]
        hits3 += item["expected"] in ranking[:3]
        if item["expected"] not in ranking[:3]:
            misses.append((item["question"], item["expected"], ranking[:3]))
    total = len(questions) or 1
    return RetrievalScore(len(questions), hits1 / total, hits3 / total, misses)
