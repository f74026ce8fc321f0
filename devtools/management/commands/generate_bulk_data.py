"""Generate national-scale synthetic history in PostgreSQL (see devtools/bench/bulkdata.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from devtools.bench import bulkdata
from devtools.bench.common import require_postgresql


class Command(BaseCommand):
    help = (
        "Generate --cases synthetic cases over --administrations benchmark administrations "
        "(BULK01…), with experiment arms, suggestions, decisions, replies and survey answers, "
        "written by PostgreSQL (INSERT … SELECT generate_series), --batch-size cases per "
        "transaction with progress; a rerun resumes where an interrupted one stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--administrations", type=int, default=20)
        parser.add_argument("--seed", type=float, default=0.42, help="between 0 and 1")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=250_000,
            help="cases per transaction (a rerun resumes after the last finished batch)",
        )
        parser.add_argument(
            "--years",
            type=int,
            default=1,
            help="years of history (the experiment covers the last one; older cases have no "
            "arm or draft); a rerun with more cases spreads the new ones over this history",
        )
        parser.add_argument(
            "--bulk-load",
            action="store_true",
            help="drop the tables' secondary indexes and pause autovacuum while loading, then "
            "rebuild them (faster past a few million cases; the pages are slow until the end)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="first delete the cases generated earlier in the bulk administrations",
        )

    def handle(self, *args, **options):
        require_postgresql("generate_bulk_data", allow_sqlite=False)
        if not 0 <= options["seed"] <= 1:
            raise CommandError("--seed must be between 0 and 1.")
        if options["reset"]:
            deleted = bulkdata.reset(99)
            self.stdout.write(f"Deleted {deleted:,} generated cases.")
        self.stdout.write(
            f"Generating {options['cases']:,} cases over {options['administrations']} "
            "administrations…"
        )
        try:
            with override_settings(DEBUG=False):
                totals = bulkdata.generate(
                    cases=options["cases"],
                    administrations=options["administrations"],
                    seed=options["seed"],
                    batch_size=options["batch_size"],
                    bulk_load=options["bulk_load"],
                    years=options["years"],
                    log=self.stdout.write,
                )
        except (RuntimeError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Done in {totals['seconds']} s: {totals.get('cases', 0):,} cases, "
            f"{totals.get('arms', 0):,} arms, {totals.get('suggestions', 0):,} suggestions, "
            f"{totals.get('replies', 0):,} replies, {totals.get('survey', 0):,} survey answers."
        )
