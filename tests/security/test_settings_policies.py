"""The Content-Security-Policy and LOGGING settings, as config/security.py and
config/observability.py build them for config/settings.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from csp.constants import NONCE, NONE, SELF

from config.observability import logging_config
from config.security import content_security_policy, origin

ROOT = Path(__file__).resolve().parents[2]


def test_the_policy_of_the_test_settings(settings):
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["default-src"] == [SELF]
    assert directives["script-src"] == [SELF, NONCE]
    assert directives["style-src"] == [SELF, NONCE]
    assert directives["object-src"] == [NONE]
    assert directives["frame-ancestors"] == [NONE]
    # ProConnect is off under tests: forms post to our origin only; no report endpoint.
    assert directives["form-action"] == [SELF]
    assert "report-uri" not in directives


def test_form_targets_add_their_origins_once_and_sorted():
    policy = content_security_policy(
        form_targets=[
            "https://idp.example/.well-known/openid-configuration",
            "https://auth.example:8443/logout?x=1",
            "https://idp.example/authorize",
            "",  # an endpoint left unset
            "not a url",
        ],
        report_uri="https://reports.example/csp",
    )
    directives = policy["DIRECTIVES"]
    assert directives["form-action"] == [SELF, "https://auth.example:8443", "https://idp.example"]
    assert directives["report-uri"] == ["https://reports.example/csp"]
    assert origin("https://idp.example/a/b?c") == "https://idp.example"
    assert origin("/relative/path") == ""


def test_the_logging_of_the_test_settings(settings):
    logging = settings.LOGGING
    assert logging["handlers"]["console"]["formatter"] == "text"
    assert logging["handlers"]["console"]["filters"] == ["context"]
    assert logging["filters"]["context"]["()"] == "config.observability.RequestContextFilter"
    assert logging["loggers"]["axes"] == {"level": "WARNING"}
    assert logging["loggers"]["guichet.task"] == {"level": "INFO"}
    assert logging["root"]["handlers"] == ["console"]


def test_development_quiets_the_task_lines_and_json_switches_the_formatter():
    quiet = logging_config(log_format="json", level="DEBUG", quiet_tasks=True)
    assert quiet["handlers"]["console"]["formatter"] == "json"
    assert quiet["root"]["level"] == "DEBUG"
    assert quiet["loggers"]["guichet.task"] == {"level": "WARNING"}
    assert quiet["formatters"]["json"]["()"] == "pythonjsonlogger.json.JsonFormatter"


def test_settings_wire_proconnect_the_report_uri_and_the_log_format_from_the_environment(
    tmp_path,
):
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "d = s.CONTENT_SECURITY_POLICY['DIRECTIVES']; "
        "print(json.dumps({'form': [str(x) for x in d['form-action']], "
        "'report': d.get('report-uri'), 'formatter': s.LOGGING['handlers']['console']"
        "['formatter'], 'level': s.LOGGING['root']['level'], "
        "'task': s.LOGGING['loggers']['guichet.task']['level']}))"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "test-only-secret-key",
        "GUICHET_ENV": "development",
        "GUICHET_VAR_DIR": str(tmp_path),
        "PROCONNECT_ENABLED": "1",
        "PROCONNECT_DISCOVERY_URL": "https://idp.example/.well-known/openid-configuration",
        "PROCONNECT_LOGOUT_ENDPOINT": "https://logout.example/session/end",
        "GUICHET_CSP_REPORT_URI": "https://reports.example/csp",
        "DJANGO_LOG_FORMAT": "json",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "form": ["'self'", "https://idp.example", "https://logout.example"],
        "report": ["https://reports.example/csp"],
        "formatter": "json",
        "level": "WARNING",
        "task": "WARNING",
    }
