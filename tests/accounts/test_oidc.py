"""ProConnect sign-in, driven end to end against a real local OpenID Connect provider."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import RequestFactory
from django.urls import reverse

from accounts import services
from accounts.models import AuditEntry, Membership, User
from accounts.oidc import ProConnectBackend
from tests.accounts.oidc_provider import OIDCProvider
from tests.factories import UserFactory, make_administration, make_member

pytestmark = pytest.mark.django_db

INIT_URL = "/oidc/authenticate/"
CALLBACK_URL = "/oidc/callback/"
FAILURE_URL = "/compte/connexion/?proconnect=refuse"


@pytest.fixture
def provider():
    provider = OIDCProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def proconnect(settings, provider):
    settings.PROCONNECT_ENABLED = True
    settings.OIDC_OP_DISCOVERY_URL = provider.discovery_url
    settings.OIDC_RP_CLIENT_ID = provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = provider.client_secret
    # Discovery wins over the individual endpoints: these would fail if they were used.
    for name in (
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
    ):
        setattr(settings, name, "http://127.0.0.1:9/unused")
    return provider


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _authorize_at_provider(authorize_url: str) -> str:
    """What the browser does at the provider: returns the redirect back to Guichet."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(authorize_url, timeout=5)
    assert answer.value.code == 302
    answer.value.close()  # the error holds the open response (a ResourceWarning otherwise)
    return answer.value.headers["Location"]


def _start(client, provider: OIDCProvider) -> dict[str, str]:
    response = client.get(INIT_URL)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.issuer}/authorize"
    params = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert params["client_id"] == provider.client_id
    assert params["redirect_uri"] == "http://testserver" + reverse("oidc_authentication_callback")
    assert params["response_type"] == "code"
    assert "openid" in params["scope"].split()
    assert params["state"] in client.session["oidc_states"]
    assert params["nonce"] == client.session["oidc_states"][params["state"]]["nonce"]
    back = urlsplit(_authorize_at_provider(response["Location"]))
    assert back.path == CALLBACK_URL
    returned = {key: values[0] for key, values in parse_qs(back.query).items()}
    assert returned["state"] == params["state"]
    assert provider.nonces[-1] == params["nonce"]
    return returned


def _sign_in(client, provider: OIDCProvider):
    return client.get(CALLBACK_URL, _start(client, provider))


def _signed_in_user_id(client) -> str | None:
    return client.session.get(SESSION_KEY)


def test_agent_with_active_membership_signs_in_and_names_are_updated(client, proconnect):
    agent = make_member(make_administration(), first_name="Old", last_name="Name")
    proconnect.identity.email = agent.email
    proconnect.identity.given_name = "Dominique"
    proconnect.identity.usual_name = "Lefèvre"

    response = _sign_in(client, proconnect)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert _signed_in_user_id(client) == str(agent.pk)
    agent.refresh_from_db()
    assert (agent.first_name, agent.last_name) == ("Dominique", "Lefèvre")
    assert client.get(reverse("home")).wsgi_request.user == agent
    # The change of name is journaled, by the agent (through ProConnect), where they work.
    entry = AuditEntry.objects.get(action="membership.name_from_proconnect")
    assert entry.administration_id == agent.memberships.get().administration_id
    assert entry.actor_id == agent.pk and entry.target_label == agent.email
    assert entry.data == {
        "before": {"first_name": "Old", "last_name": "Name"},
        "after": {"first_name": "Dominique", "last_name": "Lefèvre"},
    }
    # The whole flow really went through the provider.
    assert proconnect.hits("/token") == 1
    assert proconnect.hits("/userinfo") == 1
    assert proconnect.hits("/jwks") >= 1


def test_email_matches_whatever_its_case(client, proconnect):
    agent = make_member(make_administration(), email="prenom.nom@example.gouv.fr")
    proconnect.identity.email = "Prenom.Nom@Example.GOUV.fr"

    response = _sign_in(client, proconnect)

    assert response["Location"] == reverse("home")
    assert _signed_in_user_id(client) == str(agent.pk)


def test_signed_userinfo_as_proconnect_sends_it_is_accepted(client, proconnect):
    agent = make_member(make_administration())
    proconnect.identity.email = agent.email
    proconnect.userinfo_as_jwt = True

    _sign_in(client, proconnect)

    assert _signed_in_user_id(client) == str(agent.pk)


def test_user_whose_memberships_are_all_deactivated_is_refused(client, proconnect):
    first, second = make_administration(), make_administration()
    agent = make_member(first)
    services.membership_create(user=agent, administration=second, role="agent")
    for membership in Membership.objects.filter(user=agent):
        services.membership_set_active(membership=membership, active=False)
    proconnect.identity.email = agent.email

    response = _sign_in(client, proconnect)

    assert response.status_code == 302
    assert response["Location"] == FAILURE_URL
    assert _signed_in_user_id(client) is None


def test_a_new_address_invited_signs_in_with_proconnect_and_joins(client, proconnect):
    administration = make_administration()
    administrator = make_member(administration, "administrator")
    membership = services.member_invite(
        actor=administrator,
        administration=administration,
        email="invitee@example.gouv.fr",
        role="agent",
        notify=False,
    )
    assert membership.pending
    proconnect.identity.email = "invitee@example.gouv.fr"

    response = _sign_in(client, proconnect)

    assert response["Location"] == reverse("home")
    membership.refresh_from_db()
    assert membership.is_active and not membership.pending
    assert _signed_in_user_id(client) == str(membership.user_id)
    assert client.get(reverse("home")).wsgi_request.user == membership.user


def test_an_invitation_from_another_administration_does_not_open_proconnect(client, proconnect):
    """Someone whose own memberships are all deactivated, invited elsewhere: the invitation
    waits for their acceptance from a session, and gives no sign-in by itself."""
    first, second = make_administration(), make_administration()
    agent = make_member(first)
    services.membership_set_active(membership=Membership.objects.get(user=agent), active=False)
    services.member_invite(
        actor=make_member(second, "administrator"),
        administration=second,
        email=agent.email,
        role="agent",
        notify=False,
    )
    proconnect.identity.email = agent.email

    response = _sign_in(client, proconnect)

    assert response["Location"] == FAILURE_URL
    assert Membership.objects.get(user=agent, administration=second).pending


def test_inactive_user_with_active_membership_is_refused(client, proconnect):
    agent = make_member(make_administration())
    User.objects.filter(pk=agent.pk).update(is_active=False)
    proconnect.identity.email = agent.email

    response = _sign_in(client, proconnect)

    assert response["Location"] == FAILURE_URL
    assert _signed_in_user_id(client) is None


def test_unknown_email_is_refused_and_no_user_is_created(client, proconnect):
    UserFactory(email="sans.adhesion@example.gouv.fr")  # exists, but no membership
    users_before = User.objects.count()
    proconnect.identity.email = "inconnu@example.gouv.fr"

    response = _sign_in(client, proconnect)

    assert response["Location"] == FAILURE_URL
    assert _signed_in_user_id(client) is None
    assert User.objects.count() == users_before
    assert not User.objects.filter(email__iexact="inconnu@example.gouv.fr").exists()


def test_identity_without_email_is_refused(client, proconnect):
    make_member(make_administration())
    proconnect.identity.email = None

    response = _sign_in(client, proconnect)

    assert response["Location"] == FAILURE_URL
    assert _signed_in_user_id(client) is None


def test_id_token_for_another_client_is_refused(client, proconnect):
    agent = make_member(make_administration())
    proconnect.identity.email = agent.email
    proconnect.id_token_audience = "another-client"

    response = _sign_in(client, proconnect)

    assert response["Location"] == FAILURE_URL
    assert _signed_in_user_id(client) is None


def test_tampered_state_is_refused_before_the_code_is_spent(client, proconnect):
    agent = make_member(make_administration())
    proconnect.identity.email = agent.email
    returned = _start(client, proconnect)

    response = client.get(CALLBACK_URL, {**returned, "state": returned["state"] + "x"})

    assert response.status_code == 302
    assert response["Location"] == FAILURE_URL
    assert _signed_in_user_id(client) is None
    assert proconnect.hits("/token") == 0


def test_discovery_document_is_fetched_once(client, proconnect):
    agent = make_member(make_administration())
    proconnect.identity.email = agent.email

    _sign_in(client, proconnect)
    client.logout()
    _sign_in(client, proconnect)

    assert _signed_in_user_id(client) == str(agent.pk)
    assert proconnect.hits("/.well-known/openid-configuration") == 1


def test_when_disabled_the_urls_answer_404_and_the_backend_is_inert(client, settings, provider):
    settings.PROCONNECT_ENABLED = False
    settings.OIDC_OP_DISCOVERY_URL = provider.discovery_url
    agent = make_member(make_administration())
    provider.identity.email = agent.email

    assert client.get(INIT_URL).status_code == 404
    assert client.get(CALLBACK_URL, {"code": "c", "state": "s"}).status_code == 404
    request = RequestFactory().get(CALLBACK_URL, {"code": "c", "state": "s"})
    request.session = client.session
    assert ProConnectBackend().authenticate(request, nonce="n", code_verifier=None) is None
    assert provider.requests == []


def test_login_page_shows_the_proconnect_button_only_when_enabled(client, settings):
    settings.PROCONNECT_ENABLED = False
    page = client.get(reverse("accounts:login")).content.decode()
    assert INIT_URL not in page

    settings.PROCONNECT_ENABLED = True
    page = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{INIT_URL}"' in page


def test_signing_out_after_proconnect_signs_out_of_the_provider_too(client, proconnect):
    agent = make_member(make_administration())
    proconnect.identity.email = agent.email
    _sign_in(client, proconnect)
    id_token = client.session["oidc_id_token"]
    assert id_token

    response = client.post(reverse("accounts:logout"))

    assert _signed_in_user_id(client) is None
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{proconnect.issuer}/logout"
    params = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert params["id_token_hint"] == id_token
    assert params["post_logout_redirect_uri"] == "http://testserver" + reverse("accounts:login")
    assert len(params["state"]) >= 32


def test_signing_out_after_a_password_sign_in_stays_local(client, proconnect):
    agent = make_member(make_administration())
    client.force_login(agent)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert _signed_in_user_id(client) is None


def test_a_name_from_proconnect_is_journaled_in_every_administration_of_the_user():
    first, second, former = make_administration(), make_administration(), make_administration()
    agent = make_member(first, first_name="Old", last_name="Name")
    services.membership_create(user=agent, administration=second, role="agent")
    services.membership_create(user=agent, administration=former, role="agent")
    services.membership_set_active(
        membership=agent.memberships.get(administration=former), active=False
    )

    services.user_update_from_proconnect(user=agent, first_name=" Dominique ", last_name="")

    agent.refresh_from_db()
    assert (agent.first_name, agent.last_name) == ("Dominique", "Name")
    entries = AuditEntry.objects.filter(action="membership.name_from_proconnect")
    assert {e.administration_id for e in entries} == {first.pk, second.pk}


def test_an_unchanged_name_from_proconnect_writes_nothing():
    agent = make_member(make_administration(), first_name="Dominique", last_name="Lefèvre")
    before = AuditEntry.objects.count()
    services.user_update_from_proconnect(user=agent, first_name="Dominique", last_name="Lefèvre")
    assert AuditEntry.objects.count() == before
