"""Response headers every page carries: the Content-Security-Policy that django-csp writes
(built here from the settings, ``content_security_policy``), and the Permissions-Policy."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


def origin(url: str) -> str:
    """``scheme://host[:port]`` of ``url``; empty when it has no scheme or host."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(
    *, form_targets: Iterable[str] = (), report_uri: str = ""
) -> dict[str, Any]:
    """django-csp's ``CONTENT_SECURITY_POLICY``: scripts and styles from our origin or carrying
    the request's nonce (``{{ request.csp_nonce }}`` in templates); no inline handlers, no eval.

    ``form_targets``: URLs a form may also post to (their origins are allowed), such as the
    ProConnect provider's, where signing out redirects the form. ``report_uri``: where browsers
    report violations (optional)."""
    directives: dict[str, list[Any]] = {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, *sorted({o for o in map(origin, form_targets) if o})],
    }
    if report_uri:
        directives["report-uri"] = [report_uri]
    return {"DIRECTIVES": directives}


# Nothing in Guichet uses a camera, a microphone, the position or payment: every powerful
# feature is off for the page and for any frame.
DEFAULT_PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "sync-xhr": [],
    "usb": [],
    "xr-spatial-tracking": [],
}


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.header = permissions_policy_header(
            getattr(settings, "PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)
        )

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
