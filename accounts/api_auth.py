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

from .client import client_address
from .models import ApiToken
from .tokens import api_token_authenticate, api_token_touch


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        # An address that sent too many bad keys is refused before its key is even looked at,
        # so that guessing cannot go on at the rate of the network.
        failures = InvalidTokenThrottle()
        failures.check(request)
        if len(header) != 2:
            failures.record(request)
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            failures.record(request)
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header.")) from exc
        token = api_token_authenticate(key)
        if token is None:
            failures.record(request)
            raise exceptions.AuthenticationFailed(_("Invalid, revoked, expired or inactive token."))
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
    """Read the rate from the current settings (DRF freezes them at import otherwise); the
    client is ``accounts.client.client_address`` (trusted proxies only), as for every limit."""

    scope: str

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_address(request)


class InvalidTokenThrottle(_SettingsRate, throttling.SimpleRateThrottle):
    """Bad bearer keys per client address (rate ``DEFAULT_THROTTLE_RATES["invalid_token"]``).

    Not a view throttle: ``TokenAuthentication`` checks it before looking a key up and records
    each failure; past the rate, every bearer request from the address answers 429.
    """

    scope = "invalid_token"
    num_requests: int
    duration: int

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _history(self, request) -> list[float]:
        self.key = self.get_cache_key(request)
        self.now = self.timer()
        history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        self.history = history
        return history

    def check(self, request) -> None:
        if self.rate is None:
            return
        if len(self._history(request)) >= self.num_requests:
            raise exceptions.Throttled(wait=self.wait())

    def record(self, request) -> None:
        if self.rate is None:
            return
        history = self._history(request)
        history.insert(0, self.now)
        self.cache.set(self.key, history, self.duration)
        if len(history) > self.num_requests:
            raise exceptions.Throttled(wait=self.wait())


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
    """Anonymous requests per client address. ``ThrottleAnonymous`` counts them before the
    permission check (which would answer 401 first); a request it counted is not counted
    twice."""

    scope = "anon"

    def allow_request(self, request, view):
        if getattr(request, "_anon_throttled", False):
            return True
        return super().allow_request(request, view)


class ThrottleAnonymous(permissions.BasePermission):
    """First of the default permission classes: an anonymous call counts against the
    anonymous rate even though the next class refuses it, and past the rate answers 429."""

    def has_permission(self, request, view) -> bool:
        if request.user.is_authenticated:
            return True
        throttle = AnonRateThrottle()
        if not throttle.allow_request(request, view):
            raise exceptions.Throttled(wait=throttle.wait())
        request._anon_throttled = True
        return True
