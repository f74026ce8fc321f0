"""Reading the settings from the environment, and saying clearly what is wrong (README,
"Settings").

``environ.Env`` raises ``ValueError: invalid literal for int() with base 10: 'abc'`` or
``KeyError: 'ENGINE'`` without naming the variable, and every entry point (``manage.py``,
gunicorn, Celery) printed a traceback an IT team had to read upwards. ``SettingsEnv`` names the
variable and what it expects (never a URL's value: it holds a password), and ``settings_or_exit``
turns a wrong setting into one line on standard error and exit status 3.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

# What each URL reader expects, for the message.
URL_EXAMPLES = {
    "db_url": "postgres://user:password@host:5432/guichet",
    "cache_url": "redis://host:6379/1",
    "email_url": "smtp+tls://user:password@host:587",
}
NOTSET = environ.Env.NOTSET
CAST_NAMES = {int: "an integer", float: "a number", bool: "a boolean (1/0, true/false)"}


class SettingsEnv(environ.Env):
    """``environ.Env`` whose errors name the variable at fault (ImproperlyConfigured)."""

    def get_value(
        self, var: str, cast: Any = None, default: Any = NOTSET, parse_default: bool = False
    ) -> Any:
        try:
            return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        except ImproperlyConfigured:
            raise
        except (ValueError, TypeError) as error:
            expected = CAST_NAMES.get(cast, "a valid value")
            value = self.ENVIRON.get(var, "")
            raise ImproperlyConfigured(f"{var} must be {expected}, not {value!r}.") from error

    def db_url(
        self, var: str = environ.Env.DEFAULT_DATABASE_ENV, default: Any = NOTSET, engine: Any = None
    ) -> dict:
        config = self._url(
            var, "db_url", lambda: super(SettingsEnv, self).db_url(var, default, engine)
        )
        # environ answers {} for a URL without a scheme, and takes an unknown one ("postgress")
        # for a backend's dotted path, which Django would refuse at the first query.
        if "." not in str(config.get("ENGINE") or ""):
            raise ImproperlyConfigured(
                f"{var} is not a valid URL (e.g. {URL_EXAMPLES['db_url']}): unknown or missing "
                "scheme."
            )
        return config

    db = db_url

    def cache_url(
        self, var: str = environ.Env.DEFAULT_CACHE_ENV, default: Any = NOTSET, backend: Any = None
    ) -> dict:
        return self._url(
            var, "cache_url", lambda: super(SettingsEnv, self).cache_url(var, default, backend)
        )

    cache = cache_url

    def choice(self, var: str, choices: list[str], default: str) -> str:
        """One of ``choices``, whatever its case (``warning`` is ``WARNING``)."""
        value = self.str(var, default=default)
        for choice in choices:
            if value.lower() == choice.lower():
                return choice
        raise ImproperlyConfigured(f"{var} must be one of {', '.join(choices)}, not {value!r}.")

    def _url(self, var: str, kind: str, read: Any) -> dict:
        try:
            # environ warns "Engine not recognized from url: {...}" with the password in it.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return read()
        except (ImproperlyConfigured, ValueError, KeyError, TypeError) as error:
            raise ImproperlyConfigured(
                f"{var} is not a valid URL (e.g. {URL_EXAMPLES[kind]}): {url_error(error)}"
            ) from error


def url_error(error: BaseException) -> str:
    """What is wrong with a URL, without its value (it may hold a password)."""
    if isinstance(error, KeyError):
        return "unknown or missing scheme."
    text = str(error)
    if "Port could not be cast" in text:
        return "the port is not a number."
    if "schema" in text or "scheme" in text:
        return "unknown or missing scheme."
    return type(error).__name__ + "."


def check_broker_url(url: str) -> None:
    """``CELERY_BROKER_URL`` (or a failover list, ``;``-separated) names transports Celery
    knows: a typo in the scheme ("redis//host", "rabbitmq://") showed only in the workers."""
    from kombu.transport import TRANSPORT_ALIASES

    for broker in url.split(";"):
        scheme = broker.split("://", 1)[0] if "://" in broker else ""
        if scheme not in TRANSPORT_ALIASES:
            raise ImproperlyConfigured(
                "CELERY_BROKER_URL must be a broker URL such as redis://host:6379/0 or "
                "amqp://user:password@host:5672/vhost (RabbitMQ): "
                + (f"{scheme[:20]!r} is not a scheme Celery knows." if scheme else "no scheme.")
            )


# gunicorn's "worker failed to boot": it stops instead of starting new workers that fail alike,
# forever. Any non-zero status would do for manage.py and Celery; config/__init__.py loads the
# Celery app (and so the settings) first, whichever of them is started.
EXIT_STATUS = 3


def settings_or_exit() -> None:
    """Load the settings; a wrong one is one line on standard error and ``EXIT_STATUS``."""
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads config/settings.py
    except ImproperlyConfigured as error:
        sys.stderr.write(
            f"Guichet cannot start, a setting is wrong (ImproperlyConfigured): {error}\n"
        )
        raise SystemExit(EXIT_STATUS) from None


def database_options(database: dict, connect_timeout: int) -> None:
    """The connection options Guichet adds to a database URL's (those the URL gives win).

    SQLite: one writer at a time, so wait for the lock instead of failing at once; WAL lets the
    web process read while the in-process worker writes, and spares a disk sync per commit.
    PostgreSQL: an unreachable host fails after ``connect_timeout`` seconds (libpq's
    ``connect_timeout``), so that ``/readyz`` and the requests answer rather than hang for the
    system's TCP timeout (minutes)."""
    options = database.setdefault("OPTIONS", {})
    if database["ENGINE"] == "django.db.backends.sqlite3":
        options.update(
            {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            }
        )
    elif "postgresql" in database["ENGINE"] and connect_timeout > 0:
        options.setdefault("connect_timeout", connect_timeout)
