"""Moved to ``drafting.knowledge.retrieval``; re-exported so that the dotted path of the
``DRAFTING_RETRIEVER`` setting (and the development tools' imports) keep working."""

from drafting.knowledge.retrieval import (
    DatabaseBM25Retriever,
    bm25_search,
    build_retrievers,
    get_retrievers,
)

__all__ = ["DatabaseBM25Retriever", "bm25_search", "build_retrievers", "get_retrievers"]
