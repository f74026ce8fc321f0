"""A stolen API key must not outlive its revocation.

The runbook's remedy for a leaked key is to revoke it. A key of scope ``full`` could create
other keys (``POST /api/v1/tokens/``), which the revocation leaves working: whoever held the
stolen key kept the administrator's access. Tokens are created from a signed-in session only.
"""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import api_token_create

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/tokens/"


def _bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_full_token_cannot_create_another_token(tenant_a):
    stolen, key = api_token_create(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        name="CRM",
        scope="full",
    )
    with translation.override("en"):
        response = _bearer(key).post(TOKENS, {"name": "CRM", "scope": "full"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "session_required"
    assert "session connectée" in response.json()["detail"]
    assert list(ApiToken.objects.values_list("pk", flat=True)) == [stolen.pk]
    # What the token may still do: read the list and revoke (itself included).
    assert _bearer(key).get(TOKENS).status_code == 200
    assert _bearer(key).post(f"{TOKENS}{stolen.pk}/revoke/").status_code == 200
    assert _bearer(key).get(TOKENS).status_code == 401


def test_the_administrator_signed_in_still_creates_tokens(tenant_a):
    client = APIClient()
    client.force_login(tenant_a.administrator)
    response = client.post(TOKENS, {"name": "CRM", "scope": "full"}, format="json")
    assert response.status_code == 201 and response.json()["key"]
