"""Drafting's writes, importable from one place (``from drafting import services``).

Each service lives in its room: ``drafting/knowledge/`` (articles, imports, the search index),
``drafting/experiment/`` (periods and arms), ``drafting/suggestions/`` (drafts and decisions).
This module only re-exports them, so that other apps, tests and tools keep one stable name.
"""

from drafting.experiment.selectors import case_gets_drafts, experiment_has_volunteer, running_period
from drafting.experiment.services import (
    arm_draw,
    case_arm_assign,
    experiment_configure,
    experiment_end,
    experiment_start,
    experiment_stop,
)
from drafting.knowledge.index import (
    anonymise,
    case_document_text,
    search_index_article,
    search_index_case,
)
from drafting.knowledge.services import (
    ImportReport,
    KnowledgeImportError,
    article_retire,
    article_set_active,
    article_upsert,
    article_write,
    knowledge_import,
    knowledge_upload,
)
from drafting.suggestions.pipeline import STALE_CLAIM, suggestion_claim
from drafting.suggestions.services import (
    EDITED_MIN_SIMILARITY,
    suggestion_create_for_new_case,
    suggestion_discard,
    suggestion_mark_shown,
    suggestion_record_sent_reply,
    suggestion_request,
)

__all__ = [
    "EDITED_MIN_SIMILARITY",
    "STALE_CLAIM",
    "ImportReport",
    "KnowledgeImportError",
    "anonymise",
    "arm_draw",
    "article_retire",
    "article_set_active",
    "article_upsert",
    "article_write",
    "case_arm_assign",
    "case_document_text",
    "case_gets_drafts",
    "experiment_configure",
    "experiment_end",
    "experiment_has_volunteer",
    "experiment_start",
    "experiment_stop",
    "knowledge_import",
    "knowledge_upload",
    "running_period",
    "search_index_article",
    "search_index_case",
    "suggestion_claim",
    "suggestion_create_for_new_case",
    "suggestion_discard",
    "suggestion_mark_shown",
    "suggestion_record_sent_reply",
    "suggestion_request",
]
