"""Moved to ``drafting.suggestions.pipeline``; re-exported for the development tools' imports."""

from drafting.suggestions.pipeline import DraftValidationError, suggestion_draft, validate_draft

__all__ = ["DraftValidationError", "suggestion_draft", "validate_draft"]
