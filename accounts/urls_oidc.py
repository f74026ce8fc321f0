"""ProConnect sign-in URLs, always installed; they answer 404 while PROCONNECT_ENABLED is off.

The URL names are the ones mozilla-django-oidc reverses.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from .access import AccessRule
from .oidc import ProviderUnavailable, provider_configuration

logger = logging.getLogger(__name__)


class ProConnectEnabledMixin:
    def dispatch(self, request, *args, **kwargs):
        if not settings.PROCONNECT_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ProConnectAuthenticationRequestView(ProConnectEnabledMixin, OIDCAuthenticationRequestView):
    """Sends the browser to the provider's authorization endpoint."""

    access_rule = AccessRule("public", reason="starts a ProConnect sign-in")

    def get(self, request):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_configuration().authorization_endpoint
        except ProviderUnavailable:
            logger.exception("ProConnect sign-in not started: provider unavailable")
            messages.error(
                request,
                _("ProConnect is unavailable at the moment. Try again later."),
            )
            return redirect("accounts:login")
        return super().get(request)


class ProConnectAuthenticationCallbackView(ProConnectEnabledMixin, OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back; signs in or redirects to the failure URL."""

    access_rule = AccessRule("public", reason="ProConnect's answer, checked by state and nonce")

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            # Unknown state, replayed callback, bad nonce or signature: a refusal, shown as
            # one rather than as a bare 400.
            logger.warning("ProConnect sign-in refused: %s", exc)
            return self.login_failure()


urlpatterns = [
    path(
        "authenticate/",
        ProConnectAuthenticationRequestView.as_view(),
        name="oidc_authentication_init",
    ),
    path(
        "callback/",
        ProConnectAuthenticationCallbackView.as_view(),
        name="oidc_authentication_callback",
    ),
]
