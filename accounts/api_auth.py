"""API authentication by token, scopes, per-token and per-user rate limits.

``TokenAuthentication`` reads ``Authorization: Bearer <key>``; a valid key makes
``request.user`` the token's creator and ``request.auth`` the ``ApiToken``. Everything the
API does afterwards happens inside ``accounts.access.current_administration(request)``: the
token's administration for token requests, the session's current administration otherwise.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.settings import api_settings

from .models import ApiToken
from .tokens import api_token_authenticate, api_token_touch


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header.")) from exc
        token = api_token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, revoked or inactive token."))
        api_token_touch(token)
        return token.created_by, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to unauthenticated requests.
        return f'{self.keyword} realm="api"'


def request_token(request) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


class TokenScope(permissions.BasePermission):
    """What a token's scope allows; session requests pass (their role is checked elsewhere).

    A view may set ``required_scope``: "intake" (intake and full tokens) or "full" (full
    tokens only). Without it, "read" tokens may use safe methods, "full" tokens everything,
    and "intake" tokens nothing.
    """

    message = _("This token's scope does not allow this request.")

    def has_permission(self, request, view) -> bool:
        token = request_token(request)
        if token is None:
            return True
        required = getattr(view, "required_scope", None)
        scope = token.scope
        if scope == ApiToken.Scope.FULL:
            return True
        if required == ApiToken.Scope.INTAKE:
            return scope == ApiToken.Scope.INTAKE
        if required == ApiToken.Scope.FULL:
            return False
        return scope == ApiToken.Scope.READ and request.method in permissions.SAFE_METHODS


class _SettingsRate:
    """Read the rate from the current settings (DRF freezes them at import otherwise)."""

    scope: str

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class TokenRateThrottle(_SettingsRate, throttling.SimpleRateThrottle):
    """Requests per token (rate ``DEFAULT_THROTTLE_RATES["token"]``)."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = request_token(request)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class UserRateThrottle(_SettingsRate, throttling.SimpleRateThrottle):
    """Requests per signed-in user through the session (token requests count per token)."""

    scope = "user"

    def get_cache_key(self, request, view):
        if request_token(request) is not None or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonRateThrottle(_SettingsRate, throttling.AnonRateThrottle):
    scope = "anon"
