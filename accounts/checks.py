"""Checks of the settings that ``manage.py check --deploy`` runs (README, "Settings")."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

LOOPBACK = frozenset(("127.0.0.1", "localhost", "::1", "[::1]", "0.0.0.0"))  # noqa: S104


@register(Tags.security, deploy=True)
def site_url_check(app_configs=None, **kwargs) -> list[CheckMessage]:
    """The links Guichet e-mails (invitations, password resets, surveys) are made on
    ``GUICHET_SITE_URL``: left at its development default, every one of them is dead."""
    site = urlsplit(settings.SITE_URL)
    if site.scheme in ("http", "https") and (site.hostname or "") not in LOOPBACK:
        return []
    return [
        Warning(
            f"GUICHET_SITE_URL is {settings.SITE_URL!r}: the links e-mailed to members and "
            "usagers (invitations, password resets, surveys) would not open.",
            hint="Set GUICHET_SITE_URL to the site's public address, e.g. "
            "https://guichet.example.gouv.fr",
            id="guichet.W001",
        )
    ]
