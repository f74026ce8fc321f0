"""Benchmark the API's case list and case detail under gunicorn, beside the framework's floor.

Measures the largest administration of ``generate_bulk_data`` as it is (``--bulk``), or loads
(or reuses, with ``--keep``) the bench_inbox administration with ``--cases`` synthetic cases.
Starts gunicorn (the project's gunicorn.conf.py: gthread, its threads) with ONE worker on
127.0.0.1 and production settings (``GUICHET_ENV=production``, DEBUG off, JSON logs, HTTPS
behind a trusted proxy, the shared cache named by ``--cache-url``), serving the project plus
bare Django views (devtools/bench/server: same middleware, raw SQL, the same rows). Then it
drives, for ``--seconds`` each, with wrk when it is installed (``apt-get install wrk``), else
with a Python load loop:

- the list's first page: floor, the API signed in by session, the API with a bearer token;
- case details: floor, API by session, API by token, each request a case drawn at random
  among ``--detail-cases`` of the administration (no row stays hot in a cache of ours).

Nothing is cached between requests by the API (no warm-up cache to go cold). Prints requests
per second per worker, median and p95 latency, the API/floor ratios and the load average.

Traffic goes to 127.0.0.1 only, for a bounded time; the server is stopped at the end.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.test.utils import override_settings

from accounts.middleware import SESSION_KEY
from accounts.models import ApiToken, Membership, Role
from accounts.tokens import api_token_create
from cases.models import Case
from devtools.bench.common import add_allow_sqlite, bench_member, require_postgresql

from .bench_inbox import Command as BenchInbox

WRK_SCRIPT = """
local paths = {%(paths)s}
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("GUICHET %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def _combine(parts: list[dict]) -> dict:
    """The rounds of one URL: throughput over all of them, the rounds' median latencies."""
    seconds = sum(p["requests"] / p["rps"] for p in parts if p["rps"])
    requests = sum(p["requests"] for p in parts)
    return {
        "requests": requests,
        "rps": requests / seconds if seconds else 0.0,
        "p50": statistics.median(p["p50"] for p in parts),
        "p95": statistics.median(p["p95"] for p in parts),
        "errors": sum(p["errors"] for p in parts),
    }


class Command(BaseCommand):
    help = (
        "Requests per second and p95 latency of the API's case list and case detail (session "
        "and token) under gunicorn (1 worker, production settings), beside bare Django views "
        "reading the same rows. Writes a lot without --bulk: use a scratch PostgreSQL database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument(
            "--bulk",
            action="store_true",
            help="measure the largest administration of generate_bulk_data (BULK01) as it is: "
            "nothing generated, nothing deleted but the bench's token",
        )
        parser.add_argument("--seconds", type=int, default=20, help="measured seconds per URL")
        parser.add_argument(
            "--rounds",
            type=int,
            default=4,
            help="interleave the URLs in this many rounds (a busy machine's load drifts; "
            "each URL gets --seconds in all)",
        )
        parser.add_argument("--warmup", type=int, default=3, help="unmeasured seconds per URL")
        parser.add_argument(
            "--connections", type=int, default=2, help="concurrent connections (1 worker)"
        )
        parser.add_argument("--size", type=int, default=50, help="rows per page")
        parser.add_argument(
            "--detail-cases", type=int, default=2000, help="cases drawn from for the details"
        )
        parser.add_argument(
            "--cache-url",
            default=os.environ.get("CACHE_URL", ""),
            help="the server's CACHE_URL (default: this environment's; a Redis in production)",
        )
        parser.add_argument(
            "--only",
            choices=["all", "list", "detail"],
            default="all",
            help="measure only the list or only the detail",
        )
        parser.add_argument("--driver", choices=["auto", "wrk", "python"], default="auto")
        parser.add_argument("--administration-code", default="BENCHINBOX")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--keep", action="store_true", help="keep the generated cases (a rerun reuses them)"
        )
        add_allow_sqlite(parser)

    def handle(self, *args, **options):
        require_postgresql("bench_api", allow_sqlite=options["allow_sqlite"])
        if not 1 <= options["seconds"] <= 600 or not 1 <= options["connections"] <= 64:
            raise CommandError("--seconds must be in 1..600 and --connections in 1..64.")
        driver = options["driver"]
        if driver == "auto":
            driver = "wrk" if shutil.which("wrk") else "python"
        elif driver == "wrk" and not shutil.which("wrk"):
            raise CommandError("wrk is not installed (apt-get install wrk), use --driver python.")
        # django-stubs types these `TextIO`; Django takes any text stream, an OutputWrapper too.
        inbox = BenchInbox(stdout=self.stdout, stderr=self.stderr)  # type: ignore[arg-type]
        inbox.rng = random.Random(options["seed"])
        inbox.batch_size = options["batch_size"]
        with override_settings(DEBUG=False):
            if options["bulk"]:
                administration, agents, manager = inbox._bulk_staff()
                self._measure(administration, driver, options)
                return
            administration, agents, manager = inbox._staff(options["administration_code"])
            try:
                inbox._generate(administration, agents, options["cases"])
                inbox._analyze()
                self._measure(administration, driver, options)
            finally:
                if not options["keep"]:
                    inbox._delete(administration, [*agents, manager])

    def _measure(self, administration, driver: str, options) -> None:
        administrator = self._administrator(administration)
        # The token acts as its creator: session and token requests are the same person.
        token, key = api_token_create(
            actor=administrator,
            administration=administration,
            name="bench_api",
            scope=ApiToken.Scope.READ,
        )
        try:
            self._run(administration, administrator, key, driver, options)
        finally:
            ApiToken.objects.filter(pk=token.pk).delete()

    def _administrator(self, administration):
        membership = (
            Membership.objects.filter(
                administration=administration, role=Role.ADMINISTRATOR, is_active=True
            )
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if membership is not None:
            return membership.user
        return bench_member(administration, "admin", "Administrateur", "Banc", Role.ADMINISTRATOR)

    # --- the server ---------------------------------------------------------------------------

    def _start(self, port: int, cache_url: str, log_path: Path) -> subprocess.Popen:
        env = {
            **os.environ,
            # Production settings, as a deployment runs them behind its proxy.
            "GUICHET_ENV": "production",
            "DJANGO_DEBUG": "0",
            # The sessions the command signs in are signed with this process's key.
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "GUICHET_TRUSTED_PROXIES": "127.0.0.1",
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_LOG_LEVEL": "warning",
            # No recycling of the one worker mid-run (gunicorn.conf.py's max_requests): a
            # restart stalls every request for seconds, in whichever URL's slice it falls.
            "GUNICORN_MAX_REQUESTS": "0",
            # The bench measures the request path, not the rate limiter's refusals.
            "API_THROTTLE_USER": "100000000/min",
            "API_THROTTLE_TOKEN": "100000000/min",
        }
        if cache_url:
            env["CACHE_URL"] = cache_url
        else:
            env.pop("CACHE_URL", None)
        for name in ("GUICHET_DEVTOOLS", "DJANGO_SETTINGS_MODULE"):
            env.pop(name, None)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "devtools.bench.server.wsgi:application",
            "--workers",
            "1",
            "--chdir",
            str(settings.BASE_DIR),
        ]
        # Our own interpreter and module, fixed arguments: nothing comes from a request.
        # Its log (a JSON line per request, as in production) goes to a file.
        with log_path.open("w") as log:
            server = subprocess.Popen(  # noqa: S603
                command, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn exited with status {server.returncode}.")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return server
            except OSError:
                time.sleep(0.2)
        server.terminate()
        raise CommandError("gunicorn did not start within 60 s.")

    def _session_cookie(self, user, administration) -> str:
        client = Client()
        client.force_login(user)
        session = client.session
        session[SESSION_KEY] = administration.pk
        session.save()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    # --- the measure --------------------------------------------------------------------------

    def _run(self, administration, user, key: str, driver: str, options) -> None:
        port = _free_port()
        session = {"Cookie": self._session_cookie(user, administration)}
        bearer = {"Authorization": f"Bearer {key}"}
        size = options["size"]
        rng = random.Random(options["seed"])
        ids = list(
            Case.objects.filter(administration=administration)
            .order_by("?")
            .values_list("pk", flat=True)[: options["detail_cases"]]
        )
        if not ids:
            raise CommandError(f"{administration.code} has no cases.")
        rng.shuffle(ids)
        list_path = f"/api/v1/cases/?box=all&size={size}"
        detail_paths = [f"/api/v1/cases/{pk}/" for pk in ids]
        floor_paths = [f"/bench/floor/{pk}/" for pk in ids]
        plan: list[tuple[str, list[str], dict[str, str]]] = []
        if options["only"] in ("all", "list"):
            plan += [
                ("list   floor (bare view, session)", ["/bench/floor/"], session),
                ("list   API, session", [list_path], session),
                ("list   API, token", [list_path], bearer),
            ]
        if options["only"] in ("all", "detail"):
            plan += [
                ("detail floor (bare view, session)", floor_paths, session),
                ("detail API, session", detail_paths, session),
                ("detail API, token", detail_paths, bearer),
            ]
        log_path = Path(tempfile.gettempdir()) / f"bench_api-{port}.log"
        server = self._start(port, options["cache_url"], log_path)
        try:
            self._check_same_rows(port, plan, size)
            total = Case.objects.filter(administration=administration).count()
            self.stdout.write(
                f"\nData: {administration.code}, {total:,} cases. Server: gunicorn, 1 worker "
                f"(gunicorn.conf.py), production settings, cache "
                f"{options['cache_url'] or 'per process'}, 127.0.0.1:{port}. Driver: {driver}, "
                f"{options['connections']} connection(s), {options['seconds']} s per URL after "
                f"{options['warmup']} s of warm-up. Details drawn among {len(ids):,} cases."
            )
            self.stdout.write(f"Load average before: {load_average()}")
            measure = self._wrk if driver == "wrk" else self._python
            for _label, paths, headers in plan:
                measure(port, paths, headers, options["warmup"], options["connections"])
            rounds = max(1, min(options["rounds"], options["seconds"]))
            slice_seconds = max(1, options["seconds"] // rounds)
            runs: dict[str, list[dict]] = {label: [] for label, _p, _h in plan}
            for _round in range(rounds):
                for label, paths, headers in plan:
                    runs[label].append(
                        measure(port, paths, headers, slice_seconds, options["connections"])
                    )
                self.stdout.write(f"  round {_round + 1}/{rounds}, load average {load_average()}")
            self.stdout.write(f"Load average after: {load_average()}")
        except CommandError:
            self.stderr.write(log_path.read_text()[-3000:])
            raise
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        self._report({label: _combine(parts) for label, parts in runs.items()})

    def _check_same_rows(self, port: int, plan, size: int) -> None:
        """The floor and the API answer the same rows (and every URL answers 200)."""
        pages = {label: self._get(port, paths[0], headers) for label, paths, headers in plan}
        lists = [page for label, page in pages.items() if label.startswith("list")]
        if size == 50 and lists:
            ids = [[row["id"] for row in page["results"]] for page in lists]
            if any(x != ids[0] for x in ids):
                raise CommandError("The API and the floor view return different rows.")
        details = [page for label, page in pages.items() if label.startswith("detail")]
        if details and any(page["id"] != details[0]["id"] for page in details):
            raise CommandError("The API and the floor view return different cases.")

    def _get(self, port: int, path: str, headers: dict[str, str]) -> dict:
        # The first request waits for the worker to boot (long on a busy machine).
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=180)
        connection.request(
            "GET",
            path,
            headers={**headers, "Accept": "application/json", "X-Forwarded-Proto": "https"},
        )
        response = connection.getresponse()
        body = response.read()
        connection.close()
        if response.status != 200:
            raise CommandError(f"GET {path} answered {response.status}: {body[:300]!r}")
        return json.loads(body)

    def _wrk(
        self, port: int, paths: list[str], headers: dict[str, str], seconds: int, connections: int
    ) -> dict:
        lua_paths = ", ".join(json.dumps(p) for p in paths)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT % {"paths": lua_paths})
        header_args = []
        for name, value in {**headers, "X-Forwarded-Proto": "https"}.items():
            header_args += ["-H", f"{name}: {value}"]
        try:
            wrk = shutil.which("wrk") or "wrk"
            output = subprocess.run(  # noqa: S603  (fixed arguments, local URL)
                [
                    wrk,
                    "-t1",
                    f"-c{connections}",
                    f"-d{seconds}s",
                    "--timeout",
                    "30s",
                    *header_args,
                    "-s",
                    script.name,
                    f"http://127.0.0.1:{port}/",
                ],
                capture_output=True,
                text=True,
                timeout=seconds + 60,
                check=True,
            ).stdout
        finally:
            os.unlink(script.name)
        line = next(x for x in output.splitlines() if x.startswith("GUICHET "))
        requests, duration_us, p50_us, p95_us, errors = (int(x) for x in line.split()[1:])
        return {
            "requests": requests,
            "rps": requests / (duration_us / 1e6),
            "p50": p50_us / 1000,
            "p95": p95_us / 1000,
            "errors": errors,
        }

    def _python(
        self, port: int, paths: list[str], headers: dict[str, str], seconds: int, connections: int
    ) -> dict:
        latencies: list[float] = []
        errors = [0]
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds
        headers = {**headers, "X-Forwarded-Proto": "https"}

        def loop(rng: random.Random):
            mine = []
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    connection.request("GET", rng.choice(paths), headers=headers)
                    response = connection.getresponse()
                    response.read()
                    ok = response.status == 200
                except (OSError, http.client.HTTPException):
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    ok = False
                if ok:
                    mine.append((time.perf_counter() - started) * 1000)
                else:
                    with lock:
                        errors[0] += 1
            connection.close()
            with lock:
                latencies.extend(mine)

        started = time.perf_counter()
        threads = [
            threading.Thread(target=loop, args=(random.Random(n),)) for n in range(connections)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        return {
            "requests": len(latencies),
            "rps": len(latencies) / elapsed,
            "p50": percentile(latencies, 0.5) if latencies else float("nan"),
            "p95": percentile(latencies, 0.95) if latencies else float("nan"),
            "errors": errors[0],
        }

    def _report(self, results: dict) -> None:
        self.stdout.write("")
        self.stdout.write(
            f"{'':36} {'requests':>9} {'req/s/worker':>13} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'errors':>7}"
        )
        for label, r in results.items():
            self.stdout.write(
                f"{label:36} {r['requests']:>9,} {r['rps']:>13.1f} {r['p50']:>8.1f} "
                f"{r['p95']:>8.1f} {r['errors']:>7}"
            )
        self.stdout.write("")
        for kind in ("list", "detail"):
            mine = {k: r for k, r in results.items() if k.startswith(f"{kind} ")}
            floor = next((r for k, r in mine.items() if "floor" in k), None)
            if floor is None or not floor["rps"]:
                continue
            for label, r in results.items():
                if label.startswith(f"{kind} ") and "API" in label:
                    self.stdout.write(
                        f"{label} / floor: {r['rps'] / floor['rps']:.2f}× the throughput, "
                        f"{r['p95'] / floor['p95']:.2f}× the p95 latency."
                    )
