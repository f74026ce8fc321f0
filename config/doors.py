"""Settings of the doors a public service must close: the sign-in lockout (django-axes), the
password-reset limits, the JSON bodies' limits and the antivirus. ``config/settings.py`` takes
them all (``from config.doors import *``), beside the middleware and CSP it sets itself.
README, "Security: limits, proxies, CSP, antivirus"."""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from config.environment import SettingsEnv

env = SettingsEnv()

# --- Sign-in lockout (django-axes): failed sign-ins counted per account and per client address
# (accounts.client); past the limit, sign-in is refused with a French message until the
# cool-off has passed.
AXES_FAILURE_LIMIT = env.int("GUICHET_SIGNIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("GUICHET_SIGNIN_COOLOFF_MINUTES", default=15))
# Two counters, either of which locks (django-axes 8: separate items of the list): an account
# guessed from many addresses is locked everywhere, an address guessing many accounts is locked
# for every account. A nested item, [["username", "ip_address"]], would count the pair only and
# let a botnet try one account, or one address try every account, without end.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success forgets its own account's failures only (accounts.auth_backends
# .forget_account_failures): axes' reset would clear the address's failures on other accounts.
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "accounts.auth_backends.lockout_address"
AXES_USERNAME_CALLABLE = "accounts.auth_backends.lockout_username"
AXES_LOCKOUT_CALLABLE = "accounts.views.auth.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True
# Password-reset requests: per client address and per e-mail typed, per hour.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("GUICHET_PASSWORD_RESET_PER_ADDRESS", default=10)
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("GUICHET_PASSWORD_RESET_PER_EMAIL", default=3)
PASSWORD_RESET_LIMIT_WINDOW_SECONDS = 3600
# JSON bodies: nesting deeper than this is refused (400) before Python's recursion limit.
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)
# JSON bodies of the API, except intake (INTAKE_MAX_BODY_BYTES, for attachments in base64).
API_JSON_MAX_BYTES = env.int("API_JSON_MAX_BYTES", default=1024 * 1024)

# --- Antivirus (issue 13): attachments scanned by ClamAV's daemon (cases/antivirus.py, README
# "Security: limits, proxies, CSP, antivirus"). unix:///run/clamav/clamd.ctl or tcp://host:3310;
# empty, nothing is scanned. Configured but out of reach, files are refused (fail closed).
CLAMAV_URL = env.str("CLAMAV_URL", default="").strip()
CLAMAV_TIMEOUT_SECONDS = env.float("CLAMAV_TIMEOUT_SECONDS", default=30.0)
# The same forms as cases.antivirus.Scanner.from_url (IPv6 literals in brackets too).
_CLAMAV_URL = re.fullmatch(
    r"unix:///\S+|tcp://([\w.\-]+|\[[0-9a-fA-F:.]+\])(?::(\d{1,5}))?/?", CLAMAV_URL
)
if CLAMAV_URL and (not _CLAMAV_URL or not 0 < int(_CLAMAV_URL.group(2) or 3310) <= 65535):
    raise ImproperlyConfigured(
        f"CLAMAV_URL: “{CLAMAV_URL}” is neither unix:///path/to/clamd.sock nor tcp://host:3310."
    )
if not 0 < CLAMAV_TIMEOUT_SECONDS <= 600:
    raise ImproperlyConfigured("CLAMAV_TIMEOUT_SECONDS must lie between 0 and 600 seconds.")

__all__ = [
    "API_JSON_MAX_BYTES",
    "API_JSON_MAX_DEPTH",
    "AXES_CLIENT_IP_CALLABLE",
    "AXES_COOLOFF_TIME",
    "AXES_DISABLE_ACCESS_LOG",
    "AXES_ENABLE_ACCESS_FAILURE_LOG",
    "AXES_FAILURE_LIMIT",
    "AXES_LOCKOUT_CALLABLE",
    "AXES_LOCKOUT_PARAMETERS",
    "AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT",
    "AXES_RESET_ON_SUCCESS",
    "AXES_USERNAME_CALLABLE",
    "AXES_VERBOSE",
    "CLAMAV_TIMEOUT_SECONDS",
    "CLAMAV_URL",
    "PASSWORD_RESET_LIMIT_PER_ADDRESS",
    "PASSWORD_RESET_LIMIT_PER_EMAIL",
    "PASSWORD_RESET_LIMIT_WINDOW_SECONDS",
]
