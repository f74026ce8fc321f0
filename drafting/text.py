"""Moved to ``drafting.knowledge.text``; re-exported for the development tools' imports."""

from drafting.knowledge.text import analyse, query_terms, strip_accents, term_frequencies

__all__ = ["analyse", "query_terms", "strip_accents", "term_frequencies"]
