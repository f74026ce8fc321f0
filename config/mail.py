"""Settings of e-mail intake: threads, mailboxes, quarantine (cases/intake/, README
"Mailboxes"). ``config/settings.py`` takes them all (``from config.mail import *``)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.environment import URL_EXAMPLES, SettingsEnv, url_error

env = SettingsEnv()


def smtp_config(url: str) -> dict:
    """Django's e-mail settings from ``EMAIL_URL``. Its user and password must be ASCII:
    Python's smtplib encodes the SMTP login as ASCII, so any other character would fail every
    mail at sending time, long after the start; it is refused at the start instead."""
    try:
        config = env.email_url_config(url)
    except (ImproperlyConfigured, ValueError, KeyError, TypeError) as error:
        raise ImproperlyConfigured(
            f"EMAIL_URL is not a valid URL (e.g. {URL_EXAMPLES['email_url']}): {url_error(error)}"
        ) from error
    for name in ("EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"):
        if not str(config.get(name) or "").isascii():
            raise ImproperlyConfigured(
                f"EMAIL_URL: the SMTP {name.rsplit('_', 1)[1].lower()} holds a character "
                "outside ASCII, which Python's smtplib cannot send: choose another one."
            )
    return config


# A usager's mail on a case closed less than this many days ago reopens it; later, it opens a
# follow-up case linked to it.
MAIL_REOPEN_WITHIN_DAYS = env.int("MAIL_REOPEN_WITHIN_DAYS", default=30)
# Messages larger or nested deeper are quarantined, not read.
MAIL_MAX_MESSAGE_BYTES = env.int("MAIL_MAX_MESSAGE_BYTES", default=60 * 1024 * 1024)
MAIL_MAX_MIME_DEPTH = env.int("MAIL_MAX_MIME_DEPTH", default=12)
# Quarantined messages are deleted after this many days (by the nightly retention purge).
MAIL_QUARANTINE_DAYS = env.int("MAIL_QUARANTINE_DAYS", default=90)
# Fernet key (32 url-safe base64 bytes) encrypting the IMAP passwords. Empty: keys derived
# from DJANGO_SECRET_KEY and its fallbacks (cases/intake/imap.py; README "Rotating secrets").
MAILBOX_ENCRYPTION_KEY = env.str("MAILBOX_ENCRYPTION_KEY", default="")
MAILBOX_POLL_SECONDS = env.int("MAILBOX_POLL_SECONDS", default=120)
MAILBOX_TIMEOUT_SECONDS = env.float("MAILBOX_TIMEOUT_SECONDS", default=30.0)
MAILBOX_LEASE_SECONDS = env.int("MAILBOX_LEASE_SECONDS", default=600)
MAILBOX_MAX_MESSAGES_PER_POLL = env.int("MAILBOX_MAX_MESSAGES_PER_POLL", default=500)
# Whether a mailbox may name a server on a loopback, private, link-local or otherwise
# non-public address (or a cloud metadata address), read it without TLS, or use a port other
# than 143 and 993. Off in production: an administrator could otherwise make the poller probe
# the internal network. On in development and test (the tests read a local Dovecot).
INTAKE_MAIL_ALLOW_PRIVATE_HOSTS = env.bool(
    "INTAKE_MAIL_ALLOW_PRIVATE_HOSTS",
    default=env.str("GUICHET_ENV", default="production") in ("development", "test"),
)

__all__ = [
    "INTAKE_MAIL_ALLOW_PRIVATE_HOSTS",
    "MAILBOX_ENCRYPTION_KEY",
    "MAILBOX_LEASE_SECONDS",
    "MAILBOX_MAX_MESSAGES_PER_POLL",
    "MAILBOX_POLL_SECONDS",
    "MAILBOX_TIMEOUT_SECONDS",
    "MAIL_MAX_MESSAGE_BYTES",
    "MAIL_MAX_MIME_DEPTH",
    "MAIL_QUARANTINE_DAYS",
    "MAIL_REOPEN_WITHIN_DAYS",
]
