"""Moved to ``drafting.suggestions.prompts``; re-exported for the development tools' imports."""

from drafting.suggestions.prompts import PROMPT, PROMPT_VERSION, Source, prompt_inputs

__all__ = ["PROMPT", "PROMPT_VERSION", "Source", "prompt_inputs"]
