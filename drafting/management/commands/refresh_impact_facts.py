"""Rewrite the impact report's fact tables (``ImpactCase``, ``ImpactDraft``) from the source
tables, administration by administration.

Not needed in normal operation: PostgreSQL triggers keep the facts in the same transaction as
every change of a case, arm, draft or survey answer, and the migration that created them filled
them. Run it after restoring source tables without their triggers (a partial dump, a
``session_replication_role = replica`` load) or to check the facts: ``--check`` reports the
administrations whose facts differ from a rewrite, without changing anything.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accounts.models import Administration
from drafting.experiment.impact import facts as impact_facts


class Command(BaseCommand):
    help = "Rewrite the impact report's fact tables from cases, arms, drafts and survey answers."

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
                if differences:
                    stale += 1
                    self.stdout.write(f"{administration.code}: {differences} rows differ.")
                continue
            with transaction.atomic():
                cases, drafts = impact_facts.refresh_administration(administration.pk)
            self.stdout.write(f"{administration.code}: {cases:,} cases, {drafts:,} drafts.")
        if options["check"]:
            if stale:
                raise CommandError(f"{stale} administration(s) with stale facts.")
            self.stdout.write("The facts match the source tables.")
