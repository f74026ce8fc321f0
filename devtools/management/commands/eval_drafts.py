"""Draft the labelled usager questions through the real pipeline and score the drafts.

See devtools/eval/drafts.py for what is measured. Nothing is kept: the drafts write nothing,
and the answer-bank entries made for the reuse pairs are rolled back.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devtools.eval import QUESTIONS_FILE
from devtools.eval.drafts import EvaluationError, format_report, load_questions, run, select

BACKENDS = ("offline", "openai")


class Command(BaseCommand):
    help = (
        "Draft the labelled usager questions with a backend and print hit@1/hit@3 of the cited "
        "fiche, key-fact recall, supported citations, abstention, past-answer reuse, latency."
    )

    def add_arguments(self, parser):
        parser.add_argument("--questions", type=Path, default=QUESTIONS_FILE)
        parser.add_argument("--backend", choices=BACKENDS, default="offline")
        parser.add_argument(
            "--model", default="", help="model name for --backend openai (default: the setting)"
        )
        parser.add_argument("--administration", help="only the questions of this slug")
        parser.add_argument("--kind", help="only the questions of this kind (simple, uncovered…)")
        parser.add_argument("--limit", type=int, help="at most this many questions")
        parser.add_argument("--json", type=Path, help="write the per-question results here")

    def handle(self, *args, **options):
        backend = options["backend"]
        if backend == "openai" and not settings.DRAFTING_OPENAI_BASE_URL:
            raise CommandError(
                "--backend openai needs DRAFTING_OPENAI_BASE_URL (and DRAFTING_OPENAI_MODEL "
                "or --model)."
            )
        questions = select(
            load_questions(Path(options["questions"])),
            administration=options["administration"],
            kind=options["kind"],
            limit=options["limit"],
        )
        if not questions:
            raise CommandError("No question left after the filters.")

        def progress(done: int, total: int) -> None:
            if done % 50 == 0 and done < total:
                self.stderr.write(f"  {done}/{total} drafted…")

        try:
            report = run(questions, backend=backend, model_name=options["model"], progress=progress)
        except EvaluationError as exc:
            if "no fiche" in str(exc):
                raise CommandError(
                    "No knowledge fiche is indexed: run `manage.py seed_demo` (or "
                    "`manage.py import_knowledge devtools/demo/knowledge`) first."
                ) from exc
            raise CommandError(
                f"{exc}: run `manage.py seed_demo` first, or choose --administration."
            ) from exc
        self.stdout.write("\n".join(format_report(report)))
        if options["json"]:
            Path(options["json"]).write_text(
                json.dumps(report.as_json(), ensure_ascii=False, indent=1), encoding="utf-8"
            )
            self.stdout.write(f"Per-question results written to {options['json']}.")
