"""The knowledge base: fiches, their French-normalised search index, BM25 retrieval, and the
administrators' knowledge pages.

The fiche parsing API is re-exported here (``from drafting.knowledge import ArticleData``).
"""

from .fiches import (
    SUFFIXES,
    ArticleData,
    KnowledgeFileError,
    knowledge_files,
    parse_markdown,
    parse_service_public_xml,
    read_knowledge_file,
    split_passages,
)

__all__ = [
    "SUFFIXES",
    "ArticleData",
    "KnowledgeFileError",
    "knowledge_files",
    "parse_markdown",
    "parse_service_public_xml",
    "read_knowledge_file",
    "split_passages",
]
