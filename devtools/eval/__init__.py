"""Evaluating drafts (issue 12, item 7): the labelled usager questions and ``eval_drafts``.

``questions.jsonl`` holds one question a line: ``id``, ``question``, ``subject``, ``channel``,
``administration`` (a slug), ``expected_sources`` (the external ids of the fiches that answer
it), ``key_facts`` (a list of facts, each a list of alternative wordings), ``covered`` (whether
the knowledge base answers it), ``kind``, and for the reuse pairs ``pair`` and ``same_need``.

``heldout_read.jsonl`` (43 questions, 6 not covered) was written from the fiches' titles only,
the way usagers write (typos, two questions in one, anger, long stories), labelled afterwards,
and its drafts read in full as an agent would: what that reading found is what
``drafting/suggestions/wording.py`` fixes (bare lists, sentences cut from the one they lean on,
sections for one situation quoted as if for everyone). It has no reuse pairs.

``heldout_agent.jsonl`` (45 questions, 14 on neighbouring procedures the base has no fiche for)
was written the same way, later, and read the same way: lists asked for in everyday words, list
lead-ins opening on a pronoun, and confident drafts for questions that never name the fiche's
subject are what that reading found (``asking.py``, ``wording.py``, ``compose.py``). It is not in
the sets ``fit_abstention`` fits on by default, and has no reuse pairs.
"""

from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parent
QUESTIONS_FILE = EVAL_DIR / "questions.jsonl"
