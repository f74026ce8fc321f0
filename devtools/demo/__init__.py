"""The demo's data files: cases (cases/*.yaml), names, knowledge fiches, labelled questions."""

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
KNOWLEDGE_DIR = DEMO_DIR / "knowledge"
QUESTIONS_FILE = DEMO_DIR / "retrieval_questions.jsonl"
