from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from .models import Administration
from .permissions import (
    administration_perms_column,
    quoted_column,
    remember_administration_perms,
)
from .selectors import administrations_of

SESSION_KEY = "current_administration_id"


def resolve_current_administration(request: HttpRequest):
    """The administration the signed-in user works in now, checked against their memberships.

    It comes from the session, never from a request field; a stale or foreign id in the
    session falls back to the user's first administration.
    """
    user = request.user
    if not user.is_authenticated:
        return None
    allowed = administrations_of(user)
    # The user's permissions there come with the row (one round trip less per request).
    perms = administration_perms_column(
        user=user.pk, administration=quoted_column(Administration, "id")
    )
    if perms is not None:
        allowed = allowed.annotate(held_perms=perms)
    chosen_id = request.session.get(SESSION_KEY)
    administration = allowed.filter(pk=chosen_id).first() if chosen_id else None
    if administration is None:
        administration = allowed.first()
        if administration is not None:
            request.session[SESSION_KEY] = administration.pk
    if administration is not None and perms is not None:
        remember_administration_perms(
            user, administration.pk, getattr(administration, "held_perms", None)
        )
    return administration


class CurrentAdministrationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_superuser:
            administration = resolve_current_administration(request)
            if administration is None and user.memberships.exists():
                # Deactivated everywhere: the session ends at its next request, not at expiry.
                logout(request)
            request.administration = administration  # type: ignore[attr-defined]
        else:
            request.administration = SimpleLazyObject(  # type: ignore[attr-defined]
                lambda: resolve_current_administration(request)
            )
        return self.get_response(request)


class SessionIdleMiddleware:
    """A session ends ``SESSION_COOKIE_AGE`` after its member's last use of Guichet, not after
    signing in: each use moves its end (at most every ``TOUCH_SECONDS``, one write of the
    session then). A case page left open on a shared counter computer is not a use: its
    presence, polled every 30 s, keeps nobody signed in."""

    TOUCH_SECONDS = 300
    # Polled by an open page, not asked by a person: a case's presence, a pending draft.
    PASSIVE = frozenset({"cases:presence", "drafting:panel"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return response  # no session to keep (an API token, a first visit): none is read
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in self.PASSIVE:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if now - int(request.session.get("_used_at", 0)) >= self.TOUCH_SECONDS:
                request.session["_used_at"] = now
        return response
