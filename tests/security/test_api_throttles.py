"""API doors: bad bearer keys and anonymous calls are counted per client address before the
permission check answers, and past the rate answered 429 in the API's error shape."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from accounts.tokens import api_token_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/topics/"
INTAKE = "/api/v1/intake/services-publics-plus/"


@pytest.fixture
def tight(settings):
    rates = {"token": "100/min", "user": "100/min", "anon": "3/min", "invalid_token": "4/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def _client(key: str | None = None, address: str = "192.0.2.1", **extra) -> APIClient:
    client = APIClient(REMOTE_ADDR=address, **extra)
    if key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _throttled(response) -> bool:
    if response.status_code != 429:
        return False
    body = json.loads(response.content)
    assert body["code"] == "throttled" and body["fields"] == {} and body["detail"]
    assert int(response["Retry-After"]) > 0
    return True


def test_invalid_tokens_are_throttled_per_address_then_even_a_valid_one(tight, tenant_a):
    _token, key = api_token_create(
        actor=tenant_a.administrator, administration=tenant_a.administration, name="n", scope="read"
    )
    guesser = _client("gch_000000000000_guess")
    statuses = [guesser.get(URL).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 401]
    assert _throttled(guesser.get(URL))
    # From that address, a real key is refused too until the window passes: guessing stops.
    assert _throttled(_client(key).get(URL))
    # Another address is not affected, and a malformed header counts as a failure as well.
    assert _client(key, address="192.0.2.2").get(URL).status_code == 200
    malformed = APIClient(REMOTE_ADDR="192.0.2.3", HTTP_AUTHORIZATION="Bearer a b c")
    assert [malformed.get(URL).status_code for _ in range(4)] == [401] * 4
    assert _throttled(malformed.get(URL))


def test_anonymous_calls_are_throttled_before_the_permission_check(tight, db):
    anonymous = _client()
    assert [anonymous.get(URL).status_code for _ in range(3)] == [401, 401, 401]
    assert _throttled(anonymous.get(URL))
    # The intake endpoints (their own permission list) too.
    other = _client(address="192.0.2.9")
    assert [other.post(INTAKE, {}, format="json").status_code for _ in range(3)] == [401] * 3
    assert _throttled(other.post(INTAKE, {}, format="json"))


def test_invalid_token_calls_on_intake_are_throttled(tight, db):
    guesser = _client("gch_abcdefabcdef_nope")
    assert [guesser.post(INTAKE, {}, format="json").status_code for _ in range(4)] == [401] * 4
    assert _throttled(guesser.post(INTAKE, {}, format="json"))


def test_forwarded_for_counts_only_behind_a_trusted_proxy(tight, settings, db):
    # Spoofed X-Forwarded-For from an untrusted peer: one address, throttled together.
    for n in range(3):
        _client(address="192.0.2.50", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").get(URL)
    assert _throttled(_client(address="192.0.2.50", HTTP_X_FORWARDED_FOR="10.0.0.99").get(URL))
    # Behind the trusted proxy, each forwarded client has its own budget.
    settings.TRUSTED_PROXIES = ["192.0.2.0/24"]
    for n in range(3):
        response = _client(address="192.0.2.50", HTTP_X_FORWARDED_FOR=f"10.0.1.{n}").get(URL)
        assert response.status_code == 401
