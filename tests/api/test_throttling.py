"""Rate limits: per token and per signed-in user, answered 429 with Retry-After."""

from __future__ import annotations

import json

import pytest

from accounts.tokens import api_token_create

from .conftest import session_client, token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/topics/"


@pytest.fixture
def tight(settings):
    rates = {"token": "3/min", "user": "2/min", "anon": "1/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def _token(tenant, name):
    return api_token_create(
        actor=tenant.administrator, administration=tenant.administration, name=name, scope="read"
    )[1]


def assert_throttled(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = json.loads(response.content)
    assert body["code"] == "throttled" and body["fields"] == {}


def test_each_token_has_its_own_budget(tight, tenant_a):
    first, second = token_client(_token(tenant_a, "un")), token_client(_token(tenant_a, "deux"))
    assert [first.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    assert_throttled(first.get(URL))
    assert second.get(URL).status_code == 200


def test_each_user_has_its_own_budget(tight, tenant_a):
    agent, manager = session_client(tenant_a.agent), session_client(tenant_a.manager)
    assert [agent.get(URL).status_code for _ in range(2)] == [200, 200]
    assert_throttled(agent.get(URL))
    assert manager.get(URL).status_code == 200


def test_a_token_does_not_spend_its_creators_session_budget(tight, tenant_a):
    token = token_client(_token(tenant_a, "intégration"))
    for _n in range(3):
        assert token.get(URL).status_code == 200
    administrator = session_client(tenant_a.administrator)
    assert [administrator.get(URL).status_code for _ in range(2)] == [200, 200]
    assert_throttled(administrator.get(URL))


def test_anonymous_requests_are_limited_too(tight, db):
    """Anonymous callers reach only open endpoints (the schema); those are limited per address."""
    from rest_framework.test import APIClient

    client = APIClient()
    accept = {"HTTP_ACCEPT": "application/vnd.oai.openapi+json"}
    assert client.get("/api/schema/", **accept).status_code == 200
    assert_throttled(client.get("/api/schema/", **accept))
    # Counted before the permission check: past the rate, 429 rather than 401.
    assert_throttled(client.get(URL))
