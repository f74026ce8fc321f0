"""Learn, into each administration's answer bank, the sent replies whose reopen window ended.

Run it daily from cron (or Celery beat's ``drafting.answers.tasks.learn_due``): a reply enters
the bank only once its case has stayed closed for ``ANSWER_BANK_REOPEN_DAYS``. Running it twice,
or with overlapping ``--days``, is harmless: learning is idempotent.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from drafting.answers.services import bank_learn_due


class Command(BaseCommand):
    help = "Learn the sent replies whose reopen window has ended into the answer bank."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=2,
            help="How many days of replies, back from the end of the window (default 2).",
        )

    def handle(self, *args, days: int, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        counts = bank_learn_due(span_days=days)
        summary = ", ".join(f"{outcome} {count}" for outcome, count in sorted(counts.items()))
        self.stdout.write(f"Answer bank: {summary or 'no reply due'}.")
