"""The lockout in front of every sign-in (django-axes), first in AUTHENTICATION_BACKENDS.

Failed sign-ins are counted per account and per client address (``accounts.client``); past
``AXES_FAILURE_LIMIT`` the next attempt is refused, even with the right password, until
``AXES_COOLOFF_TIME`` has passed. ProConnect sign-ins go through the same door: an address that
is locked out cannot sign in with ProConnect either. API tokens are not passwords: they have
their own limit (``accounts.api_auth``).
"""

from __future__ import annotations

from axes.backends import AxesBackend
from django.contrib.auth import get_user_model

from .client import client_address


def lockout_username(request, credentials: dict | None) -> str | None:
    """The account a sign-in counts against: the e-mail as accounts store it, so that
    ``Alice@Example.fr`` and ``alice@example.fr`` share one counter.

    Axes asks twice with differently keyed credentials: when it records a failure (Django's
    ``user_login_failed``: ``username``) and when it checks the lock before authenticating (its
    own: the user model's ``USERNAME_FIELD``, ``email``). Both must name the account, or a lock
    reached from many addresses would never be checked."""
    credentials = credentials or {}
    username = credentials.get("username")
    if username is None:
        username = credentials.get(get_user_model().USERNAME_FIELD)
    if not isinstance(username, str):
        return None
    return username.strip().lower() or None


class LockoutBackend(AxesBackend):
    """Axes' backend, except that a call without a request (a script, a shell) is not a
    sign-in attempt to watch: it is left to the other backends."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_address(request) -> str | None:
    """``client_address`` for axes, which stores it in an address column: None when unknown."""
    address = client_address(request)
    return None if address == "unknown" else address


def forget_account_failures(sender, request, user, **kwargs) -> None:
    """A successful sign-in forgets the failures counted against *that account* only.

    Not axes' ``AXES_RESET_ON_SUCCESS``: with the account and the address counted separately,
    it deletes every failure from the address too, the ones on other accounts included, so
    that someone could guess a colleague's password nine times, sign in to their own account
    from the same place, and start again without ever being locked. The address's count
    expires with the cool-off like any other."""
    from axes.models import AccessAttempt

    username = lockout_username(request, {"username": getattr(user, "email", "")})
    if username:
        AccessAttempt.objects.filter(username=username).delete()
