"""API tokens: hashed keys, scopes, revocation, deactivation of the creator, last use."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from accounts import access
from accounts import services as account_services
from accounts.models import ApiToken, AuditEntry, Membership
from accounts.tokens import api_token_create, api_token_revoke, hash_key

pytestmark = pytest.mark.django_db


class Probe(APIView):
    """A bare endpoint with the project's default authentication and permissions."""

    access_rule = access.MEMBER

    def get(self, request):
        return Response(
            {
                "user": request.user.email,
                "administration": access.current_administration(request).pk,
            }
        )

    def post(self, request):
        return Response({"ok": True}, status=201)


class IntakeProbe(Probe):
    required_scope = "intake"


def call(view, method: str, key: str | None = None, header: str | None = None):
    factory = APIRequestFactory()
    kwargs = {}
    if header is not None:
        kwargs["HTTP_AUTHORIZATION"] = header
    elif key is not None:
        kwargs["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    request = getattr(factory, method)("/api/v1/probe/", **kwargs)
    return view.as_view()(request)


def test_key_is_shown_once_and_stored_hashed(tenant_a):
    token, key = api_token_create(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        name="Portail usagers",
        scope="read",
    )
    token.refresh_from_db()
    assert key.startswith(f"gch_{token.prefix}_")
    assert token.key_hash == hash_key(key)
    assert key not in {token.key_hash, token.prefix, token.name}
    assert not ApiToken.objects.filter(key_hash=key).exists()
    entry = AuditEntry.objects.get(administration=tenant_a.administration, action="token.created")
    assert entry.category == AuditEntry.Category.ACCESS
    assert key not in str(entry.data)


def test_only_administrators_create_tokens(tenant_a, tenant_b):
    for actor in (tenant_a.agent, tenant_a.manager, tenant_b.administrator):
        with pytest.raises(PermissionDenied):
            api_token_create(
                actor=actor, administration=tenant_a.administration, name="x", scope="full"
            )
    assert not ApiToken.objects.exists()


def test_bad_name_or_scope_is_refused_with_fields(tenant_a):
    with pytest.raises(ValidationError) as info:
        api_token_create(
            actor=tenant_a.administrator,
            administration=tenant_a.administration,
            name="  ",
            scope="admin",
        )
    assert set(info.value.message_dict) == {"name", "scope"}
    assert not ApiToken.objects.exists()


def test_token_acts_as_its_creator_in_its_administration(tenant_a):
    token, key = api_token_create(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        name="Supervision",
        scope="read",
    )
    assert token.last_used_at is None
    response = call(Probe, "get", key)
    assert response.status_code == 200
    assert response.data == {
        "user": tenant_a.administrator.email,
        "administration": tenant_a.administration.pk,
    }
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer a b", "Bearer nope", "Bearer gch_000000000000_forged", "Bearer gch_"],
)
def test_malformed_or_unknown_keys_get_401(header, tenant_a):
    response = call(Probe, "get", header=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert set(response.data) == {"detail", "code", "fields"}


def test_anonymous_gets_401_with_bearer_challenge(db):
    response = call(Probe, "get")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_right_prefix_wrong_secret_is_refused(tenant_a):
    _token, key = api_token_create(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        name="x",
        scope="full",
    )
    forged = key[:-4] + ("aaaa" if not key.endswith("aaaa") else "bbbb")
    assert call(Probe, "get", forged).status_code == 401


def test_revoked_token_stops_at_once(tenant_a):
    token, key = api_token_create(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        name="x",
        scope="full",
    )
    assert call(Probe, "get", key).status_code == 200
    api_token_revoke(actor=tenant_a.administrator, token=token)
    assert call(Probe, "get", key).status_code == 401
    assert AuditEntry.objects.filter(action="token.revoked").count() == 1
    api_token_revoke(actor=tenant_a.administrator, token=token)  # twice: no second line
    assert AuditEntry.objects.filter(action="token.revoked").count() == 1


def test_deactivated_creator_token_stops_at_once(tenant_a):
    # Two administrators, so that one may be deactivated.
    _token, key = api_token_create(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        name="x",
        scope="full",
    )
    other = account_services.membership_create(
        user=tenant_a.manager, administration=tenant_a.administration, role="administrator"
    )
    assert other.role == "administrator"
    assert call(Probe, "get", key).status_code == 200
    membership = Membership.objects.get(
        user=tenant_a.administrator, administration=tenant_a.administration
    )
    account_services.membership_set_active(
        membership=membership, active=False, actor=tenant_a.manager
    )
    assert call(Probe, "get", key).status_code == 401
    account_services.membership_set_active(
        membership=membership, active=True, actor=tenant_a.manager
    )
    assert call(Probe, "get", key).status_code == 200


def test_deactivated_user_account_token_stops(tenant_a):
    _token, key = api_token_create(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        name="x",
        scope="full",
    )
    tenant_a.administrator.is_active = False
    tenant_a.administrator.save(update_fields=["is_active"])
    assert call(Probe, "get", key).status_code == 401


@pytest.mark.parametrize(
    ("scope", "view", "method", "expected"),
    [
        ("read", Probe, "get", 200),
        ("read", Probe, "post", 403),
        ("read", IntakeProbe, "post", 403),
        ("intake", Probe, "get", 403),
        ("intake", Probe, "post", 403),
        ("intake", IntakeProbe, "post", 201),
        ("full", Probe, "get", 200),
        ("full", Probe, "post", 201),
        ("full", IntakeProbe, "post", 201),
    ],
)
def test_scopes(scope, view, method, expected, tenant_a):
    _, key = api_token_create(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        name=scope,
        scope=scope,
    )
    response = call(view, method, key)
    assert response.status_code == expected
    if expected == 403:
        assert response.data["code"] == "permission_denied"


# --- the administrators' page ------------------------------------------------------------------


def test_token_page_creates_shows_the_key_once_and_revokes(client, tenant_a):
    client.force_login(tenant_a.administrator)
    page = client.get("/compte/jetons/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    # POST/redirect/GET: the key is shown once by the page the creation redirects to.
    response = client.post(
        "/compte/jetons/", {"name": "Portail usagers", "scope": "intake"}, follow=True
    )
    assert response.status_code == 200 and response.redirect_chain[0][1] == 302
    token = ApiToken.objects.get(name="Portail usagers")
    key = response.context["new_key"]
    assert key.startswith(f"gch_{token.prefix}_") and key in response.content.decode()
    assert token.key_hash == hash_key(key) and token.scope == "intake"
    assert "no-store" in response["Cache-Control"]
    again = client.get("/compte/jetons/").content.decode()
    assert key not in again and token.prefix in again
    # Revoking asks first, then revokes on the confirmation.
    response = client.post(f"/compte/jetons/{token.pk}/revocation/", {"confirm": "1"})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert call(Probe, "get", key).status_code == 401


def test_token_page_errors_name_the_fields(client, tenant_a):
    client.force_login(tenant_a.administrator)
    response = client.post("/compte/jetons/", {"name": "", "scope": "root"})
    assert response.status_code == 400
    assert set(response.context["errors"]) == {"name", "scope"}
    assert not ApiToken.objects.exists()


def test_token_page_is_for_administrators_and_tenant_first(client, tenant_a, tenant_b):
    token, _key = api_token_create(
        actor=tenant_b.administrator, administration=tenant_b.administration, name="B", scope="read"
    )
    for user in (tenant_a.agent, tenant_a.manager):
        client.force_login(user)
        assert client.get("/compte/jetons/").status_code == 403
        assert client.post("/compte/jetons/", {"name": "x", "scope": "read"}).status_code == 403
    client.force_login(tenant_a.administrator)
    assert client.post(f"/compte/jetons/{token.pk}/revocation/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1


class Unruled(APIView):
    """An endpoint that forgot to declare its access rule."""

    def get(self, request):
        return Response({"ok": True})


def test_an_endpoint_without_an_access_rule_is_refused(tenant_a):
    """The door fails closed: no rule, no entry, even for a full token of an administrator."""
    _token, key = api_token_create(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        name="CRM",
        scope=ApiToken.Scope.FULL,
    )
    assert call(Unruled, "get", key).status_code == 403
