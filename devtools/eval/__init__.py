"""Evaluating drafts (issue 12, item 7): the labelled usager questions and ``eval_drafts``.

``questions.jsonl`` holds one question a line: ``id``, ``question``, ``subject``, ``channel``,
``administration`` (a slug), ``expected_sources`` (the external ids of the fiches that answer
it), ``key_facts`` (a list of facts, each a list of alternative wordings), ``covered`` (whether
the knowledge base answers it), ``kind``, and for the reuse pairs ``pair`` and ``same_need``.
"""

from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parent
QUESTIONS_FILE = EVAL_DIR / "questions.jsonl"
