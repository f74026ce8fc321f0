"""API tokens created through the API with an optional last day: validated (today to three
years ahead), shown in the lists, and the key refused once the day is over."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from tests.api.conftest import session_client, token_client

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/tokens/"


def test_a_token_created_with_a_last_day_stops_after_it(tenant_a):
    admin = session_client(tenant_a.administrator)
    last_day = timezone.localdate() + dt.timedelta(days=10)
    response = admin.post(
        TOKENS, {"name": "Portail", "scope": "read", "expires_on": last_day.isoformat()}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    token = ApiToken.objects.get(pk=body["id"])
    assert timezone.localtime(token.expires_at).date() == last_day + dt.timedelta(days=1)
    assert body["expires_at"] is not None
    listed = {row["id"]: row for row in admin.get(TOKENS).json()}
    assert listed[token.pk]["expires_at"] == body["expires_at"]
    assert token_client(body["key"]).get("/api/v1/topics/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    refused = token_client(body["key"]).get("/api/v1/topics/")
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_failed"


def test_without_a_last_day_the_token_lives_until_revoked(tenant_a):
    response = session_client(tenant_a.administrator).post(
        TOKENS, {"name": "Portail", "scope": "read"}
    )
    assert response.status_code == 201 and response.json()["expires_at"] is None


@pytest.mark.parametrize(
    "expires_on",
    [
        (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        (timezone.localdate() + dt.timedelta(days=3 * 365 + 1)).isoformat(),
        "0001-01-01",
        "31/02/2027",
    ],
)
def test_a_last_day_in_the_past_too_far_or_not_a_date_is_a_field_error(tenant_a, expires_on):
    response = session_client(tenant_a.administrator).post(
        TOKENS, {"name": "Portail", "scope": "read", "expires_on": expires_on}
    )
    assert response.status_code == 400, response.content
    assert set(response.json()["fields"]) == {"expires_on"}
    assert not ApiToken.objects.exists()
