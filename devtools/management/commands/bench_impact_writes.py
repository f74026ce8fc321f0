"""What the impact report's rollups cost the writes: time case answers and draft decisions, each
its own transaction, with the rollup triggers on the fact tables enabled and disabled.

Run on a scratch database filled by ``generate_bulk_data``. A case answer is the UPDATE of the
case's answer time (the facts' refresh rewrites its ``ImpactCase`` row, whose rollup trigger
moves it between handling buckets); a draft decision is the UPDATE of a draft's decision,
shown time and similarity (``ImpactDraft`` and the adoption rollup). The same rows are
written in both modes, modes alternating round by round. The triggers are disabled with
``ALTER TABLE … DISABLE TRIGGER USER`` (the fact tables have no other user trigger) and
enabled again at the end; the administration's rollups are then rebuilt from the facts (and
that rebuild timed), so the database is left exact.

On a loaded machine a write's wall-clock time varies more than the rollups cost, so the command
also times the rollups' triggers alone, inside PostgreSQL: a loop of UPDATEs of the facts
themselves (a case fact moved by 600 s, a draft fact's decision changed), with and without the
triggers, in a transaction rolled back.
"""

from __future__ import annotations

import os
import random
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accounts.models import Administration
from devtools.bench import bulkstaff
from devtools.bench.common import require_postgresql
from devtools.management.commands.bench_inbox import percentile
from drafting.experiment.impact import facts as impact_facts

FACT_TABLES = ("drafting_impactcase", "drafting_impactdraft")

# One loop inside PostgreSQL: milliseconds per UPDATE of a fact row (no client round trip).
SERVER_LOOP = """
CREATE OR REPLACE FUNCTION pg_temp.bench_fact_updates(ids bigint[], kind text)
RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE
    started timestamptz := clock_timestamp();
    one bigint;
BEGIN
    FOREACH one IN ARRAY ids LOOP
        IF kind = 'case' THEN
            UPDATE drafting_impactcase SET handling_seconds = handling_seconds + 600,
                   handling_bucket = handling_bucket + 600
            WHERE case_id = one;
        ELSE
            UPDATE drafting_impactdraft SET was_shown = true, similarity = random(),
                   decision = CASE WHEN decision = 'edited' THEN 'accepted' ELSE 'edited' END
            WHERE suggestion_id = one;
        END IF;
    END LOOP;
    RETURN extract(epoch FROM clock_timestamp() - started) * 1000 / cardinality(ids);
END $$;
"""


class Command(BaseCommand):
    help = "Time case answers and draft decisions with and without the impact rollups' triggers."

    def add_arguments(self, parser):
        parser.add_argument("--writes", type=int, default=200, help="writes of each kind a round")
        parser.add_argument("--rounds", type=int, default=2)
        parser.add_argument("--administration-code", default=bulkstaff.administration_code(1))

    def handle(self, *args, **options):
        require_postgresql("bench_impact_writes", allow_sqlite=False)
        if options["writes"] < 10 or options["rounds"] < 1:
            raise CommandError("--writes at least 10, --rounds at least 1.")
        administration = Administration.objects.filter(code=options["administration_code"]).first()
        if administration is None:
            raise CommandError(f"No administration {options['administration_code']}.")
        cases, drafts = self._targets(administration.pk, options["writes"])
        timings: dict[tuple[str, str], list[float]] = {}
        rng = random.Random(17)
        try:
            for round_ in range(options["rounds"]):
                modes = ("with", "without") if round_ % 2 == 0 else ("without", "with")
                for mode in modes:
                    self._triggers(enabled=mode == "with")
                    sign = 1 if round_ % 2 == 0 else -1
                    timings.setdefault((mode, "case answer"), []).extend(
                        self._time(
                            "UPDATE cases_case SET answered_at = answered_at "
                            "+ make_interval(secs => %s) WHERE id = %s",
                            [(sign * 37.5, pk) for pk in cases],
                        )
                    )
                    timings.setdefault((mode, "draft decision"), []).extend(
                        self._time(
                            "UPDATE drafting_suggestion SET decision = %s, similarity = %s, "
                            "shown_at = COALESCE(shown_at, now()) WHERE id = %s",
                            [
                                (rng.choice(["accepted", "edited"]), rng.random(), pk)
                                for pk in drafts
                            ],
                        )
                    )
        finally:
            self._triggers(enabled=True)
            started = time.perf_counter()
            with transaction.atomic():
                rows = impact_facts.rebuild_rollups(administration.pk)
            rebuilt = (time.perf_counter() - started) * 1000
        self._report(timings, administration.code, rows, rebuilt)
        self._server_side(cases, drafts, options["rounds"])

    def _server_side(self, cases: list[int], drafts: list[int], rounds: int) -> None:
        results: dict[tuple[str, str], list[float]] = {}
        for round_ in range(rounds):
            modes = ("with", "without") if round_ % 2 == 0 else ("without", "with")
            for mode in modes:
                for kind, ids in (("case fact", cases), ("draft fact", drafts)):
                    with connection.cursor() as cursor:
                        cursor.execute("BEGIN")
                        try:
                            cursor.execute(SERVER_LOOP)
                            if mode == "without":
                                for table in FACT_TABLES:
                                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
                            cursor.execute(
                                "SELECT pg_temp.bench_fact_updates(%s, %s)",
                                [ids, kind.split()[0]],
                            )
                            results.setdefault((kind, mode), []).append(cursor.fetchone()[0])
                        finally:
                            cursor.execute("ROLLBACK")
        self.stdout.write(
            "The rollups' triggers alone: ms per UPDATE of a fact row inside PostgreSQL "
            "(rolled back), one value per round:"
        )
        for (kind, mode), values in sorted(results.items()):
            shown = ", ".join(f"{v:.3f}" for v in values)
            self.stdout.write(f"  {kind:<11} {mode:<8} {shown}")

    def _targets(self, administration_id: int, count: int) -> tuple[list[int], list[int]]:
        """Answered experiment cases and ready drafts of the administration, a fixed sample."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT case_id FROM drafting_impactcase WHERE administration_id = %s "
                "AND answered_at IS NOT NULL ORDER BY hashint8(case_id) LIMIT %s",
                [administration_id, count],
            )
            cases = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                "SELECT suggestion_id FROM drafting_impactdraft WHERE administration_id = %s "
                "AND status = 'ready' ORDER BY hashint8(suggestion_id) LIMIT %s",
                [administration_id, count],
            )
            drafts = [row[0] for row in cursor.fetchall()]
        if len(cases) < count or len(drafts) < count:
            raise CommandError("Not enough answered cases or ready drafts: generate more data.")
        return cases, drafts

    def _triggers(self, *, enabled: bool) -> None:
        verb = "ENABLE" if enabled else "DISABLE"
        with connection.cursor() as cursor:
            for table in FACT_TABLES:
                cursor.execute(f"ALTER TABLE {table} {verb} TRIGGER USER")

    def _time(self, sql: str, params: list[tuple]) -> list[float]:
        timings = []
        with connection.cursor() as cursor:
            for values in params:
                started = time.perf_counter()
                with transaction.atomic():
                    cursor.execute(sql, values)
                timings.append((time.perf_counter() - started) * 1000)
        return timings

    def _report(self, timings, code: str, rows: int, rebuilt_ms: float) -> None:
        load = f"load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
        self.stdout.write(f"{code}: one transaction per write, ms; {load}")
        self.stdout.write(f"  {'write':<16} {'rollups':<8} {'n':>5} {'median':>7} {'p95':>7}")
        for (mode, kind), values in sorted(timings.items(), key=lambda i: (i[0][1], i[0][0])):
            self.stdout.write(
                f"  {kind:<16} {mode:<8} {len(values):>5} {statistics.median(values):7.2f} "
                f"{percentile(values, 0.95):7.2f}"
            )
        for kind in ("case answer", "draft decision"):
            with_, without = timings[("with", kind)], timings[("without", kind)]
            ratio = statistics.median(with_) / statistics.median(without)
            self.stdout.write(f"  {kind}: median with / without = {ratio:.2f}")
        self.stdout.write(
            f"Rollups of {code} rebuilt from the facts: {rows:,} rows, {rebuilt_ms:.0f} ms."
        )
