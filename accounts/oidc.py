"""ProConnect, the State's OpenID Connect sign-in for agents, on top of mozilla-django-oidc.

Switched on by ``PROCONNECT_ENABLED``; while it is off the backend answers None to everything
and the /oidc/ views answer 404. ProConnect only proves who the person is: whether they may
enter Guichet is decided here, by an active membership matching their e-mail address. Users
are never created from a sign-in; a name the provider changes goes through
``user_update_from_proconnect`` (journaled).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db.models import Exists, OuterRef, Q
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import Membership, User
from .services import user_update_from_proconnect

logger = logging.getLogger(__name__)

# The provider's endpoints change rarely; an hour keeps one discovery fetch per process and
# hour while still following a provider that moves its endpoints.
DISCOVERY_CACHE_SECONDS = 60 * 60
_REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")


class ProviderUnavailable(Exception):
    """The discovery document could not be fetched or lacks an endpoint."""


@dataclass(frozen=True)
class ProviderConfiguration:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str = ""


def provider_configuration() -> ProviderConfiguration:
    """The provider's endpoints: from the discovery document when OIDC_OP_DISCOVERY_URL is set
    (fetched with a timeout, cached per URL), otherwise from the individual OIDC_OP_* settings.

    Raises ProviderUnavailable when discovery fails; a failure is not cached.
    """
    url = settings.OIDC_OP_DISCOVERY_URL
    if not url:
        return ProviderConfiguration(
            issuer=getattr(settings, "OIDC_OP_ISSUER", ""),
            authorization_endpoint=settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
            token_endpoint=settings.OIDC_OP_TOKEN_ENDPOINT,
            userinfo_endpoint=settings.OIDC_OP_USER_ENDPOINT,
            jwks_uri=settings.OIDC_OP_JWKS_ENDPOINT,
            end_session_endpoint=settings.OIDC_OP_LOGOUT_ENDPOINT,
        )
    cache_key = "proconnect:discovery:" + hashlib.sha256(url.encode()).hexdigest()
    document = cache.get(cache_key)
    if document is None:
        document = _fetch_discovery_document(url)
        cache.set(cache_key, document, DISCOVERY_CACHE_SECONDS)
    return ProviderConfiguration(
        issuer=document.get("issuer", ""),
        authorization_endpoint=document["authorization_endpoint"],
        token_endpoint=document["token_endpoint"],
        userinfo_endpoint=document["userinfo_endpoint"],
        jwks_uri=document["jwks_uri"],
        end_session_endpoint=document.get("end_session_endpoint", ""),
    )


def _fetch_discovery_document(url: str) -> dict:
    try:
        response = requests.get(
            url,
            timeout=getattr(settings, "OIDC_TIMEOUT", 10),
            verify=getattr(settings, "OIDC_VERIFY_SSL", True),
            proxies=getattr(settings, "OIDC_PROXY", None),
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"OIDC discovery failed at {url}: {exc}") from exc
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"OIDC discovery at {url} did not return an object.")
    missing = [key for key in _REQUIRED_ENDPOINTS if not document.get(key)]
    if missing:
        raise ProviderUnavailable(f"OIDC discovery at {url} lacks {', '.join(missing)}.")
    return document


class ProConnectBackend(OIDCAuthenticationBackend):
    """Signs in an existing, active user with at least one active membership (or an invitation
    that their sign-in accepts)."""

    def authenticate(self, request, **kwargs):
        # Only the callback view calls with a nonce: a password sign-in that happens to carry
        # ?code=&state= in its URL must not start a token exchange.
        if not settings.PROCONNECT_ENABLED or "nonce" not in kwargs:
            return None
        try:
            self.provider = provider_configuration()
        except ProviderUnavailable:
            logger.exception("ProConnect sign-in refused: provider unavailable")
            return None
        # mozilla-django-oidc reads these in __init__, from the individual settings; the
        # backend is instantiated on every request, so discovery happens here, not there.
        self.OIDC_OP_TOKEN_ENDPOINT = self.provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = self.provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = self.provider.jwks_uri
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, jwt.InvalidTokenError) as exc:
            logger.warning("ProConnect sign-in refused: %s", exc)
            return None

    def get_userinfo(self, access_token, id_token, payload):
        claims = super().get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core §5.3.2: the userinfo answer must be about the ID token's subject.
        if payload.get("sub") and claims.get("sub") != payload["sub"]:
            raise SuspiciousOperation("userinfo sub does not match the ID token")
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        # mozilla-django-oidc checks neither audience nor issuer of the ID token.
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token audience is not this client")
        if self.provider.issuer and payload.get("iss") != self.provider.issuer:
            raise SuspiciousOperation("ID token issuer is not the provider")
        return super().get_or_create_user(access_token, id_token, payload)

    def verify_claims(self, claims):
        # ProConnect verifies addresses itself and may omit email_verified; an explicit
        # false is still a refusal.
        return bool(claims.get("email")) and claims.get("email_verified") is not False

    def describe_user_by_claims(self, claims):
        return "e-mail {}".format(claims.get("email"))

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            return User.objects.none()
        # An invitation that brought them here counts: signing in accepts it (accounts.apps).
        memberships = Membership.objects.filter(
            Q(is_active=True) | Q(pending=True, joins_at_sign_in=True), user=OuterRef("pk")
        )
        siret = claims.get("siret")
        if siret:
            # ProConnect names the organisation the person signs in for: only a membership in
            # an administration with that SIRET (or with none recorded) lets them in.
            memberships = memberships.filter(
                Q(administration__siret="") | Q(administration__siret=str(siret).strip())
            )
        return User.objects.filter(Exists(memberships), email__iexact=email, is_active=True)

    def create_user(self, claims):
        # OIDC_CREATE_USER is False; this guards against it being switched on by mistake.
        raise SuspiciousOperation("ProConnect never creates users")

    def update_user(self, user, claims):
        # Through the service: a name ProConnect changes is written to the journal.
        return user_update_from_proconnect(
            user=user,
            first_name=claims.get("given_name") or "",
            last_name=claims.get("usual_name") or claims.get("family_name") or "",
        )

    def get_user(self, user_id):
        # Like ModelBackend, a deactivated user is nobody. Not tied to PROCONNECT_ENABLED:
        # being first in AUTHENTICATION_BACKENDS, this backend also holds sessions opened by
        # login() or force_login() without an explicit backend.
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
