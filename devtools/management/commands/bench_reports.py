"""Benchmark the managers' reports on national-scale data: the workload dashboard and the
impact report of the largest administration must answer with a p95 under 500 ms at 17,500,000
cases (issue 17), through the whole Django stack.

Run ``generate_bulk_data`` first (1,000,000 cases over 20 administrations). Each page is fetched
``--repeat`` times (at least 20) after ``--warmup`` untimed fetches, with Django's test client
signed in as the administration's manager: middleware, session, permissions, every query and the
template, as a browser gets it. The impact report (URL ``drafting:impact``) is timed too when the
project has it.

On a shared machine wall-clock times follow the load; the "DB ms" column is less affected: the
sum, over the page's queries, of PostgreSQL's own execution time (EXPLAIN ANALYZE, best of 3).
``--explain`` prints the plans of each page's slowest queries.
"""

from __future__ import annotations

import os
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse

from accounts.models import Role, User
from cases.models import Case
from devtools.bench import bulkstaff
from devtools.bench.common import bench_member, require_postgresql
from devtools.management.commands.bench_inbox import percentile

TARGET_P95_MS = 500
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
HOST = "localhost"
NATIONAL_EMAIL = "national@bench.guichet.invalid"


class Command(BaseCommand):
    help = "Time the workload dashboard (and the impact report, if present) on the bulk data."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=20)
        parser.add_argument("--warmup", type=int, default=2)
        parser.add_argument(
            "--administration-code",
            default=bulkstaff.administration_code(1),
            help="the administration to measure (default: the largest generated one)",
        )
        parser.add_argument(
            "--national",
            action="store_true",
            help="also time national staff's 'all administrations' view (creates a superuser "
            f"{NATIONAL_EMAIL} in this scratch database)",
        )
        parser.add_argument(
            "--explain",
            type=int,
            default=0,
            metavar="N",
            help="print the EXPLAIN ANALYZE plans of each page's N slowest queries",
        )

    def handle(self, *args, **options):
        require_postgresql("bench_reports", allow_sqlite=False)
        if options["repeat"] < 20 or options["warmup"] < 0:
            raise CommandError("--repeat must be at least 20 and --warmup at least 0.")
        administrations = bulkstaff.bulk_administrations(99)
        administration = next(
            (a for a in administrations if a.code == options["administration_code"]), None
        )
        if administration is None:
            raise CommandError(
                f"No administration {options['administration_code']}: run "
                "`manage.py generate_bulk_data --cases 1000000 --administrations 20` first."
            )
        # The impact report keeps its figures for a few minutes (IMPACT_REPORT_CACHE_SECONDS):
        # off here, so that every timed request computes the report, as a cold one does.
        with override_settings(DEBUG=False, IMPACT_REPORT_CACHE_SECONDS=0):
            self._run(administration, options)

    def _run(self, administration, options) -> None:
        total = Case.objects.count()
        own = Case.objects.filter(administration=administration).count()
        manager = bench_member(administration, "manager", "Manager", "Banc", Role.MANAGER)
        self.stdout.write(
            f"Data: {total:,} cases in the database; {administration.code} "
            f"({administration.name}) has {own:,}."
        )
        client = self._client(manager)
        dashboard = reverse("cases:dashboard")
        pages = [
            ("workload dashboard, 30 days", client, f"{dashboard}?periode=30"),
            ("workload dashboard, 90 days", client, f"{dashboard}?periode=90"),
            ("workload dashboard, API, 30 days", client, reverse("api-dashboard-workload")),
            (
                "workload export XLSX (by agent)",
                client,
                f"{dashboard}?periode=30&export=open-by-agent&format=xlsx",
            ),
        ]
        try:
            impact = reverse("drafting:impact")
        except NoReverseMatch:
            self.stdout.write("Impact report: no URL named drafting:impact here, skipped.")
        else:
            pages.append(("impact report, latest period (cold)", client, impact))
            pages.append(("impact report, all periods (cold)", client, f"{impact}?period=all"))
        if options["national"]:
            staff = User.objects.filter(email=NATIONAL_EMAIL).first()
            if staff is None:
                staff = User.objects.create_superuser(NATIONAL_EMAIL, None)
            pages.append(
                (
                    "national staff, all administrations, 30 days",
                    self._client(staff),
                    f"{dashboard}?periode=30&administration=all",
                )
            )
        results = [self._measure(label, c, url, options) for label, c, url in pages]
        self._report(results, options)

    def _client(self, user: User) -> Client:
        client = Client(SERVER_NAME=HOST, headers={"accept-language": "fr"})
        client.force_login(user, backend=MODEL_BACKEND)
        return client

    def _get(self, client: Client, url: str):
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"GET {url} answered {response.status_code}.")
        return response

    def _measure(self, label: str, client: Client, url: str, options) -> dict:
        for _ in range(options["warmup"]):
            self._get(client, url)
        timings = []
        for _ in range(options["repeat"]):
            started = time.perf_counter()
            self._get(client, url)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            self._get(client, url)
        queries = [(float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries]
        executed = [(self._execution_ms(sql), sql) for _ms, sql in queries]
        return {
            "label": label,
            "url": url,
            "timings": timings,
            "queries": [ms for ms, _sql in queries],
            "executed": executed,
        }

    def _execution_ms(self, sql: str) -> float:
        """PostgreSQL's execution time of one captured statement, best of 3 (0 for what is not
        a SELECT: savepoints, session settings)."""
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            return 0.0
        best = float("inf")
        for _ in range(3):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else plan
            best = min(best, plan["Planning Time"] + plan["Execution Time"])
        return best

    def _report(self, results: list[dict], options) -> None:
        load = ""
        if hasattr(os, "getloadavg"):
            load = f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        self.stdout.write("")
        self.stdout.write(
            f"{options['repeat']} timed GETs per page after {options['warmup']} untimed, whole "
            f"request through the test client{load}; wall-clock ms:"
        )
        self.stdout.write(
            f"  {'page':<46} {'min':>7} {'median':>7} {'p95':>7} {'max':>7} "
            f"{'queries':>7} {'SQL ms':>7} {'DB ms':>7}"
        )
        for result in results:
            timings = result["timings"]
            self.stdout.write(
                f"  {result['label']:<46} {min(timings):7.1f} {statistics.median(timings):7.1f} "
                f"{percentile(timings, 0.95):7.1f} {max(timings):7.1f} "
                f"{len(result['queries']):>7} {sum(result['queries']):7.1f} "
                f"{sum(ms for ms, _sql in result['executed']):7.1f}"
            )
        targeted = [results[0], *(r for r in results if r["label"].startswith("impact report"))]
        self.stdout.write("")
        for result in targeted:
            p95 = percentile(result["timings"], 0.95)
            verdict = "met" if p95 < TARGET_P95_MS else "NOT met"
            self.stdout.write(
                f"Target ({result['label']}, p95 < {TARGET_P95_MS} ms): {verdict} "
                f"({p95:.0f} ms, median {statistics.median(result['timings']):.0f} ms)."
            )
        if options["explain"]:
            self._explain(results, options["explain"])

    def _explain(self, results: list[dict], count: int) -> None:
        for result in results:
            slowest = sorted(result["executed"], key=lambda pair: pair[0], reverse=True)
            for ms, sql in slowest[:count]:
                self.stdout.write("")
                self.stdout.write(f"{result['label']}: {ms:.1f} ms in PostgreSQL")
                self.stdout.write(f"  {sql[:1500]}")
                with connection.cursor() as cursor:
                    # Captured from this very connection: the statement as it was sent.
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    for (line,) in cursor.fetchall():
                        self.stdout.write("    " + line)
