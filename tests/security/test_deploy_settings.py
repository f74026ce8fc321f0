"""Production is safe by default: HTTPS redirect, HSTS, secure cookies, `check --deploy` clean
with only the documented minimum settings (README, "Security: limits, proxies, CSP,
antivirus")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MINIMUM = {
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-key-with-enough-entropy-1234567890",
    "DJANGO_ALLOWED_HOSTS": "guichet.example.gouv.fr",
    "GUICHET_SITE_URL": "https://guichet.example.gouv.fr",
}
PRINT = (
    "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k) "
    "for k in ('SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE', 'SECURE_PROXY_SSL_HEADER', 'TRUSTED_PROXIES')}))"
)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUICHET_"))}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **clean,
            "GUICHET_VAR_DIR": str(Path(tempfile.gettempdir()) / "guichet-deploy-check"),
            # Production refuses to start without a real broker (nothing need listen here).
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings(**env: str) -> dict:
    result = _manage("shell", "-c", PRINT, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_the_minimum_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **MINIMUM)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_redirects_to_https_and_sends_hsts_by_default():
    values = _settings(**MINIMUM)
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    # No proxy trusted: X-Forwarded-Proto is nobody's to believe.
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_behind_a_trusted_proxy_its_https_header_is_believed():
    values = _settings(**MINIMUM, GUICHET_TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.1")
    assert values["TRUSTED_PROXIES"] == ["10.0.0.0/8", "192.0.2.1"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_development_does_not_redirect_nor_send_hsts():
    values = _settings(GUICHET_ENV="development", DJANGO_DEBUG="1")
    assert values["SECURE_SSL_REDIRECT"] is False and values["SECURE_HSTS_SECONDS"] == 0


def test_a_bad_trusted_proxy_stops_the_start_with_its_name():
    result = _manage("check", **MINIMUM, GUICHET_TRUSTED_PROXIES="10.0.0.0/8,proxy.example")
    assert result.returncode != 0 and "proxy.example" in result.stderr


def test_check_deploy_warns_when_the_site_url_is_left_at_its_default():
    minimum = {k: v for k, v in MINIMUM.items() if k != "GUICHET_SITE_URL"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **minimum)
    assert result.returncode != 0
    assert "guichet.W001" in result.stderr and "GUICHET_SITE_URL" in result.stderr
