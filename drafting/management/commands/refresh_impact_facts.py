"""Rewrite the impact report's fact tables (``ImpactCase``, ``ImpactDraft``) from the source
tables, and their per-period rollups from the facts, administration by administration.

Not needed in normal operation: PostgreSQL triggers keep the facts in the same transaction as
every change of a case, arm, draft, survey answer or enrolment, and the rollups with every change
of the facts; the migrations that created them filled them. Run it after restoring tables
without their triggers (a partial dump, a ``session_replication_role = replica`` load) or to
check them: ``--check`` reports the administrations whose facts differ from a rewrite, or whose
rollups differ from a recomputation from the facts, without changing anything. The rebuild of
an administration's rollups locks the fact tables against writes (SHARE) for its transaction.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accounts.models import Administration
from drafting.experiment.impact import facts as impact_facts


class Command(BaseCommand):
    help = (
        "Rewrite the impact report's fact tables from cases, arms, drafts, survey answers and "
        "enrolments, and their rollups from the facts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--administration-code", help="only this administration")
        parser.add_argument(
            "--check", action="store_true", help="report differences, change nothing"
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The impact report's facts exist on PostgreSQL only.")
        administrations = Administration.objects.order_by("code")
        if options["administration_code"]:
            administrations = administrations.filter(code=options["administration_code"])
            if not administrations.exists():
                raise CommandError(f"No administration {options['administration_code']}.")
        stale = 0
        for administration in administrations:
            if options["check"]:
                differences = impact_facts.differences(administration.pk)
                rollups = impact_facts.rollup_differences(administration.pk)
                if differences or rollups:
                    stale += 1
                    self.stdout.write(
                        f"{administration.code}: {differences} fact rows differ, "
                        f"{rollups} rollup rows differ."
                    )
                continue
            with transaction.atomic():
                cases, drafts = impact_facts.refresh_administration(administration.pk)
                rollups = impact_facts.rebuild_rollups(administration.pk)
            self.stdout.write(
                f"{administration.code}: {cases:,} cases, {drafts:,} drafts, "
                f"{rollups:,} rollup rows."
            )
        if options["check"]:
            if stale:
                raise CommandError(f"{stale} administration(s) with stale facts or rollups.")
            self.stdout.write("The facts match the source tables, the rollups the facts.")
