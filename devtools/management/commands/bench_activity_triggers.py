"""What the dashboard's daily-activity triggers (migration cases/0013) add to a case write.

On the bulk data (``generate_bulk_data``), times single-case statements of the largest
administration, each in its own transaction rolled back afterwards (the data stays as it was):
a first answer (``answered_at`` and ``first_opened_at`` set), a change the dashboard does not
read (status and version), and the insertion of one case. Rounds alternate between the
triggers enabled and disabled (``ALTER TABLE ... DISABLE TRIGGER``, committed: use a scratch
database), so both sides see the same load. Prints the median and p95 of each statement in
microseconds and the difference.
"""

from __future__ import annotations

import os
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from cases.models import Case
from devtools.bench import bulkstaff
from devtools.bench.common import require_postgresql
from devtools.management.commands.bench_inbox import percentile

TRIGGERS = ("cases_activity_insert", "cases_activity_update", "cases_activity_delete")


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time single-case writes with and without the daily-activity triggers."

    def add_arguments(self, parser):
        parser.add_argument("--writes", type=int, default=200, help="per statement and side")
        parser.add_argument("--rounds", type=int, default=4)

    def handle(self, *args, writes: int, rounds: int, **options):
        require_postgresql("bench_activity_triggers", allow_sqlite=False)
        code = bulkstaff.administration_code(1)
        ids = list(
            Case.objects.filter(administration__code=code, answered_at__isnull=True)
            .order_by("?")
            .values_list("pk", flat=True)[: writes * rounds]
        )
        if len(ids) < writes * rounds:
            raise CommandError(f"Run generate_bulk_data first ({code} has too few open cases).")
        columns = [f.column for f in Case._meta.concrete_fields if f.column and f.column != "id"]
        copied = ", ".join(
            "reference || '-bench'" if column == "reference" else column for column in columns
        )
        statements = {
            "first answer": (
                "UPDATE cases_case SET answered_at = now(), "
                "first_opened_at = COALESCE(first_opened_at, now() - interval '2 hours') "
                "WHERE id = %s"
            ),
            "status change (not read)": (
                "UPDATE cases_case SET status = status, version = version + 1 WHERE id = %s"
            ),
            "new case": (
                f"INSERT INTO cases_case ({', '.join(columns)}) "  # noqa: S608 (model's columns)
                f"SELECT {copied} FROM cases_case WHERE id = %s"
            ),
        }
        timings: dict[tuple[str, bool], list[float]] = {}
        try:
            for round_ in range(rounds):
                chunk = ids[round_ * writes : (round_ + 1) * writes]
                for enabled in (round_ % 2 == 0, round_ % 2 == 1):
                    self._switch(enabled)
                    for label, sql in statements.items():
                        timings.setdefault((label, enabled), []).extend(self._time(sql, chunk))
        finally:
            self._switch(True)
        load = f"load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
        self.stdout.write(
            f"{writes * rounds} single-case statements per line, each in a transaction rolled "
            f"back; {load}; microseconds:"
        )
        self.stdout.write(f"  {'statement':<26} {'triggers':>8} {'median':>8} {'p95':>8}")
        for label in statements:
            medians = {}
            for enabled in (False, True):
                values = timings[(label, enabled)]
                medians[enabled] = statistics.median(values)
                self.stdout.write(
                    f"  {label:<26} {'on' if enabled else 'off':>8} "
                    f"{medians[enabled]:8.0f} {percentile(values, 0.95):8.0f}"
                )
            self.stdout.write(
                f"  {'':<26} {'added':>8} {medians[True] - medians[False]:8.0f} "
                f"({medians[True] / medians[False]:.2f}x)"
            )

    def _switch(self, enabled: bool) -> None:
        verb = "ENABLE" if enabled else "DISABLE"
        with transaction.atomic(), connection.cursor() as cursor:
            for name in TRIGGERS:
                cursor.execute(f"ALTER TABLE cases_case {verb} TRIGGER {name}")

    def _time(self, sql: str, ids: list[int]) -> list[float]:
        spent = []
        for pk in ids:
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    started = time.perf_counter()
                    cursor.execute(sql, [pk])
                    spent.append((time.perf_counter() - started) * 1e6)
                    raise _Rollback
            except _Rollback:
                pass
        return spent
