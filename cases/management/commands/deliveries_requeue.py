"""Queue again reply deliveries whose task was lost (run from cron, e.g. every 10 minutes)."""

from django.core.management.base import BaseCommand

from cases.delivery.services import deliveries_requeue


class Command(BaseCommand):
    help = "Queue again the reply deliveries whose Celery task was lost."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace",
            type=int,
            default=600,
            help="seconds past its due time before a pending delivery counts as lost",
        )

    def handle(self, *args, grace: int, **options):
        count = deliveries_requeue(grace_seconds=grace)
        self.stdout.write(f"{count} delivery(ies) queued again.")
