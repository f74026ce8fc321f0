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

from . import ratelimit
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


class _WindowRate(throttling.SimpleRateThrottle):
    """A limit counted in windows (``accounts.ratelimit``: one cache round trip per request,
    instead of DRF's read and rewrite of a history list). The rate is read from the current
    settings (DRF freezes them at import otherwise); the client is
    ``accounts.client.client_address`` (trusted proxies only), as for every limit."""

    # Not DRF's keys: a deployment's cache still holds DRF's history lists under those.
    cache_format = "ratelimit_%(scope)s_%(ident)s"
    scope: str
    num_requests: int
    duration: int

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_address(request)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        window = ratelimit.hit(self.key, self.duration)
        self.seconds_left = window.remaining
        return window.count <= self.num_requests

    def wait(self):
        # Retry-After: the seconds until the window closes, at least one.
        return max(self.seconds_left, 1.0)


class InvalidTokenThrottle(_WindowRate):
    """Bad bearer keys per client address (rate ``DEFAULT_THROTTLE_RATES["invalid_token"]``).

    Not a view throttle: ``TokenAuthentication`` checks it before looking a key up (one cache
    read) and records each failure; past the rate, every bearer request from the address
    answers 429 until the window closes.
    """

    scope = "invalid_token"

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def check(self, request) -> None:
        if self.rate is None:
            return
        key = self.get_cache_key(request)
        if ratelimit.count(key) >= self.num_requests:
            raise exceptions.Throttled(wait=max(ratelimit.remaining(key, self.duration), 1.0))

    def record(self, request) -> None:
        if self.rate is None:
            return
        if not self.allow_request(request, None):
            raise exceptions.Throttled(wait=self.wait())


class TokenRateThrottle(_WindowRate):
    """Requests per token (rate ``DEFAULT_THROTTLE_RATES["token"]``)."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = request_token(request)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class UserRateThrottle(_WindowRate):
    """Requests per signed-in user through the session (token requests count per token)."""

    scope = "user"

    def get_cache_key(self, request, view):
        if request_token(request) is not None or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonRateThrottle(_WindowRate):
    """Anonymous requests per client address. ``ThrottleAnonymous`` counts them before the
    permission check (which would answer 401 first); a request it counted is not counted
    twice."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

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
