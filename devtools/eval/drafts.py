"""Drafting a labelled question set through the real pipeline, and scoring the drafts.

Each question becomes an unsaved case of its administration and goes through
``drafting.suggestions.pipeline.draft`` (which writes nothing), with the backend asked for.
The scores (see ``Report.metrics``):

- hit@1 / hit@3: the right fiche is the first / among the first three fiches the draft
  *cites* (``[n]`` markers; source n maps to its fiche through ``ref["article_id"]``);
- key-fact recall: a fact is found when one of its wordings appears in the draft
  (case-insensitive, markers removed);
- support: the share of cited sentences that their sources support
  (``drafting.grounding.verify_citations``);
- abstention precision and recall on the questions the base does not cover, and the share of
  covered questions wrongly abstained on;
- the warnings short of abstaining: the share of uncovered questions that were abstained on *or*
  drafted with a low confidence (the panel tells the agent to check), and the share of covered
  questions drafted with a low confidence;
- past-answer reuse precision and recall: for each pair of questions, the first one's draft is
  banked as a model answer and the second drafted; a reuse of that answer counts, right when both
  questions share the same need (recall: the share of same-need pairs reused). The bank entries
  live in a transaction that is rolled back.
- latency p50 / p95 of a whole draft.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from django.db import transaction
from django.test.utils import override_settings

from accounts.models import Administration, Role, User
from accounts.permissions import forget_cached_permissions
from accounts.services import membership_create
from cases.models import Case
from drafting.answers.services import bank_answer_create
from drafting.grounding import strip_markers, verify_citations
from drafting.grounding.markup import cited_numbers
from drafting.models import BankAnswer, KnowledgeArticle, SearchDocument
from drafting.suggestions import pipeline
from drafting.suggestions.judgement import LOW_CONFIDENCE

from . import QUESTIONS_FILE

__all__ = [
    "EvaluationError",
    "PairResult",
    "QuestionResult",
    "Report",
    "banked",
    "forced_backend",
    "knowledge_indexed",
    "load_questions",
    "run",
    "select",
]

EVAL_ACTOR_EMAIL = "eval-drafts@guichet.invalid"


class EvaluationError(Exception):
    """The evaluation cannot run (no knowledge, no question left...)."""


# --- questions ------------------------------------------------------------------------------


def load_questions(path: Path = QUESTIONS_FILE) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def select(
    questions: list[dict],
    *,
    administration: str | None = None,
    kind: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    chosen = [
        q
        for q in questions
        if (administration is None or q["administration"] == administration)
        and (kind is None or q["kind"] == kind)
    ]
    return chosen[:limit] if limit is not None else chosen


def knowledge_indexed() -> bool:
    return SearchDocument.objects.filter(kind=SearchDocument.Kind.PASSAGE).exists()


# --- one draft ------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    id: str
    administration: str
    kind: str
    covered: bool
    expected_sources: list[str]
    cited_fiches: list[str] = field(default_factory=list)
    hit_at_1: bool = False
    hit_at_3: bool = False
    facts_total: int = 0
    facts_found: int = 0
    missing_facts: list[list[str]] = field(default_factory=list)
    cited_sentences: int = 0
    supported_sentences: int = 0
    unsupported: list[str] = field(default_factory=list)
    abstained: bool = False
    confidence: float | None = None
    # Drafted, but shown to the agent as a low-confidence draft (``draft_review``'s rule).
    low_confidence: bool = False
    reused_answer_id: int | None = None
    backend: str = ""
    model_name: str = ""
    fell_back: bool = False
    error: str = ""
    latency_ms: float = 0.0
    retrieval_ms: int = 0
    text: str = ""


def _folded(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(text.casefold().split())


def facts_in(text: str, key_facts: list[list[str]]) -> list[bool]:
    """For each fact, whether one of its wordings appears in ``text``."""
    folded = _folded(strip_markers(text))
    return [any(_folded(wording) in folded for wording in fact) for fact in key_facts]


def cited_fiches(text: str, sources: list, external_ids: dict[int, str]) -> list[str]:
    """External ids of the fiches ``text`` cites, in order of first citation, once each."""
    fiches: list[str] = []
    for number in cited_numbers(text):
        if not 1 <= number <= len(sources):
            continue
        article_id = sources[number - 1].ref.get("article_id")
        external_id = external_ids.get(article_id) if article_id is not None else None
        if external_id and external_id not in fiches:
            fiches.append(external_id)
    return fiches


def _case(item: dict, administration: Administration) -> Case:
    return Case(
        administration=administration,
        subject=item.get("subject") or "",
        body=item["question"],
        channel=item.get("channel") or "web_form",
        usager_name="",
    )


def draft_question(
    item: dict, administration: Administration, external_ids: dict[int, str]
) -> QuestionResult:
    expected = list(item.get("expected_sources") or [])
    key_facts = [list(fact) for fact in item.get("key_facts") or []]
    row = QuestionResult(
        id=item["id"],
        administration=item["administration"],
        kind=item.get("kind", ""),
        covered=bool(item.get("covered", True)),
        expected_sources=expected,
        facts_total=len(key_facts),
    )
    started = time.perf_counter()
    try:
        result, sources, retrieval_ms = pipeline.draft(_case(item, administration))
    except Exception as exc:  # a failed draft is a result too: counted, not fatal
        row.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        row.error = f"{type(exc).__name__}: {exc}"[:500]
        row.missing_facts = key_facts
        return row
    row.latency_ms = round((time.perf_counter() - started) * 1000, 1)
    row.retrieval_ms = retrieval_ms
    row.text = result.text
    row.backend, row.model_name = result.backend, result.model_name
    row.fell_back, row.error = result.fell_back, result.error
    row.cited_fiches = cited_fiches(result.text, sources, external_ids)
    row.hit_at_1 = bool(set(row.cited_fiches[:1]) & set(expected))
    row.hit_at_3 = bool(set(row.cited_fiches[:3]) & set(expected))
    found = facts_in(result.text, key_facts)
    row.facts_found = sum(found)
    row.missing_facts = [fact for fact, ok in zip(key_facts, found, strict=True) if not ok]
    verification = verify_citations(result.text, [source.checked_text for source in sources])
    row.cited_sentences = verification.cited
    row.supported_sentences = verification.supported
    row.unsupported = [strip_markers(check.text) for check in verification.flagged]
    # Until DraftResult says so itself, a draft that cites nothing is taken as an abstention.
    abstained = getattr(result, "abstained", None)
    row.abstained = bool(abstained) if abstained is not None else not cited_numbers(result.text)
    confidence = getattr(result, "confidence", None)
    row.confidence = float(confidence) if confidence is not None else None
    row.low_confidence = (
        not row.abstained and row.confidence is not None and row.confidence < LOW_CONFIDENCE
    )
    row.reused_answer_id = getattr(result, "reused_answer_id", None)
    return row


# --- reuse pairs ----------------------------------------------------------------------------


@dataclass
class PairResult:
    pair: str
    first: str
    second: str
    same_need: bool
    banked_answer_id: int | None = None
    reused_answer_id: int | None = None
    reused: bool = False
    error: str = ""


def _pairs(questions: list[dict]) -> list[tuple[str, dict, dict]]:
    grouped: dict[str, list[dict]] = {}
    for item in questions:
        if item.get("pair"):
            grouped.setdefault(item["pair"], []).append(item)
    return [(name, items[0], items[1]) for name, items in grouped.items() if len(items) >= 2]


class _EvalActor:
    """A throwaway agent of each administration, to bank answers as an agent would."""

    def __init__(self) -> None:
        self.user: User | None = None
        self.members: set[int] = set()

    def of(self, administration: Administration) -> User:
        if self.user is None:
            self.user = User.objects.create_user(
                EVAL_ACTOR_EMAIL, None, first_name="Évaluation", last_name="Brouillons"
            )
        if administration.pk not in self.members:
            membership_create(user=self.user, administration=administration, role=Role.AGENT)
            forget_cached_permissions(self.user)
            self.members.add(administration.pk)
        return self.user


@contextmanager
def banked(
    first: dict, first_text: str, administration: Administration, actor: _EvalActor
) -> Iterator[BankAnswer]:
    """``first_text`` banked as a model answer to ``first`` for the time of the block, undone
    after (a savepoint rolled back): what a reuse pair's second question is drafted against."""
    # The agent is made outside the savepoint: it serves every pair of the run.
    agent = actor.of(administration)
    savepoint = transaction.savepoint()
    try:
        yield bank_answer_create(
            actor=agent,
            administration=administration,
            question=f"{first.get('subject') or ''}\n{first['question']}".strip(),
            answer=strip_markers(first_text),
        )
    finally:
        transaction.savepoint_rollback(savepoint)


def reuse_pair(
    name: str, first: dict, second: dict, first_text: str, administration, actor: _EvalActor
) -> PairResult:
    """Bank ``first_text`` as a model answer to ``first``, draft ``second``, undo the bank."""
    row = PairResult(name, first["id"], second["id"], bool(second.get("same_need", False)))
    try:
        with banked(first, first_text, administration, actor) as answer:
            row.banked_answer_id = answer.pk
            result, _sources, _ms = pipeline.draft(_case(second, administration))
            row.reused_answer_id = getattr(result, "reused_answer_id", None)
            row.reused = row.reused_answer_id == answer.pk
    except Exception as exc:
        row.error = f"{type(exc).__name__}: {exc}"[:500]
    return row


# --- the run --------------------------------------------------------------------------------


@contextmanager
def forced_backend(backend: str, model_name: str = "") -> Iterator[None]:
    """Draft with ``backend`` whatever the administrations' experiment periods chose."""
    overrides: dict[str, Any] = {"DRAFTING_BACKEND": backend}
    if model_name:
        overrides["DRAFTING_OPENAI_MODEL"] = model_name
    with override_settings(**overrides):
        if hasattr(pipeline, "_backend_for"):
            with mock.patch.object(pipeline, "_backend_for", lambda case: (backend, model_name)):
                yield
        else:
            yield


@dataclass
class Report:
    backend: str
    model_name: str
    questions: list[QuestionResult]
    pairs: list[PairResult]
    skipped: list[str]
    rolled_back: bool = True

    def metrics(self) -> dict[str, Any]:
        rows = self.questions
        labelled = [r for r in rows if r.covered and r.expected_sources]
        covered = [r for r in rows if r.covered]
        uncovered = [r for r in rows if not r.covered]
        abstained = [r for r in rows if r.abstained]
        right_abstentions = [r for r in abstained if not r.covered]
        # A draft the panel shows as low-confidence warns the agent too, short of abstaining.
        warned = [r for r in rows if r.abstained or r.low_confidence]
        warned_covered = [r for r in covered if r.low_confidence and not r.abstained]
        facts_total = sum(r.facts_total for r in covered)
        cited = sum(r.cited_sentences for r in rows)
        reuses = [p for p in self.pairs if p.reused]
        different = [p for p in self.pairs if not p.same_need]
        same = [p for p in self.pairs if p.same_need]
        latencies = [r.latency_ms for r in rows if not r.error or r.text]
        return {
            "questions": len(rows),
            "covered": len(covered),
            "uncovered": len(uncovered),
            "hit_at_1": _share(sum(r.hit_at_1 for r in labelled), len(labelled)),
            "hit_at_3": _share(sum(r.hit_at_3 for r in labelled), len(labelled)),
            "labelled": len(labelled),
            "key_fact_recall": _share(sum(r.facts_found for r in covered), facts_total),
            "key_facts": facts_total,
            "key_facts_found": sum(r.facts_found for r in covered),
            "supported_share": _share(sum(r.supported_sentences for r in rows), cited),
            "cited_sentences": cited,
            "supported_sentences": sum(r.supported_sentences for r in rows),
            "abstentions": len(abstained),
            "abstention_precision": _share(len(right_abstentions), len(abstained)),
            "abstention_recall": _share(len(right_abstentions), len(uncovered)),
            "false_abstention_share": _share(len(abstained) - len(right_abstentions), len(covered)),
            "warned_recall": _share(sum(not r.covered for r in warned), len(uncovered)),
            "warned_covered_share": _share(len(warned_covered), len(covered)),
            "pairs": len(self.pairs),
            "reuses": len(reuses),
            "reuse_precision": _share(sum(p.same_need for p in reuses), len(reuses)),
            "reuse_recall": _share(sum(p.reused for p in same), len(same)),
            "same_need_pairs_reused": sum(p.reused for p in same),
            "same_need_pairs": len(same),
            "different_need_pairs_reused": sum(p.reused for p in different),
            "different_need_pairs": len(different),
            "latency_p50_ms": percentile(latencies, 0.50),
            "latency_p95_ms": percentile(latencies, 0.95),
            "fell_back": sum(r.fell_back for r in rows),
            "errors": sum(bool(r.error) and not r.text for r in rows),
            "pair_errors": sum(bool(p.error) for p in self.pairs),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "model_name": self.model_name,
            "metrics": self.metrics(),
            "skipped": self.skipped,
            "bank_rolled_back": self.rolled_back,
            "questions": [asdict(r) for r in self.questions],
            "pairs": [asdict(p) for p in self.pairs],
        }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def run(
    questions: list[dict],
    *,
    backend: str,
    model_name: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Draft every question, then the reuse pairs inside a transaction rolled back at the end."""
    if not knowledge_indexed():
        raise EvaluationError("no fiche is indexed")
    administrations = {
        a.slug: a
        for a in Administration.objects.filter(slug__in={q["administration"] for q in questions})
    }
    skipped = [q["id"] for q in questions if q["administration"] not in administrations]
    kept = [q for q in questions if q["administration"] in administrations]
    if not kept:
        raise EvaluationError("none of the questions' administrations exists")
    external_ids = dict(KnowledgeArticle.objects.values_list("pk", "external_id"))
    results: list[QuestionResult] = []
    pairs: list[PairResult] = []
    with forced_backend(backend, model_name):
        # The drafts write nothing: no transaction is held while a remote model answers.
        for index, item in enumerate(kept, start=1):
            results.append(
                draft_question(item, administrations[item["administration"]], external_ids)
            )
            if progress is not None:
                progress(index, len(kept))
        texts = {r.id: r.text for r in results}
        todo = [(n, a, b) for n, a, b in _pairs(kept) if texts.get(a["id"])]
        if todo:
            actor = _EvalActor()
            with transaction.atomic():
                for name, first, second in todo:
                    pairs.append(
                        reuse_pair(
                            name,
                            first,
                            second,
                            texts[first["id"]],
                            administrations[second["administration"]],
                            actor,
                        )
                    )
                transaction.set_rollback(True)
    return Report(backend, model_name, results, pairs, skipped)


def format_report(report: Report) -> list[str]:
    m = report.metrics()

    def pct(value: float | None) -> str:
        return "   n/a" if value is None else f"{value:6.1%}"

    def ms(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.0f} ms"

    model = f" ({report.model_name})" if report.model_name else ""
    lines = [
        f"eval_drafts: {m['questions']} questions ({m['covered']} covered, "
        f"{m['uncovered']} not covered), backend {report.backend}{model}",
        f"  hit@1 (right fiche cited first)      {pct(m['hit_at_1'])}  of {m['labelled']}",
        f"  hit@3 (among the first three cited)  {pct(m['hit_at_3'])}",
        f"  key-fact recall                      {pct(m['key_fact_recall'])}  "
        f"({m['key_facts_found']}/{m['key_facts']} facts)",
        f"  cited sentences supported            {pct(m['supported_share'])}  "
        f"({m['supported_sentences']}/{m['cited_sentences']} sentences)",
        f"  abstention precision                 {pct(m['abstention_precision'])}  "
        f"({m['abstentions']} abstentions)",
        f"  abstention recall (not covered)      {pct(m['abstention_recall'])}",
        f"  false abstentions (covered)          {pct(m['false_abstention_share'])}",
        f"  not covered, abstained or warned     {pct(m['warned_recall'])}",
        f"  covered, drafted with low confidence {pct(m['warned_covered_share'])}",
        f"  past-answer reuse precision          {pct(m['reuse_precision'])}  "
        f"({m['reuses']} reuses over {m['pairs']} pairs; same need "
        f"{m['same_need_pairs_reused']}/{m['same_need_pairs']}, different need "
        f"{m['different_need_pairs_reused']}/{m['different_need_pairs']})",
        f"  past-answer reuse recall (same need) {pct(m['reuse_recall'])}",
        f"  latency p50 / p95                    {ms(m['latency_p50_ms'])} / "
        f"{ms(m['latency_p95_ms'])}",
    ]
    if m["fell_back"] or m["errors"]:
        lines.append(
            f"  fell back to the offline drafter: {m['fell_back']}; failed drafts: {m['errors']}"
        )
    if m["pair_errors"]:
        lines.append(f"  reuse pairs that could not be run: {m['pair_errors']} (see --json)")
    if report.skipped:
        lines.append(
            f"  skipped {len(report.skipped)} questions of administrations not in this database"
        )
    if report.pairs:
        lines.append(
            f"The {len(report.pairs)} answer-bank entries made for the reuse pairs were rolled "
            "back: nothing was written."
        )
    return lines
