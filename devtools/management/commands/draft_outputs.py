"""Write what the pipeline drafts for every labelled question, to compare two versions of it.

Each question of ``devtools/eval/questions.jsonl`` and ``heldout*.jsonl`` (or ``--questions``)
is drafted through ``drafting.suggestions.pipeline.draft`` as ``eval_drafts`` does, then each
reuse pair with the first draft banked (rolled back, as ``eval_drafts`` does). Everything a
draft says is written, and nothing that depends on time or on row ids made by the run: the
text, the sources (their numbers, kinds, titles, texts, scores and references), the
confidence, the abstention, the citation check and the reused answer. Two runs of the same
code on the same database write the same bytes; a change that only makes drafting faster must
too (``cmp before.json after.json``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Administration
from devtools.eval import EVAL_DIR
from devtools.eval.drafts import _case, _EvalActor, _pairs, banked, forced_backend, load_questions
from drafting.suggestions import pipeline


def _draft(case, banked: int | None = None) -> dict[str, Any]:
    result, sources, _retrieval_ms = pipeline.draft(case)

    def ref(value: dict) -> dict:
        if banked is not None and value.get("bank_answer_id") == banked:
            return {**value, "bank_answer_id": "banked"}
        return value

    return {
        "text": result.text,
        "backend": result.backend,
        "model_name": result.model_name,
        "fell_back": result.fell_back,
        "error": result.error,
        "prompt_tokens": result.prompt_tokens,
        "completion_tokens": result.completion_tokens,
        "confidence": result.confidence,
        "abstained": result.abstained,
        "verification": result.verification,
        "reused_answer_id": (
            "banked"
            if banked is not None and result.reused_answer_id == banked
            else result.reused_answer_id
        ),
        "sources": [
            {
                "n": s.number,
                "kind": s.kind,
                "title": s.title,
                "url": s.url,
                "text": s.text,
                "score": s.score,
                "pertinence": s.pertinence,
                "similarity": s.similarity,
                "ref": ref(s.ref),
            }
            for s in sources
        ],
    }


def _pair_drafts(questions: list[dict], drafts: dict[str, dict]) -> dict[str, dict]:
    """Each reuse pair's second draft, the first one's banked (all rolled back)."""
    administrations = {a.slug: a for a in Administration.objects.all()}
    actor = _EvalActor()
    pairs = {}
    with transaction.atomic():
        for name, first, second in _pairs(questions):
            administration = administrations[second["administration"]]
            with banked(first, drafts[first["id"]]["text"], administration, actor) as answer:
                pairs[name] = _draft(_case(second, administration), banked=answer.pk)
        transaction.set_rollback(True)
    return pairs


class Command(BaseCommand):
    help = "Write every draft of the labelled questions (and reuse pairs) to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path)
        parser.add_argument("--questions", type=Path, action="append")
        parser.add_argument("--no-pairs", action="store_true")

    def handle(self, *args, **options):
        files = options["questions"] or sorted(EVAL_DIR.glob("*.jsonl"))
        administrations = {a.slug: a for a in Administration.objects.all()}
        out: dict[str, Any] = {}
        with forced_backend("offline"):
            for path in files:
                questions = [
                    q for q in load_questions(path) if q["administration"] in administrations
                ]
                if not questions:
                    raise CommandError(f"No administration of {path.name} in this database.")
                drafts = {
                    item["id"]: _draft(_case(item, administrations[item["administration"]]))
                    for item in questions
                }
                pairs = {} if options["no_pairs"] else _pair_drafts(questions, drafts)
                out[path.name] = {"drafts": drafts, "pairs": pairs}
                self.stdout.write(f"{path.name}: {len(drafts)} drafts, {len(pairs)} pairs")
        options["output"].write_text(
            json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
        )
