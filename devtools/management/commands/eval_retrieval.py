from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Administration
from devtools.evaluation import QUESTIONS_FILE, evaluate, load_questions


class Command(BaseCommand):
    help = "Report hit@1 and hit@3 of knowledge retrieval on a labelled question set."

    def add_arguments(self, parser):
        parser.add_argument("--questions", type=Path, default=QUESTIONS_FILE)
        parser.add_argument("--administration", help="slug (default: the first one)")
        parser.add_argument("--show-misses", action="store_true")

    def handle(
        self, *args, questions: Path, administration: str | None, show_misses: bool, **options
    ):
        qs = Administration.objects.order_by("pk")
        owner = qs.filter(slug=administration).first() if administration else qs.first()
        if owner is None:
            raise CommandError("No administration: run seed_demo first, or name one.")
        score = evaluate(load_questions(questions), owner.pk)
        self.stdout.write(
            f"{score.questions} questions: hit@1 {score.hit_at_1:.1%}, hit@3 {score.hit_at_3:.1%}"
        )
        if show_misses:
            for question, expected, got in score.misses:
                self.stdout.write(f"  MISS {expected} <- {question[:90]!r} got {got}")
