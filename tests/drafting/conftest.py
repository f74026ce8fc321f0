"""Drafting fixtures live in tests/conftest.py (shared with the workspace tests)."""
