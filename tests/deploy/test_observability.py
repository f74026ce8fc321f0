"""Request ids, structured logs without the usager's text, task metrics (issue 14 item 4)."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import logging.config
import re

import pytest
from django.conf import settings

from config.observability import RequestContextFilter
from tests.case_states import make_office
from tests.cases.test_intake_api import URLS, client_for, post

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Mon voisin Théodule Zgrabczyk m'a volé ma carte vitale numéro 1 85 05 78"


@pytest.fixture
def json_logs():
    """The production formatter (JSON lines) on the root logger, as LOGGING configures it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(
        logging.config.DictConfigurator({}).configure_formatter(
            dict(settings.LOGGING["formatters"]["json"])  # dictConfig pops keys
        )
    )
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_a_request_id_is_made_and_returned(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert client.get("/healthz")["X-Request-ID"] != response["X-Request-ID"]


def test_the_callers_request_id_is_honoured_when_sane(client):
    given = "lb-2026-12-06/abc.123"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    for bad in ("two words", "x" * 200, "<script>"):
        echoed = client.get("/healthz", HTTP_X_REQUEST_ID=bad)["X-Request-ID"]
        assert echoed != bad and re.fullmatch(r"[0-9a-f]{32}", echoed)


def test_logs_are_json_with_request_id_user_and_administration_never_the_text(json_logs):
    office = make_office("Caisse d'allocations familiales du Rhône", "CAF69")
    payload = {
        "id": "q-log-1",
        "subject": "Carte vitale volée",
        "question": SECRET_TEXT,
        "usager": {"first_name": "Théodule", "last_name": "Zgrabczyk", "email": "tz@example.org"},
    }
    client = client_for(office)
    response = post(client, URLS["sp_question"], payload, HTTP_X_REQUEST_ID="req-intake-42")
    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == "req-intake-42"
    # A refused payload too: its error must not echo the text into the logs either.
    refused = post(client, URLS["sp_question"], {**payload, "usager": "x"}, key="k2")
    assert refused.status_code == 400

    lines = _lines(json_logs)
    request_lines = [line for line in lines if line["logger"] == "guichet.request"]
    assert len(request_lines) == 2
    first = request_lines[0]
    assert first["request_id"] == "req-intake-42"
    assert first["status"] == 201 and first["method"] == "POST"
    assert first["route"] == "api/v1/intake/service-public/"
    assert first["user_id"] == office.administrator.pk  # the token's creator
    assert first["administration_id"] == office.administration.pk
    assert {"time", "level", "message", "duration_ms"} <= set(first)
    # An instant anyone can compare: ISO 8601 in UTC, with its offset.
    logged_at = dt.datetime.fromisoformat(first["time"])
    assert logged_at.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - logged_at) < dt.timedelta(minutes=5)
    assert request_lines[1]["status"] == 400
    everything = json_logs.getvalue()
    for secret in ("Zgrabczyk", "Théodule", "carte vitale numéro", "tz@example.org"):
        assert secret not in everything
        assert json.dumps(secret)[1:-1] not in everything  # nor escaped


def test_every_line_of_a_request_carries_its_id(client, json_logs):
    logging.getLogger("guichet.test").info("outside any request")
    client.get("/healthz", HTTP_X_REQUEST_ID="req-7")
    lines = _lines(json_logs)
    assert lines[0]["request_id"] is None
    assert [line["request_id"] for line in lines[1:]] == ["req-7"]


def test_the_log_format_is_json_in_production_and_text_in_tests():
    assert settings.LOG_FORMAT == "text"
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "text"
    assert settings.LOGGING["formatters"]["json"]["()"] == "pythonjsonlogger.json.JsonFormatter"
    assert settings.CELERY_WORKER_HIJACK_ROOT_LOGGER is False


def test_tasks_are_logged_with_queue_duration_and_retries(json_logs, settings):
    """A task run through Celery's signals (eager here; the real worker in test_processes)."""
    from config.celery import app

    @app.task(name="tests.deploy.observed", bind=True, max_retries=2)
    def observed(self, fail_times):
        if self.request.retries < fail_times:
            raise self.retry(exc=ValueError("secret usager text"), countdown=0)
        return "done"

    observed.apply(args=(1,), throw=False)
    task_lines = [line for line in _lines(json_logs) if line["logger"] == "guichet.task"]
    retry = [line for line in task_lines if line["message"] == "task retry"]
    done = [line for line in task_lines if line["message"] == "task" and line["state"] == "SUCCESS"]
    assert retry and retry[0]["reason"] == "ValueError"
    assert retry[0]["task"] == "tests.deploy.observed"
    assert done and done[-1]["retries"] == 1
    assert done[-1]["duration_ms"] >= 0 and "queue" in done[-1]
    assert "secret usager text" not in json_logs.getvalue()
