"""Drafting's tables in the personal-data registry (cases/retention/registry.py): what a
usager's export includes and what retention and erasure remove. Called from
``DraftingConfig.ready()`` (cases never imports drafting)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cases.retention.registry import Holder, by_case, declare_no_personal, register

from .knowledge.models import SearchDocument


def _documents_export(case_ids: Sequence[int]) -> list[dict[str, Any]]:
    rows = SearchDocument.objects.filter(case_id__in=case_ids).order_by("pk")
    return [dict(row) for row in rows.values("pk", "case_id", "title", "text")]


def _documents_erase(case_ids: Sequence[int]) -> int:
    """An answered case leaves the retrieval index (its postings go with it)."""
    deleted, _by_model = SearchDocument.objects.filter(case_id__in=case_ids).delete()
    return deleted


def register_personal_data() -> None:
    by_case(
        "drafting.Suggestion",
        personal=("text", "error", "discard_comment", "verification"),
        exported=("status", "text", "decision", "discard_reason", "discard_comment", "created_at"),
        kept={
            "backend": "a backend's name",
            "model_name": "a model's name",
            "prompt_version": "a version",
            "status": "statistics fact",
            "decision": "statistics fact (impact report)",
            "discard_reason": "statistics fact (a reason from a list)",
            "sources": "the knowledge passages cited (ids and titles of fiches)",
        },
        blank={"text": "", "error": "", "discard_comment": "", "verification": {}},
    )
    register(
        Holder(
            model="drafting.SearchDocument",
            personal=("title", "text"),
            export=_documents_export,
            erase=_documents_erase,
            kept={"url": "empty for a case", "kind": "passage or case"},
        )
    )
    register(
        Holder(
            model="drafting.BankAnswer",
            personal=(),
            export=lambda case_ids: [],
            erase=lambda case_ids: 0,
            kept={
                "question": "stored anonymised when learned (identifiers replaced by words)",
                "answer": "the substance only, anonymised (no greeting, name or identifier)",
                "kind": "model or learned",
                "status": "active or retired",
            },
        )
    )
    for model, reason in {
        "drafting.ExperimentPeriod": "the administration's experiment settings",
        "drafting.CaseArm": "assisted or control: a statistics fact",
        "drafting.ImpactCase": "statistics facts (no text)",
        "drafting.ImpactDraft": "statistics facts (no text)",
        "drafting.KnowledgeArticle": "public knowledge fiches",
        "drafting.Passage": "public knowledge passages",
        "drafting.Posting": "terms of the index: a case's go with its document",
        "drafting.Embedding": "vectors of knowledge passages only",
    }.items():
        declare_no_personal(model, reason)
