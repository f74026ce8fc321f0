"""The database out of reach (restart, failover): the API answers 503 in its error shape with
Retry-After, which channels retry (intake is idempotent), instead of Django's HTML 500 page;
an unexpected error under /api/ answers in the error shape too."""

from __future__ import annotations

import json
import socket

from django.test import RequestFactory

from config.api import server_error_response
from tests.deploy.processes import django_process, free_port


def test_with_the_database_down_the_intake_api_answers_503_in_its_error_shape():
    code = (
        "import django, json; django.setup();"
        "from django.test import Client; c = Client(raise_request_exception=False);"
        "r = c.post('/api/v1/intake/service-public/', data='{}', content_type='application/json',"
        " HTTP_HOST='localhost', HTTP_AUTHORIZATION='Bearer gch_0123456789ab_secret',"
        " HTTP_IDEMPOTENCY_KEY='k1');"
        "print(json.dumps({'status': r.status_code, 'type': r['Content-Type'],"
        " 'retry': r.get('Retry-After'), 'body': r.content.decode()}))"
    )
    # Nobody listens there.
    result = django_process(code, f"postgres://postgres@127.0.0.1:{free_port()}/guichet")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["type"] == "application/json"
    assert int(answer["retry"]) > 0
    body = json.loads(answer["body"])
    assert body["code"] == "service_unavailable" and body["fields"] == {}
    assert "5432" not in answer["body"] and "connection" not in answer["body"].lower()
    assert "Database unavailable: OperationalError" in result.stderr  # logged, in full


def test_an_unexpected_error_under_the_api_answers_in_the_error_shape():
    factory = RequestFactory()
    api = server_error_response(factory.get("/api/v1/cases/"))
    assert api.status_code == 500
    assert json.loads(api.content) == {
        "detail": "Server error.",
        "code": "server_error",
        "fields": {},
    }
    page = server_error_response(factory.get("/dossiers/"))
    assert page.status_code == 500 and not page["Content-Type"].startswith("application/json")


def test_a_database_host_that_never_answers_fails_the_request_in_seconds():
    """A host that takes the connection and says nothing (a network cut, a frozen server): the
    request answers 503 after DATABASE_CONNECT_TIMEOUT, not after the system's TCP timeout."""
    code = (
        "import django, json, os, time; os.environ['DATABASE_CONNECT_TIMEOUT'] = '2';"
        "django.setup(); from django.test import Client;"
        "c = Client(raise_request_exception=False); started = time.monotonic();"
        "r = c.get('/api/v1/cases/', HTTP_HOST='localhost',"
        " HTTP_AUTHORIZATION='Bearer gch_0123456789ab_secret');"
        "print(json.dumps({'status': r.status_code, 'seconds': time.monotonic() - started}))"
    )
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes the handshake; nobody ever reads or answers
        port = silent.getsockname()[1]
        result = django_process(code, f"postgres://postgres@127.0.0.1:{port}/guichet")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    # CONN_MAX_AGE aside, the request may try twice (authentication, then the view).
    assert answer["seconds"] < 12
