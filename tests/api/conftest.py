"""Principals of the API tests: sessions of each role, an administrator of another
administration, and a token of each scope."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tokens import api_token_create

PRINCIPALS = (
    "anonymous",
    "agent",
    "manager",
    "administrator",
    "other_administrator",
    "token_read",
    "token_intake",
    "token_full",
)


@dataclass
class Principal:
    name: str
    client: APIClient
    user: object | None
    token: ApiToken | None = None
    key: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def make_principals(tenant_a, tenant_b) -> dict[str, Principal]:
    principals = {
        "anonymous": Principal("anonymous", APIClient(), None),
        "agent": Principal("agent", session_client(tenant_a.agent), tenant_a.agent),
        "manager": Principal("manager", session_client(tenant_a.manager), tenant_a.manager),
        "administrator": Principal(
            "administrator", session_client(tenant_a.administrator), tenant_a.administrator
        ),
        "other_administrator": Principal(
            "other_administrator",
            session_client(tenant_b.administrator),
            tenant_b.administrator,
        ),
    }
    for scope in ApiToken.Scope.values:
        token, key = api_token_create(
            actor=tenant_a.administrator,
            administration=tenant_a.administration,
            name=f"Integration {scope}",
            scope=scope,
        )
        principals[f"token_{scope}"] = Principal(
            f"token_{scope}", token_client(key), tenant_a.administrator, token, key
        )
    return principals


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DRAFTING_BACKEND = "offline"


@pytest.fixture
def principals(tenant_a, tenant_b) -> dict[str, Principal]:
    return make_principals(tenant_a, tenant_b)


@pytest.fixture
def no_throttle(settings):
    rates = {"token": "1000000/min", "user": "1000000/min", "anon": "1000000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    return settings
