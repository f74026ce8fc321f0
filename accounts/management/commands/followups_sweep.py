"""Queue again every follow-up whose task was lost (what Celery beat runs every minute)."""

from django.core.management.base import BaseCommand

from accounts.followups.registry import sweep_all


class Command(BaseCommand):
    help = (
        "Queue again the follow-ups, deliveries and drafts whose task never ran or whose worker "
        "died (every registered sweeper)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace",
            type=int,
            default=None,
            help="Seconds a row may wait for its task (default: FOLLOWUP_SWEEP_GRACE_SECONDS).",
        )

    def handle(self, *args, **options):
        counts = sweep_all(grace_seconds=options["grace"])
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
        if any(count < 0 for count in counts.values()):
            self.stderr.write("A sweeper failed (see the log).")
            raise SystemExit(1)
