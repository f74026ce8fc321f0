"""Drafting's tables in the personal-data registry (cases/retention/registry.py): what a
usager's export includes and what retention and erasure remove. Called from
``DraftingConfig.ready()`` (cases never imports drafting)."""

from __future__ import annotations

from cases.retention.registry import Holder, by_case, declare_no_personal, register


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
        "drafting.ImpactHandlingRollup": "counts of statistics facts",
        "drafting.ImpactSatisfactionRollup": "counts of statistics facts",
        "drafting.ImpactAdoptionRollup": "counts of statistics facts",
        "drafting.ImpactLatencyRollup": "counts of statistics facts",
        "drafting.KnowledgeArticle": "public knowledge fiches",
        "drafting.Passage": "public knowledge passages",
        "drafting.Posting": "terms of the index of knowledge passages",
        "drafting.Embedding": "vectors of knowledge passages only",
        "drafting.SearchDocument": "the index of knowledge passages (no answered case)",
        "drafting.QuestionVector": "vectors of the answer bank's anonymised questions",
    }.items():
        declare_no_personal(model, reason)
