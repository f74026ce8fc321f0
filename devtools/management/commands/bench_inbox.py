"""Benchmark the inbox: a page of 50 cases must render in under 150 ms (median) on PostgreSQL
with 100,000 cases in the administration.

Creates (or, with ``--keep``, reuses) a benchmark administration with five agents and a
manager, bulk-loads ``--cases`` synthetic cases (about 20 % new, 40 % being worked by the
agents, the rest answered or closed; due dates spread over ±30 days), runs ANALYZE, then times
``--repeat`` GETs of each box through Django's test client, the whole request as a browser
gets it: middleware, session, permissions, queries and template.

The synthetic cases have no journal (CaseEvent): nobody handled them, and the journal being
append-only (PROTECT), that is what lets the command delete them afterwards.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import random
import re
import statistics
import time
from collections.abc import Iterable
from html import unescape

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Administration, AuditEntry, Membership, Role, User
from cases import selectors
from cases import services as case_services
from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    Channel,
    Priority,
    ReferenceCounter,
    Status,
    Topic,
)
from config.warmup import freeze_loaded
from devtools.bench.bulkstaff import largest_administration
from devtools.bench.common import (
    CHANNEL_MIX,
    add_allow_sqlite,
    bench_administration,
    bench_member,
    require_postgresql,
)

BENCH_NAME = "Banc d'essai de la boîte de réception"
TARGET_MEDIAN_MS = 150
# National scale (issue 17): every page's p95 under this, at 100,000 cases as at 17.5 million.
TARGET_P95_MS = 60
AGENTS = 5
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# The test client's default host ("testserver") is not in ALLOWED_HOSTS outside tests.
HOST = "localhost"

# (status, share, worked by an agent)
STATUS_MIX = [
    (Status.NEW, 0.20, False),
    (Status.ASSIGNED, 0.12, True),
    (Status.IN_PROGRESS, 0.22, True),
    (Status.AWAITING_USAGER, 0.06, True),
    (Status.ANSWERED, 0.25, True),
    (Status.CLOSED, 0.15, True),
]
PRIORITY_MIX = [
    (Priority.LOW, 0.10),
    (Priority.NORMAL, 0.70),
    (Priority.HIGH, 0.15),
    (Priority.URGENT, 0.05),
]
TOPICS = [
    ("Logement", "logement"),
    ("Famille", "famille"),
    ("Santé", "sante"),
    ("Retraite", "retraite"),
    ("Emploi", "emploi"),
    ("Handicap", "handicap"),
    ("Impôts", "impots"),
    ("Papiers", "papiers"),
]
SUBJECTS = [
    "Question sur mes aides au logement",
    "Changement de situation familiale",
    "Carte Vitale perdue",
    "Date de versement de ma pension",
    "Attestation de droits à envoyer",
    "Réclamation sur un trop-perçu",
    "Rendez-vous en agence",
    "Déménagement : que dois-je déclarer ?",
]
BODY_WORDS = [
    "bonjour",
    "dossier",
    "allocation",
    "montant",
    "mois",
    "paiement",
    "déclaration",
    "ressources",
    "attestation",
    "courrier",
    "délai",
    "situation",
    "enfant",
    "loyer",
    "caisse",
    "compte",
    "espace",
    "personnel",
    "document",
    "justificatif",
    "réponse",
    "demande",
    "merci",
    "cordialement",
]


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``share`` of values at or below."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def _batches(total: int, size: int) -> Iterable[int]:
    done = 0
    while done < total:
        yield min(size, total - done)
        done += size


def _pick(rng: random.Random, mix):
    return rng.choices([item[0] for item in mix], weights=[item[1] for item in mix])[0]


class Command(BaseCommand):
    help = (
        "Time the inbox pages against a large administration (default 100,000 cases). "
        "Writes a lot: use a scratch PostgreSQL database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--repeat", type=int, default=30, help="timed GETs per page")
        parser.add_argument("--warmup", type=int, default=3, help="untimed GETs per page first")
        parser.add_argument("--administration-code", default="BENCHINBOX")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--explain",
            action="store_true",
            help="print EXPLAIN ANALYZE of the slowest query of each page",
        )
        parser.add_argument(
            "--keep", action="store_true", help="keep the generated cases (a rerun reuses them)"
        )
        parser.add_argument(
            "--bulk",
            action="store_true",
            help="measure the largest administration of generate_bulk_data (BULK01) as it is: "
            "nothing generated, nothing deleted",
        )
        parser.add_argument(
            "--warm-cache",
            action="store_true",
            help="keep the cached tab counts between requests (default: cold, dropped before "
            "every timed request)",
        )
        add_allow_sqlite(parser)

    def handle(self, *args, **options):
        require_postgresql("bench_inbox", allow_sqlite=options["allow_sqlite"])
        if options["cases"] < 0 or options["repeat"] < 1 or options["batch_size"] < 1:
            raise CommandError("--cases must be >= 0, --repeat and --batch-size >= 1.")
        self.rng = random.Random(options["seed"])
        self.batch_size = options["batch_size"]
        # DEBUG would keep every statement (megabytes of bulk inserts) and is off in production.
        with override_settings(DEBUG=False):
            if options["bulk"]:
                administration, agents, manager = self._bulk_staff()
                self._run(administration, agents, manager, options)
                return
            administration, agents, manager = self._staff(options["administration_code"])
            try:
                self._run(administration, agents, manager, options)
            finally:
                if not options["keep"]:
                    self._delete(administration, [*agents, manager])

    # --- setup ------------------------------------------------------------------------------

    def _staff(self, code: str) -> tuple[Administration, list[User], User]:
        administration = bench_administration(code, BENCH_NAME)

        def member(local: str, first: str, last: str, role: str) -> User:
            return bench_member(administration, local, first, last, role)

        agents = [
            member(f"agent{n}", "Agent", f"Banc {n}", Role.AGENT) for n in range(1, AGENTS + 1)
        ]
        manager = member("manager", "Manager", "Banc", Role.MANAGER)
        for name, slug in TOPICS:
            Topic.objects.get_or_create(
                administration=administration, slug=slug, defaults={"name": name}
            )
        return administration, agents, manager

    def _bulk_staff(self) -> tuple[Administration, list[User], User]:
        administration = largest_administration()
        if administration is None:
            raise CommandError("No bulk administration: run generate_bulk_data first.")
        members = Membership.objects.filter(administration=administration, is_active=True)
        agents = [
            m.user for m in members.filter(role=Role.AGENT).select_related("user").order_by("pk")
        ]
        manager = members.filter(role=Role.MANAGER).select_related("user").first()
        if not agents or manager is None:
            raise CommandError(f"{administration.code} has no agents or no manager.")
        return administration, agents, manager.user

    def _synthetic(self, administration: Administration):
        """The generated cases: those of the bench administration without a journal."""
        return Case.objects.filter(administration=administration).filter(
            ~Exists(CaseEvent.objects.filter(case=OuterRef("pk")))
        )

    def _generate(self, administration: Administration, agents: list[User], total: int) -> None:
        missing = total - self._synthetic(administration).count()
        if missing <= 0:
            self.stdout.write(f"Cases: {total:,} already loaded, reused.")
            return
        self.stdout.write(f"Cases: generating {missing:,}…")
        rng = self.rng
        topics = list(
            Topic.objects.filter(administration=administration).values_list("pk", flat=True)
        )
        deadlines = {
            channel: case_services.response_days(administration, channel)
            for channel in Channel.values
        }
        counters = dict(
            ReferenceCounter.objects.filter(administration=administration).values_list(
                "year", "last"
            )
        )
        now = timezone.now()
        started = time.perf_counter()
        done = 0
        for size in _batches(missing, self.batch_size):
            cases = []
            for _ in range(size):
                status = _pick(rng, [(s, share) for s, share, _worked in STATUS_MIX])
                worked = status != Status.NEW
                channel = _pick(rng, CHANNEL_MIX)
                due_at = now + dt.timedelta(seconds=rng.uniform(-30, 30) * 86_400)
                created_at = due_at - dt.timedelta(days=deadlines[channel])
                year = timezone.localtime(created_at).year
                counters[year] = counters.get(year, 0) + 1
                assigned_at = created_at + dt.timedelta(hours=rng.uniform(0.5, 48))
                handled = min(assigned_at + dt.timedelta(days=rng.uniform(0.2, 12)), now)
                cases.append(
                    Case(
                        administration=administration,
                        reference=f"{administration.code}-{year}-{counters[year]:06d}",
                        channel=channel,
                        subject=rng.choice(SUBJECTS),
                        body=" ".join(rng.choices(BODY_WORDS, k=rng.randint(30, 80))),
                        usager_name="Usager Synthétique",
                        topic_id=rng.choice(topics) if rng.random() < 0.8 else None,
                        status=status,
                        priority=_pick(rng, PRIORITY_MIX),
                        assignee=rng.choice(agents) if worked else None,
                        due_at=due_at,
                        created_at=created_at,
                        assigned_at=assigned_at if worked else None,
                        first_opened_at=assigned_at if worked else None,
                        answered_at=handled if status in (Status.ANSWERED, Status.CLOSED) else None,
                        closed_at=handled if status == Status.CLOSED else None,
                    )
                )
            with transaction.atomic():
                Case.objects.bulk_create(cases)
                for year, last in counters.items():
                    ReferenceCounter.objects.update_or_create(
                        administration=administration, year=year, defaults={"last": last}
                    )
            done += size
            if done % 20_000 < size or done == missing:
                self.stdout.write(f"  {done:,} cases, {time.perf_counter() - started:.1f} s")
        seconds = time.perf_counter() - started
        self.stdout.write(f"  {missing / seconds if seconds else 0:,.0f} cases/s")

    def _analyze(self) -> float:
        started = time.perf_counter()
        table = connection.ops.quote_name(Case._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # VACUUM too: it sets the visibility map, which index-only scans need.
                cursor.execute(f"VACUUM ANALYZE {table}")
            else:
                cursor.execute(f"ANALYZE {table}")
        return time.perf_counter() - started

    # --- measure ----------------------------------------------------------------------------

    def _run(self, administration, agents, manager, options) -> None:
        self.administration = administration
        if not options["bulk"]:
            self._generate(administration, agents, options["cases"])
        analyze_seconds = self._analyze()
        statuses = dict(
            Case.objects.filter(administration=administration)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        total = sum(statuses.values())
        agent = agents[0]
        now = timezone.now()
        open_cases = Case.objects.filter(administration=administration, status__in=OPEN_STATUSES)
        self.stdout.write("")
        self.stdout.write(
            f"Data ({connection.vendor}, administration {administration.code}): {total:,} cases, "
            f"ANALYZE {analyze_seconds:.1f} s"
        )
        self.stdout.write(
            "  "
            + ", ".join(
                f"{label} {statuses.get(value, 0) / total:.0%}"
                for value, label in Status.choices
                if statuses.get(value)
            )
        )
        self.stdout.write(
            f"  {agent.display_name}: {open_cases.filter(assignee=agent).count():,} open cases; "
            f"queue {open_cases.filter(status=Status.NEW).count():,}; "
            f"overdue open {open_cases.filter(due_at__lt=now).count():,}"
        )

        # What a gunicorn worker does once Django is loaded, before its first request
        # (gunicorn.conf.py, post_worker_init): the full collections then leave the code alone.
        freeze_loaded()
        inbox = reverse("cases:inbox")
        agent_client = self._client(agent)
        manager_client = self._client(manager)
        first_all = manager_client.get(f"{inbox}?box=all")
        next_page = re.search(r'href="([^"]+)" id="next-page"', first_all.content.decode())
        if first_all.status_code != 200 or next_page is None:
            raise CommandError("The manager's 'all' box has no next page: too few cases?")
        pages = [
            ("agent: mine", agent_client, f"{inbox}?box=mine"),
            ("agent: queue", agent_client, f"{inbox}?box=queue"),
            ("manager: all", manager_client, f"{inbox}?box=all"),
            ("manager: all, page 2 (cursor)", manager_client, unescape(next_page.group(1))),
            (
                "manager: all, in progress + overdue",
                manager_client,
                f"{inbox}?box=all&status={Status.IN_PROGRESS}&overdue=on",
            ),
        ]
        results = [self._measure(label, client, url, options) for label, client, url in pages]
        for client in (agent_client, manager_client):
            client.logout()
        self._report(results, options)

    def _client(self, user: User) -> Client:
        client = Client(SERVER_NAME=HOST, headers={"accept-language": "fr"})
        client.force_login(user, backend=MODEL_BACKEND)
        return client

    def _measure(self, label: str, client: Client, url: str, options) -> dict:
        for _ in range(options["warmup"]):
            self._get(client, url)
        timings, cpu = [], []
        for _ in range(options["repeat"]):
            if not options["warm_cache"]:
                selectors.box_counts_forget(self.administration)
            started, started_cpu = time.perf_counter(), time.process_time()
            response = self._get(client, url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        # One more, counted: capturing adds its own overhead, so it is not among the timed.
        if not options["warm_cache"]:
            selectors.box_counts_forget(self.administration)
        with CaptureQueriesContext(connection) as ctx:
            response = self._get(client, url)
        queries = [(float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries]
        return {
            "label": label,
            "url": url,
            "rows": response.content.decode().count("<tr data-case="),
            "timings": timings,
            "cpu": cpu,
            "queries": queries,
        }

    def _get(self, client: Client, url: str):
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"GET {url} answered {response.status_code}.")
        return response

    def _report(self, results: list[dict], options) -> None:
        self.stdout.write("")
        load = ""
        if hasattr(os, "getloadavg"):
            load = f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        self.stdout.write(
            f"Inbox pages ({options['repeat']} timed GETs each after {options['warmup']} "
            f"untimed; whole request through the test client{load}):"
        )
        self.stdout.write(
            "  min/median/p95/max: wall-clock ms; CPU: median ms of this process (Python); "
            "queries and SQL ms (slowest): one extra counted request"
        )
        self.stdout.write(
            f"  {'page':<38} {'rows':>4} {'min':>7} {'median':>7} {'p95':>7} {'max':>7} {'CPU':>6} "
            f"{'queries':>7} {'SQL ms':>7} {'slowest':>7}"
        )
        slow, slow_p95 = [], []
        for result in results:
            timings, queries = result["timings"], result["queries"]
            median = statistics.median(timings)
            sql_ms = sum(ms for ms, _sql in queries)
            slowest = max(queries, default=(0.0, ""))
            self.stdout.write(
                f"  {result['label']:<38} {result['rows']:>4} {min(timings):7.1f} {median:7.1f} "
                f"{percentile(timings, 0.95):7.1f} {max(timings):7.1f} "
                f"{statistics.median(result['cpu']):6.1f} {len(queries):>7} "
                f"{sql_ms:7.1f} {slowest[0]:7.1f}"
            )
            if median >= TARGET_MEDIAN_MS:
                slow.append(result["label"])
            if percentile(timings, 0.95) >= TARGET_P95_MS:
                slow_p95.append(result["label"])
        self.stdout.write("")
        for target, missed, hint in (
            (
                f"Target (median < {TARGET_MEDIAN_MS} ms for a page of 50)",
                slow,
                " (run with --explain to see the plans)",
            ),
            (f"National-scale target (p95 < {TARGET_P95_MS} ms)", slow_p95, ""),
        ):
            verdict = f"NOT met for {', '.join(missed)}{hint}" if missed else "met"
            self.stdout.write(f"{target}: {verdict}.")
        if connection.vendor == "postgresql":
            self._case_sql(results)
        if options["explain"]:
            self._explain(results)

    def _case_sql(self, results: list[dict]) -> None:
        """The page's queries on cases as PostgreSQL runs them (EXPLAIN ANALYZE, best of 5):
        execution time and pages touched, little affected by the machine's load."""
        self.stdout.write("")
        self.stdout.write(
            "Queries on cases_case per page (EXPLAIN ANALYZE, best of 5; buffers: 8 kB pages "
            "touched):"
        )
        self.stdout.write(f"  {'page':<38} {'queries':>7} {'exec ms':>8} {'buffers':>8}")
        for result in results:
            total_ms, buffers, count = 0.0, 0, 0
            for _ms, sql in result["queries"]:
                if 'FROM "cases_case"' not in sql or sql.startswith("EXPLAIN"):
                    continue
                count += 1
                best, touched = float("inf"), 0
                for _ in range(5):
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
                        plan = cursor.fetchone()[0]
                    plan = plan[0] if isinstance(plan, list) else plan
                    if plan["Execution Time"] < best:
                        best = plan["Execution Time"]
                        top = plan["Plan"]
                        touched = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
                total_ms += best
                buffers += touched
            self.stdout.write(f"  {result['label']:<38} {count:>7} {total_ms:8.2f} {buffers:>8}")

    def _explain(self, results: list[dict]) -> None:
        for result in results:
            ms, sql = max(result["queries"], default=(0.0, ""))
            if not sql:
                continue
            self.stdout.write("")
            self.stdout.write(f"Slowest query of {result['label']} ({ms:.1f} ms):")
            self.stdout.write(f"  {sql[:600]}")
            prefix = (
                "EXPLAIN (ANALYZE, BUFFERS) "
                if connection.vendor == "postgresql"
                else "EXPLAIN QUERY PLAN "
            )
            with connection.cursor() as cursor:
                # The SQL was captured from this very connection: it is the statement as sent.
                cursor.execute(prefix + sql)
                for line in cursor.fetchall():
                    self.stdout.write("    " + " ".join(str(part) for part in line))

    # --- cleanup ----------------------------------------------------------------------------

    def _delete(self, administration: Administration, staff: list[User]) -> None:
        started = time.perf_counter()
        synthetic = self._synthetic(administration)
        deleted = 0
        while True:
            batch = list(synthetic.values_list("pk", flat=True)[: self.batch_size])
            if not batch:
                break
            with transaction.atomic():
                deleted += Case.objects.filter(pk__in=batch).delete()[1].get("cases.Case", 0)
        kept = Case.objects.filter(administration=administration).count()
        self.stdout.write("")
        if kept:
            self.stdout.write(
                f"Deleted {deleted:,} generated cases ({time.perf_counter() - started:.1f} s). "
                f"Kept administration {administration.code}: {kept} cases with a journal remain "
                "(the journal is append-only)."
            )
            return
        if AuditEntry.objects.filter(administration=administration).exists():
            # Creating the administration and its members was journaled, and the journal is
            # append-only (its rows protect the administration): keep them, a rerun reuses them.
            self.stdout.write(
                f"Deleted {deleted:,} generated cases ({time.perf_counter() - started:.1f} s). "
                f"Kept administration {administration.code} and its {len(staff)} benchmark "
                "users: its journal is append-only (a rerun reuses them)."
            )
            return
        with transaction.atomic():
            groups = list(
                Group.objects.filter(role_group__administration=administration).values_list(
                    "pk", flat=True
                )
            )
            administration.delete()
            # The role groups carry the object permissions on the administration row.
            Group.objects.filter(pk__in=groups).delete()
            # Only the users who belong nowhere else (a rerun may have found existing ones).
            users, _by_model = User.objects.filter(
                pk__in=[user.pk for user in staff], memberships__isnull=True, is_superuser=False
            ).delete()
        self.stdout.write(
            f"Deleted {deleted:,} generated cases, administration {administration.code}, its "
            f"groups and {users} benchmark users "
            f"({time.perf_counter() - started:.1f} s)."
        )
