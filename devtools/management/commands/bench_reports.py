"""Benchmark the managers' reports on national-scale data: the workload dashboard of the
largest administration must answer in under a second (median), through the whole Django stack.

Run ``generate_bulk_data`` first (1,000,000 cases over 20 administrations). Each page is fetched
``--repeat`` times (at least 20) after ``--warmup`` untimed fetches, with Django's test client
signed in as the administration's manager: middleware, session, permissions, every query and the
template, as a browser gets it. The impact report (URL ``drafting:impact``) is timed too when the
project has it.
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
from devtools.bench import bulkdata
from devtools.bench.common import bench_member, require_postgresql
from devtools.management.commands.bench_inbox import percentile

TARGET_MEDIAN_MS = 1000
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
            default=bulkdata.administration_code(1),
            help="the administration to measure (default: the largest generated one)",
        )
        parser.add_argument(
            "--national",
            action="store_true",
            help="also time national staff's 'all administrations' view (creates a superuser "
            f"{NATIONAL_EMAIL} in this scratch database)",
        )

    def handle(self, *args, **options):
        require_postgresql("bench_reports", allow_sqlite=False)
        if options["repeat"] < 20 or options["warmup"] < 0:
            raise CommandError("--repeat must be at least 20 and --warmup at least 0.")
        administration = bulkdata.bulk_administrations(99)
        administration = next(
            (a for a in administration if a.code == options["administration_code"]), None
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
        queries = [float(q["time"]) * 1000 for q in ctx.captured_queries]
        return {"label": label, "url": url, "timings": timings, "queries": queries}

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
            f"{'queries':>7} {'SQL ms':>7}"
        )
        for result in results:
            timings = result["timings"]
            self.stdout.write(
                f"  {result['label']:<46} {min(timings):7.1f} {statistics.median(timings):7.1f} "
                f"{percentile(timings, 0.95):7.1f} {max(timings):7.1f} "
                f"{len(result['queries']):>7} {sum(result['queries']):7.1f}"
            )
        main = results[0]
        median = statistics.median(main["timings"])
        verdict = "met" if median < TARGET_MEDIAN_MS else "NOT met"
        self.stdout.write("")
        self.stdout.write(
            f"Target (workload dashboard of the largest administration, median < "
            f"{TARGET_MEDIAN_MS} ms): {verdict} ({median:.0f} ms, p95 "
            f"{percentile(main['timings'], 0.95):.0f} ms)."
        )
