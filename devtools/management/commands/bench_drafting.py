"""Benchmark the drafting path on a realistic volume: a large history, a full answer bank.

Loads an administration with ``--answered`` answered cases next to the demo knowledge base (and
its vectors), fills its answer bank to ``ANSWER_BANK_CAP``, then times what a draft retrieves
for ``--drafts`` new questions through the pipeline's own path (devtools/bench/draftpath.py):
``sources.gather`` (the question embedded once; the bank's candidates by words and by meaning;
the fiches, BM25 and embeddings fused; every unit's similarity) and the evidence (``compose``).
Past answers reach a draft only through the bounded bank, so this cost must not grow with the
history.

Answered cases are not indexed for search (no past reply is retrieved, only the bank's
answers): the postings are those of the knowledge passages alone, whatever the history.
``--pipeline`` also times whole offline drafts through the current pipeline; ``--fiches`` only
measures fiche hit@1/hit@3, BM25 alone against hybrid, on the labelled usager questions
(devtools/eval/questions.jsonl).

The synthetic history is bulk-loaded: its cases skip the journal (CaseEvent), since no one
handled them, and that is what lets the command delete them afterwards (the journal is
append-only). The new cases of ``--pipeline`` go through ``case_create`` and so have a journal
line: they stay, with their suggestions and the administration, which a next run reuses.
"""

from __future__ import annotations

import datetime as dt
import math
import multiprocessing
import os
import random
import re
import statistics
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from unittest import mock

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Administration, Role, User
from cases import services as case_services
from cases.models import Case, CaseEvent, Channel, ReferenceCounter, Reply, Status, Topic
from config.celery import app as celery_app
from devtools.bench import benchdata, draftpath
from devtools.bench.common import (
    add_allow_sqlite,
    bench_administration,
    bench_member,
    require_postgresql,
)
from devtools.bench.fiche_eval import evaluate_fiches, load_covered
from devtools.demo import KNOWLEDGE_DIR
from drafting.answers.models import BankAnswer
from drafting.answers.selectors import bank_settings
from drafting.knowledge import embeddings
from drafting.knowledge import services as knowledge_services
from drafting.knowledge.retrieval import embed_question
from drafting.models import Embedding, KnowledgeArticle, Posting, SearchDocument, Suggestion
from drafting.suggestions import services as suggestion_services
from drafting.suggestions.pipeline import suggestion_draft

BENCH_NAME = "Banc d'essai de la rédaction assistée"
TARGET_P95_MS = 300
# What a draft retrieves (fiches, units, bank) must stay under this at any history size.
TARGET_RETRIEVAL_P95_MS = 150
_CITATION_RE = re.compile(r"\[(\d{1,3})\]")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``share`` of values at or below."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def _batches(total: int, size: int) -> Iterable[int]:
    done = 0
    while done < total:
        yield min(size, total - done)
        done += size


class Command(BaseCommand):
    help = (
        "Time offline drafts against a large history (default 50,000 answered cases). "
        "Writes a lot: use a scratch PostgreSQL database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--answered", type=int, default=50_000)
        parser.add_argument("--drafts", type=int, default=200)
        parser.add_argument("--warmup", type=int, default=3, help="untimed drafts first")
        parser.add_argument("--administration-code", default="BENCH")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="processes that write and index the texts (0: none)",
        )
        parser.add_argument(
            "--keep", action="store_true", help="keep the generated history (a rerun reuses it)"
        )
        parser.add_argument(
            "--pipeline",
            action="store_true",
            help="also time whole offline drafts through the current pipeline",
        )
        parser.add_argument(
            "--fiches",
            action="store_true",
            help="only measure fiche hit@1/hit@3 and latency, BM25 alone against hybrid",
        )
        add_allow_sqlite(parser)

    def handle(self, *args, **options):
        require_postgresql("bench_drafting", allow_sqlite=options["allow_sqlite"])
        if options["answered"] < 0 or options["drafts"] < 1 or options["batch_size"] < 1:
            raise CommandError("--answered must be >= 0, --drafts and --batch-size >= 1.")
        self.rng = random.Random(options["seed"])
        # DEBUG would keep every statement (megabytes of bulk inserts) and is off in production.
        with override_settings(DEBUG=False, DRAFTING_BACKEND="offline"):
            administration, agent = self._administration(options["administration_code"])
            if options["fiches"]:
                self._knowledge()
                self._fiches(administration)
                return
            try:
                self._run(administration, agent, options)
            finally:
                if not options["keep"]:
                    self._delete_history(administration)

    # --- setup ------------------------------------------------------------------------------

    def _administration(self, code: str) -> tuple[Administration, User]:
        administration = bench_administration(code, BENCH_NAME)
        return administration, bench_member(administration, "agent", "Agent", "Bench", Role.AGENT)

    def _knowledge(self) -> None:
        started = time.perf_counter()
        report = knowledge_services.knowledge_import(path=KNOWLEDGE_DIR)
        self.stdout.write(
            f"Knowledge base: {report.created} fiches imported, {report.unchanged} already there "
            f"({time.perf_counter() - started:.1f} s)."
        )
        backend = embeddings.get_backend()
        if backend is None:
            self.stdout.write("Embeddings: off (DRAFTING_EMBEDDINGS is empty): BM25 alone.")
            return
        missing = list(
            embeddings.articles_missing_vectors(backend.model_name).values_list("pk", flat=True)
        )
        if missing:
            self.stdout.write(f"Embeddings: computing the vectors of {len(missing)} fiches…")
            started = time.perf_counter()
            computed = sum(embeddings.embed_article(pk) for pk in missing)
            self.stdout.write(f"  {computed} vectors in {time.perf_counter() - started:.1f} s")

    def _run(self, administration: Administration, agent: User, options) -> None:
        self._knowledge()
        generated, seconds = self._generate(administration, agent, options)
        started = time.perf_counter()
        bank_size = draftpath.fill_bank(administration, self._existing(administration), self.rng)
        bank_seconds = time.perf_counter() - started
        started = time.perf_counter()
        self._analyze()
        analyze_seconds = time.perf_counter() - started
        volumes = self._volumes(administration)
        self.stdout.write("")
        self.stdout.write(f"Data ({connection.vendor}, administration {administration.code}):")
        how = "reused"
        if generated:
            how = f"generated in {seconds:.1f} s, {generated / seconds:,.0f} cases/s"
        self.stdout.write(f"  answered cases {volumes['cases']:,} ({how})")
        self.stdout.write(
            f"  search documents {volumes['documents']:,} "
            f"(passages of {volumes['articles']} fiches; answered cases are not indexed)"
        )
        self.stdout.write(f"  postings {volumes['postings']:,}")
        self.stdout.write(
            f"  vectors {volumes['vectors']:,} (passages {volumes['passage_vectors']:,}, "
            f"the rest units)"
        )
        self.stdout.write(
            f"  answer bank {bank_size:,} active answers (cap {bank_settings().cap:,}; "
            f"filled in {bank_seconds:.1f} s)"
        )
        self.stdout.write(f"  ANALYZE {analyze_seconds:.1f} s")
        self._bench_retrieval(administration, options)
        if options["pipeline"]:
            self._bench(administration, options)

    # --- history ----------------------------------------------------------------------------

    def _existing(self, administration: Administration):
        """The synthetic history: answered (or answered and closed) cases of the bench
        administration without a journal."""
        answered = (Status.ANSWERED, Status.CLOSED)
        return Case.objects.filter(administration=administration, status__in=answered).filter(
            ~Exists(CaseEvent.objects.filter(case=OuterRef("pk")))
        )

    def _generate(self, administration: Administration, agent: User, options) -> tuple[int, float]:
        missing = options["answered"] - self._existing(administration).count()
        if missing <= 0:
            self.stdout.write("History: already loaded, reused.")
            return 0, 0.0
        workers = max(options["workers"], 0)
        self.stdout.write(f"History: generating {missing:,} answered cases ({workers} workers)…")
        topics = dict(Topic.objects.filter(administration__isnull=True).values_list("slug", "pk"))
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
        # One seed per batch, drawn in order: the data depend on --seed, not on the workers.
        tasks = [
            (self.rng.getrandbits(64), size, now, administration.closing, administration.signature)
            for size in _batches(missing, options["batch_size"])
        ]
        started = time.perf_counter()
        done = 0
        for batch in self._produce(tasks, workers):
            cases = []
            for item, _entry in batch:
                year = timezone.localtime(item.created_at).year
                counters[year] = counters.get(year, 0) + 1
                cases.append(
                    Case(
                        administration=administration,
                        reference=f"{administration.code}-{year}-{counters[year]:06d}",
                        channel=item.channel,
                        subject=item.subject,
                        body=item.body,
                        usager_name=item.usager_name,
                        topic_id=topics.get(item.topic_slug),
                        status=Status.ANSWERED,
                        priority=item.priority,
                        assignee=agent,
                        due_at=item.created_at + dt.timedelta(days=deadlines[item.channel]),
                        created_at=item.created_at,
                        assigned_at=item.assigned_at,
                        first_opened_at=item.first_opened_at,
                        answered_at=item.answered_at,
                    )
                )
            with transaction.atomic():
                self._write_batch(administration, agent, cases, batch)
                for year, last in counters.items():
                    ReferenceCounter.objects.update_or_create(
                        administration=administration, year=year, defaults={"last": last}
                    )
            done += len(batch)
            if done % 10_000 < len(batch) or done == missing:
                self.stdout.write(f"  {done:,} cases, {time.perf_counter() - started:.1f} s")
        return missing, time.perf_counter() - started

    def _produce(self, tasks: list[tuple], workers: int) -> Iterator[list]:
        """The batches in order; texts are anonymised and analysed in worker processes."""
        produce = benchdata.answered_cases_batch
        if workers < 1 or "fork" not in multiprocessing.get_all_start_methods():
            for task in tasks:
                yield produce(*task)
            return
        # Forked children must not share the parent's database connection.
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending: deque = deque()
            for task in tasks:
                pending.append(pool.apply_async(produce, task))
                # A few batches ahead of the writer, not the whole history in memory.
                if len(pending) > workers + 1:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()

    def _write_batch(self, administration, agent, cases, batch) -> None:
        Case.objects.bulk_create(cases)
        self._write_replies(agent, cases, [item for item, _ in batch])

    def _write_replies(self, agent, cases, synthetic) -> None:
        if connection.vendor == "postgresql":
            # COPY also keeps the date of the reply, which bulk_create replaces (auto_now_add).
            table = connection.ops.quote_name(Reply._meta.db_table)
            sql = f"COPY {table} (case_id, author_id, body, created_at) FROM STDIN"
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for case, item in zip(cases, synthetic, strict=True):
                    copy.write_row((case.pk, agent.pk, item.reply, item.answered_at))
            return
        replies = Reply.objects.bulk_create(
            [
                Reply(case=case, author=agent, body=item.reply)
                for case, item in zip(cases, synthetic, strict=True)
            ]
        )
        Reply.objects.filter(pk__in=[r.pk for r in replies]).update(
            created_at=Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("answered_at"))
        )

    def _analyze(self) -> None:
        tables = [
            Posting._meta.db_table,
            SearchDocument._meta.db_table,
            Case._meta.db_table,
            Reply._meta.db_table,
        ]
        with connection.cursor() as cursor:
            for table in tables:
                if connection.vendor == "postgresql":
                    cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
                else:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")

    def _volumes(self, administration: Administration) -> dict[str, int]:
        return {
            "cases": self._existing(administration).count(),
            "documents": SearchDocument.objects.count(),
            "articles": KnowledgeArticle.objects.filter(is_active=True).count(),
            "postings": Posting.objects.count(),
            "vectors": Embedding.objects.count(),
            "passage_vectors": Embedding.objects.filter(position__isnull=True).count(),
        }

    # --- what a draft retrieves --------------------------------------------------------------

    def _bench_retrieval(self, administration: Administration, options) -> None:
        """Time the retrieval path of a draft, part by part (devtools/bench/draftpath.py)."""
        warmup, drafts = options["warmup"], options["drafts"]
        self.stdout.write("")
        self.stdout.write(
            f"Retrieval of {drafts} drafts ({warmup} untimed first), embeddings "
            f"{getattr(embeddings.get_backend(), 'model_name', 'off')}…"
        )
        backend_ms = self._backend_cpu()
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        timings = draftpath.time_retrieval_path(
            administration,
            self.rng,
            warmup=warmup,
            drafts=drafts,
            cpu_clock=lambda: time.process_time() * 1000 + (backend_ms() if backend_ms else 0),
        )
        self.stdout.write("")
        self.stdout.write("Latency (ms):")
        for label, values in timings.parts.items():
            self._line(label, values)
        what = "command + database" if backend_ms else "command"
        self._line(f"CPU of the path ({what})", timings.cpu)
        if load is not None:
            self.stdout.write(
                f"  load average (1 min) {load:.2f} before, {os.getloadavg()[0]:.2f} after, "
                f"on {os.cpu_count()} CPUs"
            )
        p95 = percentile(timings.parts["whole retrieval path"], 0.95)
        verdict = "met" if p95 < TARGET_RETRIEVAL_P95_MS else "NOT met"
        self.stdout.write(
            f"  target p95 of the retrieval path < {TARGET_RETRIEVAL_P95_MS} ms: {verdict} "
            f"({p95:.1f} ms)"
        )
        right = timings.right_first / max(timings.covered, 1)
        self.stdout.write(
            f"  units scored per draft {timings.units / drafts:.0f}; bank: a candidate for "
            f"{timings.candidates} of {drafts} drafts ({timings.bank_questions} asked a known "
            f"question again); right fiche first for {right:.1%} "
            f"of {timings.covered} covered questions; {timings.abstained} abstained"
        )

    def _line(self, label: str, values: list[float]) -> None:
        self.stdout.write(
            f"  {label:<40} n={len(values)}  median {statistics.median(values):7.1f}  "
            f"p95 {percentile(values, 0.95):7.1f}  max {max(values):7.1f}"
        )

    def _fiches(self, administration: Administration) -> None:
        questions = load_covered()
        embed_question("warm-up")  # the model's first load is not a question's cost
        self.stdout.write("")
        self.stdout.write(
            f"Fiche retrieval on {len(questions)} covered usager questions (retrieve_fiches, "
            "3 fiches):"
        )
        for hybrid in (False, True):
            score = evaluate_fiches(questions, administration.pk, hybrid=hybrid)
            self.stdout.write(
                f"  {score.label:<7} hit@1 {score.hit_at_1:.3f}  hit@3 {score.hit_at_3:.3f}  "
                f"latency p50 {score.p50_ms:.1f} ms  p95 {score.p95_ms:.1f} ms"
            )

    # --- drafts -----------------------------------------------------------------------------

    def _bench(self, administration: Administration, options) -> None:
        questions = benchdata.load_questions()
        order = list(range(len(questions)))
        self.rng.shuffle(order)
        articles = dict(
            KnowledgeArticle.objects.filter(administration__isnull=True).values_list(
                "pk", "external_id"
            )
        )
        warmup, drafts = options["warmup"], options["drafts"]
        self.stdout.write("")
        self.stdout.write(f"Drafting {drafts} new cases ({warmup} untimed first)…")
        rows = []
        queued: list[int] = []
        backend_ms = self._backend_cpu()
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        # The real path: case_create announces the case after commit, the receiver runs the
        # prepare_new_case task (eagerly here), which creates the suggestion and queues its
        # draft; that last queueing is caught so that the draft itself can be timed.
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        try:
            with mock.patch.object(suggestion_services, "_enqueue", queued.append):
                for number in range(warmup + drafts):
                    item = questions[order[number % len(order)]]
                    subject, body, name = benchdata.new_question(self.rng, item)
                    case = case_services.case_create(
                        actor=None,
                        administration=administration,
                        channel=self.rng.choice(["web_form", "email", "sp_question"]),
                        subject=subject,
                        body=body,
                        usager_name=name,
                    )
                    if not queued:
                        raise CommandError(f"No draft was queued for case {case.reference}.")
                    suggestion_id = queued.pop()
                    cpu = time.process_time() * 1000 + (backend_ms() if backend_ms else 0)
                    started = time.perf_counter()
                    suggestion = suggestion_draft(suggestion_id=suggestion_id)
                    wall_ms = (time.perf_counter() - started) * 1000
                    cpu = time.process_time() * 1000 + (backend_ms() if backend_ms else 0) - cpu
                    if number < warmup:
                        continue
                    if suggestion is None or suggestion.status != Suggestion.Status.READY:
                        raise CommandError(f"Suggestion {suggestion_id} was not drafted.")
                    rows.append((suggestion, wall_ms, cpu, item["expected"]))
        finally:
            celery_app.conf.task_always_eager = eager
        self._report(rows, articles, with_database=backend_ms is not None, load=load)

    def _backend_cpu(self) -> Callable[[], float] | None:
        """Milliseconds on CPU of this connection's PostgreSQL backend, if it runs here.

        With the wall clock, it tells the work of a draft from the wait for a busy machine.
        """
        host = connection.settings_dict.get("HOST") or "localhost"
        if connection.vendor != "postgresql" or host not in ("localhost", "127.0.0.1", "::1"):
            return None
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        stat = Path(f"/proc/{pid}/schedstat")
        try:
            if not Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"postgres"):
                return None
            float(stat.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return lambda: int(stat.read_text().split()[0]) / 1e6

    def _report(self, rows, articles: dict[int, str], *, with_database: bool, load) -> None:
        def line(label: str, values: list[float]) -> None:
            self.stdout.write(
                f"  {label:<36} n={len(values)}  median {statistics.median(values):7.1f}  "
                f"p95 {percentile(values, 0.95):7.1f}  max {max(values):7.1f}"
            )

        retrieval = [float(s.retrieval_ms) for s, *_ in rows]
        latency = [float(s.latency_ms) for s, *_ in rows]
        wall = [ms for _, ms, *_ in rows]
        cpu = [ms for _, _, ms, _ in rows]
        self.stdout.write("")
        self.stdout.write("Latency (ms):")
        line("retrieval (suggestion.retrieval_ms)", retrieval)
        line("draft (suggestion.latency_ms)", latency)
        line("draft (wall clock, suggestion_draft)", wall)
        line("CPU of a draft (" + ("command + database)" if with_database else "command)"), cpu)
        if load is not None and hasattr(os, "getloadavg"):
            self.stdout.write(
                f"  load average (1 min) {load:.2f} before, {os.getloadavg()[0]:.2f} after, "
                f"on {os.cpu_count()} CPUs"
            )
        p95 = percentile(wall, 0.95)
        verdict = "met" if p95 < TARGET_P95_MS else "NOT met"
        self.stdout.write(
            f"  target p95 of a whole draft < {TARGET_P95_MS} ms: {verdict} ({p95:.1f} ms)"
        )

        cites = reused = expected = 0
        for suggestion, _, _, expected_id in rows:
            numbers = {int(n) for n in _CITATION_RE.findall(suggestion.text)}
            cited = [s for s in suggestion.sources if s["n"] in numbers]
            cites += bool(cited)
            reused += any(s["kind"] == "answer" for s in cited)
            expected += any(
                articles.get(s.get("article_id")) == expected_id for s in suggestion.sources
            )
        total = len(rows)
        self.stdout.write("")
        self.stdout.write("Quality:")
        self.stdout.write(f"  drafts citing at least one source   {cites / total:.1%}")
        self.stdout.write(f"  drafts reusing a bank answer        {reused / total:.1%}")
        self.stdout.write(f"  expected fiche among the sources    {expected / total:.1%}")

    # --- cleanup ----------------------------------------------------------------------------

    def _delete_history(self, administration: Administration) -> None:
        started = time.perf_counter()
        history = self._existing(administration)
        Reply.objects.filter(case__in=history).delete()
        BankAnswer.objects.filter(administration=administration, source_case__in=history).delete()
        history.delete()
        kept = Case.objects.filter(administration=administration).count()
        self.stdout.write("")
        self.stdout.write(
            f"Deleted the generated history ({time.perf_counter() - started:.1f} s). Kept "
            f"administration {administration.code} and its {kept} new cases with their "
            "suggestions: their journal is append-only. A next run reuses them."
        )
