"""Moved to ``drafting.suggestions.pseudonymise``; re-exported for the development tools."""

from drafting.suggestions.pseudonymise import (
    KINDS,
    Pseudonymised,
    find_leftover_placeholders,
    pseudonymise,
    reidentify,
)

__all__ = ["KINDS", "Pseudonymised", "find_leftover_placeholders", "pseudonymise", "reidentify"]
