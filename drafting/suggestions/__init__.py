"""Suggestions: the drafting pipeline, its backends and prompt, pseudonymisation, and the
agent's panel and decision."""
