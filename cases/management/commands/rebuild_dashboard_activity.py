"""Recompute the workload dashboard's daily activity from the cases (PostgreSQL)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Administration
from cases.dashboard.services import (
    RebuildUnavailable,
    daily_activity_differences,
    daily_activity_rebuild,
)


class Command(BaseCommand):
    help = (
        "Recompute the dashboard's daily activity (cases_dailyactivity) from the cases, one "
        "transaction per administration (case writes wait meanwhile); idempotent. Needed only "
        "after TIME_ZONE changed or the cases table was restored alone; --check only compares."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--administration",
            action="append",
            default=[],
            metavar="CODE",
            help="only this administration (repeatable; default: all)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="write nothing: count the rows that differ from a recomputation (exit 1 if any)",
        )

    def handle(self, *args, administration: list[str], check: bool, **options):
        try:
            if check:
                differences = daily_activity_differences()
                self.stdout.write(f"{differences} row(s) differ from the cases.")
                if differences:
                    raise CommandError("The daily activity differs: run without --check.")
                return
            chosen = None
            if administration:
                chosen = list(Administration.objects.filter(code__in=administration))
                missing = set(administration) - {a.code for a in chosen}
                if missing:
                    raise CommandError(f"Unknown administration(s): {', '.join(sorted(missing))}.")
            totals = daily_activity_rebuild(administrations=chosen, log=self.stdout.write)
        except RebuildUnavailable as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Done: {totals['rows']:,} rows in {totals['seconds']} s.")
