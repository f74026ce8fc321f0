"""ProConnect with PKCE, and the SIRET claim checked against the administration's, against the
real local provider of tests/accounts/oidc_provider.py."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from accounts.services import administration_create
from tests.accounts.test_oidc import (
    CALLBACK_URL,
    INIT_URL,
    _authorize_at_provider,
    _sign_in,
    _signed_in_user_id,
)
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _agent(siret: str = "", email: str = "agent@example.gouv.fr"):
    n = abs(hash((siret, email))) % 10_000
    administration = administration_create(
        name=f"Caisse {n}", slug=f"caisse-{n}", code=f"CA{n}", kind="national_operator", siret=siret
    )
    return make_member(administration, email=email)


def test_the_authorization_request_carries_an_s256_challenge_the_provider_checks(
    client, proconnect
):
    proconnect.require_pkce = True
    agent = _agent()
    response = _sign_in(client, proconnect)
    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(agent.pk)
    assert proconnect.challenges[-1]  # S256 challenge sent, verifier checked at /token


def test_a_stolen_code_without_the_verifier_is_refused(client, proconnect):
    _agent()
    response = client.get(INIT_URL)
    back = urlsplit(_authorize_at_provider(response["Location"]))
    returned = {key: values[0] for key, values in parse_qs(back.query).items()}
    # The verifier lives in the victim's session: an attacker's session has none for that
    # state, and a session whose verifier was replaced cannot redeem the code either.
    states = client.session["oidc_states"]
    session = client.session
    session["oidc_states"] = {
        state: {**value, "code_verifier": "x" * 64} for state, value in states.items()
    }
    session.save()
    refused = client.get(CALLBACK_URL, returned)
    assert refused.status_code == 302 and "proconnect=refuse" in refused["Location"]
    assert _signed_in_user_id(client) is None


def test_a_siret_claim_matching_the_administration_signs_in(client, proconnect):
    agent = _agent(siret="13002526500013")
    proconnect.identity.siret = "13002526500013"
    _sign_in(client, proconnect)
    assert _signed_in_user_id(client) == str(agent.pk)


def test_a_siret_claim_of_another_organisation_is_refused(client, proconnect):
    _agent(siret="13002526500013")
    proconnect.identity.siret = "21690123100019"
    response = _sign_in(client, proconnect)
    assert "proconnect=refuse" in response["Location"]
    assert _signed_in_user_id(client) is None


def test_an_administration_without_a_siret_accepts_any_claim(client, proconnect):
    agent = _agent(siret="")
    proconnect.identity.siret = "21690123100019"
    _sign_in(client, proconnect)
    assert _signed_in_user_id(client) == str(agent.pk)
