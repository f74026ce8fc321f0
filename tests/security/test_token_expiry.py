"""API tokens with an optional expiry: chosen on the tokens page, shown there, refused after."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import api_token_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/topics/"


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def test_a_token_works_until_its_last_day_then_is_refused(tenant_a):
    today = timezone.localdate()
    token, key = api_token_create(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        name="Portail",
        scope="read",
        expires_on=today,
    )
    assert token.expires_at == timezone.make_aware(
        dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min)
    )
    assert _api(key).get(URL).status_code == 200
    # The day is over.
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    refused = _api(key).get(URL)
    assert refused.status_code == 401
    assert refused.json()["code"] == "authentication_failed"


def test_without_an_expiry_a_token_lives_until_revoked(tenant_a):
    token, key = api_token_create(
        actor=tenant_a.administrator, administration=tenant_a.administration, name="n", scope="read"
    )
    assert token.expires_at is None and _api(key).get(URL).status_code == 200


@pytest.mark.parametrize("days", [-1, 3 * 365 + 1])
def test_an_expiry_in_the_past_or_too_far_is_a_field_error(tenant_a, days):
    with pytest.raises(ValidationError) as caught:
        api_token_create(
            actor=tenant_a.administrator,
            administration=tenant_a.administration,
            name="n",
            scope="read",
            expires_on=timezone.localdate() + dt.timedelta(days=days),
        )
    assert "expires_on" in caught.value.message_dict
    assert not ApiToken.objects.exists()


def test_the_tokens_page_sets_and_shows_the_expiry(tenant_a):
    client = Client()
    client.force_login(tenant_a.administrator)
    last_day = timezone.localdate() + dt.timedelta(days=30)
    response = client.post(
        "/compte/jetons/",
        {"name": "Portail", "scope": "read", "expires_on": last_day.isoformat()},
    )
    assert response.status_code == 302  # POST/redirect/GET
    token = ApiToken.objects.get()
    assert timezone.localtime(token.expires_at).date() == last_day + dt.timedelta(days=1)
    page = client.get("/compte/jetons/").content.decode()
    assert "Expire le" in page
    assert 'name="expires_on"' in page
    # A bad date is a field error on the page, nothing created.
    bad = client.post("/compte/jetons/", {"name": "X", "scope": "read", "expires_on": "31/02"})
    assert bad.status_code == 400 and 'id="token-expires-on-error"' in bad.content.decode()
    past = client.post(
        "/compte/jetons/", {"name": "Y", "scope": "read", "expires_on": "2001-01-01"}
    )
    assert past.status_code == 400 and "Choisissez un jour entre" in past.content.decode()
    assert ApiToken.objects.count() == 1
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert "Expiré le" in client.get("/compte/jetons/").content.decode()
