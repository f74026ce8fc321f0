"""The production processes, without containers (issue 14 item 2): gunicorn with
gunicorn.conf.py, the two Celery workers and beat of compose.yaml and the Procfile, against
PostgreSQL (as the application's restricted role) and a private redis-server.

A case comes in through the intake API, its draft is made by the worker, an agent's reply goes
out through the API and the worker delivers it by e-mail (EMAIL_URL, the file backend here).
Every wait is on a condition with a generous deadline: the machine may be loaded.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from accounts.tokens import api_token_create
from cases.models import Case, Delivery
from drafting.models import Suggestion
from tests.case_states import make_office
from tests.deploy.processes import free_port, private_redis, private_vhost, stop, wait_for

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = [
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="production runs PostgreSQL"),
]

QUESTION = {
    "id": "q-e2e-1",
    "subject": "Renouvellement de carte d'identité",
    "question": "Ma carte d'identité expire le mois prochain, dois-je prendre rendez-vous ?",
    "usager": {"first_name": "Léa", "last_name": "Durand", "email": "lea.durand@example.org"},
}
REPLY = "Bonjour, prenez rendez-vous en mairie avec votre ancienne carte et une photo récente."


def _procfile() -> dict[str, list[str]]:
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    return {
        name.strip(): shlex.split(command)
        for name, command in (line.split(":", 1) for line in lines if line.strip())
    }


def _database_url() -> str:
    """The test database, as the application's role (tests/db_roles.py switched to it)."""
    s = connection.settings_dict
    user = s["USER"]
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Http:
    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"

    def __call__(self, method, path, *, body=None, token=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        # As the TLS-terminating proxy in front of gunicorn would (from a trusted address).
        request.add_header("X-Forwarded-Proto", "https")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read() or b"{}")
        except (urllib.error.URLError, OSError):
            return None, {}, {}


@pytest.fixture(params=["redis", "rabbitmq"])
def production(request, tmp_path):
    """Redis, then gunicorn, both workers and beat, as the Procfile starts them; the broker is
    that Redis or a RabbitMQ virtual host of this test's own (README, "Workers, queues and
    beat": both are supported)."""
    outbox = tmp_path / "mail"
    outbox.mkdir()
    logs = tmp_path / "logs"
    logs.mkdir()
    processes: dict[str, subprocess.Popen] = {}
    files = []
    with contextlib.ExitStack() as stack:
        redis_port, _redis = stack.enter_context(private_redis(tmp_path / "redis"))
        if request.param == "rabbitmq":
            broker_url = stack.enter_context(private_vhost())
        else:
            broker_url = f"redis://127.0.0.1:{redis_port}/0"
        port = free_port()
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "GUICHET_", "DATABASE_", "CELERY_", "EMAIL_"))
        }
        env.update(
            GUICHET_ENV="production",
            DJANGO_SECRET_KEY="e2e-" + "s" * 60,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=_database_url(),
            CELERY_BROKER_URL=broker_url,
            CACHE_URL=f"redis://127.0.0.1:{redis_port}/1",
            EMAIL_URL=f"filemail:///{outbox}",  # four slashes: an absolute path
            GUICHET_VAR_DIR=str(tmp_path / "var"),
            DRAFTING_EMBEDDINGS="",
            PORT=str(port),
            GUNICORN_WORKERS="2",
            GUNICORN_THREADS="2",
            PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        )
        procfile = _procfile()
        commands = {
            "web": procfile["web"],
            "worker": [*procfile["worker"], "-c", "1"],
            "drafting": [*procfile["drafting"], "-c", "1"],
            "beat": [
                *procfile["beat"][: procfile["beat"].index("--schedule")],
                "--schedule",
                str(tmp_path / "beat-schedule"),
            ],
        }
        try:
            for name, command in commands.items():
                files.append((logs / f"{name}.log").open("w"))
                processes[name] = subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=files[-1], stderr=subprocess.STDOUT
                )
            http = Http(port)

            def ready():
                for name, process in processes.items():
                    if process.poll() is not None:
                        log = (logs / f"{name}.log").read_text(errors="replace")[-3000:]
                        raise AssertionError(f"{name} exited {process.returncode}:\n{log}")
                return http("GET", "/readyz")[0] == 200

            wait_for(ready, timeout=180, what="gunicorn's /readyz")
            yield http, outbox, logs, processes
        finally:
            for process in processes.values():
                stop(process)
            for file in files:
                file.close()


def _log(logs: Path, name: str) -> str:
    return (logs / f"{name}.log").read_text(errors="replace")


def test_a_case_comes_in_is_drafted_by_the_worker_and_its_reply_delivered(production):
    http, outbox, logs, processes = production
    office = make_office("Mairie de Villeurbanne", "VILLEURB")
    _, intake_key = api_token_create(
        actor=office.administrator,
        administration=office.administration,
        name="Service-Public",
        scope="intake",
    )
    _, full_key = api_token_create(
        actor=office.administrator,
        administration=office.administration,
        name="Logiciel métier",
        scope="full",
    )

    status, headers, body = http(
        "POST",
        "/api/v1/intake/service-public/",
        body=QUESTION,
        token=intake_key,
        headers={"Idempotency-Key": "e2e-1", "X-Request-ID": "e2e-intake-1"},
    )
    assert status == 201, body
    assert headers["X-Request-ID"] == "e2e-intake-1"
    case = Case.objects.get(reference=body["reference"])

    # The draft: made by a worker process, not by the web request.
    def drafted():
        return Suggestion.objects.filter(case=case, status="ready").first()

    suggestion = wait_for(drafted, timeout=180, what="the worker's draft")
    assert suggestion.text and suggestion.backend == "offline"

    # An agent's reply through the API (the administrator's full token acts as them).
    actor = office.administrator.pk
    status, _, body = http(
        "POST", f"/api/v1/cases/{case.pk}/assign/", body={"assignee": actor}, token=full_key
    )
    assert status == 200, body
    status, _, body = http(
        "POST",
        f"/api/v1/cases/{case.pk}/transition/",
        body={"action": "start", "version": body["version"]},
        token=full_key,
    )
    assert status == 200, body
    status, _, body = http(
        "POST", f"/api/v1/cases/{case.pk}/reply/", body={"body": REPLY}, token=full_key
    )
    assert status == 200 and body["status"] == "answered", body

    # Delivered by the worker, by e-mail to the usager (EMAIL_URL).
    def delivered():
        return Delivery.objects.filter(reply__case=case, status="delivered").first()

    delivery = wait_for(delivered, timeout=180, what="the reply's delivery")
    assert delivery.backend == "email" and delivery.attempts == 1
    mails = [path.read_text(errors="replace") for path in outbox.iterdir()]
    sent = [mail for mail in mails if "lea.durand@example.org" in mail and REPLY in mail]
    assert len(sent) == 1 and case.reference in sent[0]

    # Structured logs: the web's JSON line of the intake request, the workers' task lines.
    web_lines = [json.loads(line) for line in _log(logs, "web").splitlines() if line[:1] == "{"]
    intake = [line for line in web_lines if line.get("request_id") == "e2e-intake-1"]
    assert intake and intake[-1]["status"] == 201
    assert intake[-1]["administration_id"] == office.administration.pk
    worker_lines = [
        json.loads(line)
        for name in ("worker", "drafting")
        for line in _log(logs, name).splitlines()
        if line[:1] == "{"
    ]
    tasks = [line for line in worker_lines if line.get("logger") == "guichet.task"]
    assert {line["state"] for line in tasks} >= {"SUCCESS"}
    assert all(line["queue"] and line["duration_ms"] is not None for line in tasks)
    everything = "".join(_log(logs, name) for name in processes)
    assert "Léa" not in everything and "expire le mois prochain" not in everything
    assert REPLY not in everything

    # Beat runs beside them (its schedule file is written once it started).
    wait_for(lambda: processes["beat"].poll() is None and "beat" in _log(logs, "beat"), timeout=60)
