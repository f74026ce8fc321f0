"""Production settings: the documented minimum passes `check --deploy`, e-mail from one URL,
the demo refuses production, migrations as the owner (issue 14 item 5, issue 13 item 2)."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from devtools.management.commands import seed_demo

ROOT = Path(__file__).resolve().parents[2]


def _clean_environment() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "GUICHET_", "DATABASE_", "EMAIL_", "SENTRY_", "CELERY_"))
    }


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        args,
        cwd=ROOT,
        env={**_clean_environment(), **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _settings_in(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings;"
        f"names = {list(names)!r};"
        "print(json.dumps({n: getattr(settings, n, None) for n in names}, default=str))"
    )
    result = _run([sys.executable, "-c", code], DJANGO_SETTINGS_MODULE="config.settings", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def minimum_production_environment() -> dict[str, str]:
    """The uncommented lines of .env.example, with the secrets an operator generates."""
    env = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            env[match[1]] = match[2] or secrets.token_urlsafe(50)
    return env


# The minimum of .env.example leaves HSTS and the HTTPS redirect to their production defaults.
def test_deploy_check_is_clean_with_the_documented_minimum():
    env = minimum_production_environment()
    assert env["GUICHET_ENV"] == "production"
    result = _run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_smtp_password_smtplib_cannot_send_is_refused_at_the_start():
    # "Épée-2026" URL-encoded: smtplib would raise UnicodeEncodeError at each mail sent.
    url = "smtp+tls://guichet:%C3%89p%C3%A9e-2026@smtp.example.gouv.fr:587"
    code = "import django; django.setup()"
    result = _run(
        [sys.executable, "-c", code],
        DJANGO_SETTINGS_MODULE="config.settings",
        GUICHET_ENV="test",
        EMAIL_URL=url,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SMTP password" in result.stderr
    assert "outside ASCII" in result.stderr and "Épée" not in result.stderr  # never echoed


def test_email_comes_from_one_url():
    url = "smtp+tls://guichet%40example.gouv.fr:p%40ss%3Aword@smtp.example.gouv.fr:587"
    values = _settings_in(
        {"GUICHET_ENV": "test", "EMAIL_URL": url},
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
        "EMAIL_USE_SSL",
    )
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.gouv.fr",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "guichet@example.gouv.fr",
        "EMAIL_HOST_PASSWORD": "p@ss:word",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }
    implicit = _settings_in(
        {"GUICHET_ENV": "test", "EMAIL_URL": "smtp+ssl://u:p@smtp.example.gouv.fr:465"},
        "EMAIL_USE_SSL",
        "EMAIL_USE_TLS",
        "EMAIL_PORT",
    )
    assert implicit == {"EMAIL_USE_SSL": True, "EMAIL_USE_TLS": False, "EMAIL_PORT": 465}


def test_without_email_url_the_backend_setting_still_works():
    values = _settings_in(
        {
            "GUICHET_ENV": "test",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        },
        "EMAIL_BACKEND",
    )
    assert values == {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}


def test_the_settings_give_every_command_the_application_role():
    """The owner's URL is the migrate command's business (accounts/management/commands/
    migrate.py, run for real by tests/deploy/test_db_roles.py), whatever sys.argv says."""
    env = {
        "GUICHET_ENV": "test",
        "DATABASE_URL": "postgres://guichet_app:a@db.example:5432/guichet",
        "DATABASE_MIGRATE_URL": "postgres://guichet_owner:o@db.example:5432/guichet",
    }
    code = (
        "import sys; sys.argv = ['manage.py', '{}']; import django; django.setup();"
        "from django.conf import settings; print(settings.DATABASES['default']['USER'],"
        " settings.DATABASE_MIGRATE_URL.split(':')[1])"
    )
    users = {}
    for command in ("migrate", "runserver", "shell"):
        result = _run(
            [sys.executable, "-c", code.format(command)],
            DJANGO_SETTINGS_MODULE="config.settings",
            **env,
        )
        assert result.returncode == 0, result.stderr
        users[command] = result.stdout.strip().splitlines()[-1]
    assert set(users.values()) == {"guichet_app //guichet_owner"}


def test_sentry_is_off_without_a_dsn_and_sends_no_personal_data():
    from config.observability import sentry_init

    assert sentry_init("", environment="test", release="", traces_sample_rate=0) is False
    values = _settings_in(
        {"GUICHET_ENV": "test", "SENTRY_DSN": "https://public@sentry.invalid/1"},
        "SENTRY_DSN",
    )
    assert values["SENTRY_DSN"] == "https://public@sentry.invalid/1"
    code = (
        "import django; django.setup(); import sentry_sdk, json;"
        "o = sentry_sdk.get_client().options;"
        "print(json.dumps([o['send_default_pii'], o['max_request_body_size'], o['environment']]))"
    )
    result = _run(
        [sys.executable, "-c", code],
        DJANGO_SETTINGS_MODULE="config.settings",
        GUICHET_ENV="test",
        SENTRY_DSN="https://public@sentry.invalid/1",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [False, "never", "test"]


# --- seed_demo ----------------------------------------------------------------------------------


def test_seed_demo_refuses_production_before_touching_the_database():
    result = _run(
        [sys.executable, "manage.py", "seed_demo"],
        GUICHET_ENV="production",
        GUICHET_DEVTOOLS="1",
        DJANGO_SECRET_KEY="x" * 50,
        # Nothing listens there: a refusal that connected first would say so instead.
        DATABASE_URL="postgres://postgres@127.0.0.1:9/none",
        CELERY_BROKER_URL="redis://127.0.0.1:9/0",
    )
    assert result.returncode != 0
    assert "seed_demo refuses to run with GUICHET_ENV=production" in result.stderr
    assert "--force" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_seed_demo_refuses_then_forced_uses_a_generated_password(settings, monkeypatch):
    settings.GUICHET_ENV = "staging"
    with pytest.raises(CommandError, match="refuses"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()

    monkeypatch.setattr(seed_demo, "CASES_PER_ADMINISTRATION", 1)
    monkeypatch.setattr(seed_demo, "CASES_OF_EXPERIMENT", 2)
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    printed = re.search(r"password for all: (\S+)\)", out.getvalue())
    assert printed and printed[1] != seed_demo.DEMO_PASSWORD and len(printed[1]) >= 20
    national = User.objects.get(email="national@demo.guichet.fr")
    assert national.check_password(printed[1])
    assert not national.check_password(seed_demo.DEMO_PASSWORD)
    assert seed_demo.DEMO_PASSWORD not in out.getvalue()

    again = StringIO()
    call_command("seed_demo", "--force", stdout=again)
    assert printed[1] not in again.getvalue()
    assert "printed when these accounts were created" in again.getvalue()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "guichet-db.example"),  # no scheme
        ("DATABASE_URL", "postgres://guichet_app:s3cret-pw@db.example:54x2/guichet"),
        ("DATABASE_MIGRATE_URL", "postgress://guichet_owner:s3cret-pw@db.example/guichet"),
        ("DATABASE_CONN_MAX_AGE", "1min"),
        ("CACHE_URL", "redis//:s3cret-pw@cache.example:6379/1"),
        ("CELERY_BROKER_URL", "rabbitmq://guichet:s3cret-pw@mq.example:5672/guichet"),
        ("CELERY_BROKER_URL", "redis//:s3cret-pw@mq.example:6379/0"),
        ("EMAIL_URL", "smtp+tls://guichet:s3cret-pw@smtp.example:58x"),
        ("DJANGO_LOG_LEVEL", "VERBOSE"),
        ("DJANGO_LOG_FORMAT", "yaml"),
        ("DRAFTING_OPENAI_TIMEOUT", "thirty"),
        ("DJANGO_SECURE_HSTS_SECONDS", "1y"),
    ],
)
def test_a_wrong_setting_is_one_line_naming_it_never_a_traceback(name, value):
    """An IT team reads the last line: it names the setting and what it expects, and never
    echoes a URL (it holds a password)."""
    env = {**minimum_production_environment(), name: value}
    result = _run([sys.executable, "manage.py", "check"], **env)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Guichet cannot start, a setting is wrong"), result.stderr
    assert name in lines[-1]
    assert "s3cret-pw" not in result.stderr + result.stdout


@pytest.mark.parametrize("program", ["gunicorn", "celery"])
def test_gunicorn_and_celery_stop_on_a_wrong_setting_with_one_line(program):
    """gunicorn used to start new workers failing alike, forever, each with a traceback."""
    env = {**minimum_production_environment(), "CACHE_URL": "memcache//cache.example"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    command = {
        "gunicorn": ["gunicorn", "config.wsgi", "--bind", "127.0.0.1:0"],
        "celery": ["celery", "-A", "config", "worker", "-Q", "celery"],
    }[program]
    result = _run([str(Path(sys.executable).parent / command[0]), *command[1:]], **env)
    # Stopped (not restarting workers until the timeout), with the line naming the setting and
    # without the settings' traceback. gunicorn halts with status 3 ("Worker failed to boot");
    # when several workers fail at once, its arbiter may raise its own HaltServer again while
    # halting (status 1, a traceback of gunicorn's, after our line).
    assert result.returncode in (1, 3) if program == "gunicorn" else result.returncode == 3
    assert "CACHE_URL is not a valid URL" in result.stderr
    assert "config/settings.py" not in result.stderr, result.stderr[-2000:]
    if program == "celery":
        assert "Traceback" not in result.stderr
    else:
        assert "Worker failed to boot" in result.stderr
