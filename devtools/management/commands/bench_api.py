"""Benchmark the API's case list under gunicorn, beside the framework's floor.

Loads (or reuses, with ``--keep``) the bench_inbox administration with ``--cases`` synthetic
cases, starts gunicorn with ONE sync worker on 127.0.0.1 serving the project plus a bare
Django view (devtools/bench/server: same middleware, one raw SQL query, the same page of rows),
signs an agent in, and drives both URLs for ``--seconds`` each with wrk when it is installed
(``apt-get install wrk``), else with a Python load loop (threads and http.client). Prints
requests per second per worker, median and p95 latency, and the API/floor ratios.

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
import subprocess
import sys
import tempfile
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.test.utils import override_settings

from accounts.middleware import SESSION_KEY
from devtools.bench.common import add_allow_sqlite, require_postgresql

from .bench_inbox import Command as BenchInbox

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("GUICHET %d %d %d %d %d\\n", summary.requests, summary.duration,
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


class Command(BaseCommand):
    help = (
        "Requests per second and p95 latency of GET /api/v1/cases/ for an agent under gunicorn "
        "(1 worker), beside a bare Django view with one raw SQL query. Writes a lot: use a "
        "scratch PostgreSQL database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--seconds", type=int, default=20, help="measured seconds per URL")
        parser.add_argument("--warmup", type=int, default=3, help="unmeasured seconds per URL")
        parser.add_argument(
            "--connections", type=int, default=2, help="concurrent connections (1 worker)"
        )
        parser.add_argument("--size", type=int, default=50, help="rows per page")
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
        inbox = BenchInbox(stdout=self.stdout, stderr=self.stderr)
        inbox.rng = random.Random(options["seed"])
        inbox.batch_size = options["batch_size"]
        with override_settings(DEBUG=False):
            administration, agents, manager = inbox._staff(options["administration_code"])
            try:
                inbox._generate(administration, agents, options["cases"])
                inbox._analyze()
                self._run(administration, agents[0], driver, options)
            finally:
                if not options["keep"]:
                    inbox._delete(administration, [*agents, manager])

    # --- the server ---------------------------------------------------------------------------

    def _start(self, port: int) -> subprocess.Popen:
        env = {
            **os.environ,
            # The bench measures the request path, not the rate limiter's refusals.
            "API_THROTTLE_USER": "100000000/min",
            "DJANGO_DEBUG": "0",
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "devtools.bench.server.wsgi:application",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--chdir",
            str(settings.BASE_DIR),
        ]
        # Our own interpreter and module, fixed arguments: nothing comes from a request.
        server = subprocess.Popen(command, env=env)  # noqa: S603
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

    def _session_cookie(self, agent, administration) -> str:
        client = Client()
        client.force_login(agent)
        session = client.session
        session[SESSION_KEY] = administration.pk
        session.save()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    # --- the measure --------------------------------------------------------------------------

    def _run(self, administration, agent, driver: str, options) -> None:
        port = _free_port()
        cookie = self._session_cookie(agent, administration)
        size = options["size"]
        urls = {
            "API  GET /api/v1/cases/": f"/api/v1/cases/?box=all&size={size}",
            "floor (bare view, raw SQL)": "/bench/floor/",
        }
        server = self._start(port)
        try:
            pages = {label: self._get(port, path, cookie) for label, path in urls.items()}
            ids = [[row["id"] for row in page["results"]] for page in pages.values()]
            if size == 50 and ids[0] != ids[1]:
                raise CommandError("The API and the floor view return different rows.")
            self.stdout.write(
                f"\nServer: gunicorn, 1 sync worker, 127.0.0.1:{port}. Driver: {driver}, "
                f"{options['connections']} connection(s), {options['seconds']} s per URL "
                f"after {options['warmup']} s of warm-up. Page: {len(ids[0])} rows."
            )
            results = {}
            for label, path in urls.items():
                url = f"http://127.0.0.1:{port}{path}"
                measure = self._wrk if driver == "wrk" else self._python
                measure(url, cookie, options["warmup"], options["connections"])
                results[label] = measure(url, cookie, options["seconds"], options["connections"])
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        self._report(results)

    def _get(self, port: int, path: str, cookie: str) -> dict:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path, headers={"Cookie": cookie, "Accept": "application/json"})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        if response.status != 200:
            raise CommandError(f"GET {path} answered {response.status}: {body[:300]!r}")
        return json.loads(body)

    def _wrk(self, url: str, cookie: str, seconds: int, connections: int) -> dict:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
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
                    "-H",
                    f"Cookie: {cookie}",
                    "-s",
                    script.name,
                    url,
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

    def _python(self, url: str, cookie: str, seconds: int, connections: int) -> dict:
        path = url.split(str(url.split("/")[2]), 1)[1]
        host, port = url.split("/")[2].split(":")
        latencies: list[float] = []
        errors = [0]
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds

        def loop():
            mine = []
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    connection = http.client.HTTPConnection(host, int(port), timeout=30)
                    connection.request("GET", path, headers={"Cookie": cookie})
                    response = connection.getresponse()
                    response.read()
                    connection.close()
                    ok = response.status == 200
                except OSError:
                    ok = False
                if ok:
                    mine.append((time.perf_counter() - started) * 1000)
                else:
                    with lock:
                        errors[0] += 1
            with lock:
                latencies.extend(mine)

        started = time.perf_counter()
        threads = [threading.Thread(target=loop) for _ in range(connections)]
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
            f"{'':30} {'requests':>9} {'req/s/worker':>13} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'errors':>7}"
        )
        for label, r in results.items():
            self.stdout.write(
                f"{label:30} {r['requests']:>9,} {r['rps']:>13.1f} {r['p50']:>8.1f} "
                f"{r['p95']:>8.1f} {r['errors']:>7}"
            )
        api, floor = results.values()
        self.stdout.write("")
        self.stdout.write(
            f"API / floor: {api['rps'] / floor['rps']:.2f}× the throughput, "
            f"{api['p95'] / floor['p95']:.2f}× the p95 latency."
        )
