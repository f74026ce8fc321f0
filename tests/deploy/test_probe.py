"""deploy/probe.py, the containers' health check, against a real HTTP server of the site."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True)


def _probe(live_server, path: str, allowed_hosts: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PORT": str(urlsplit(live_server.url).port),
        "DJANGO_ALLOWED_HOSTS": allowed_hosts,
    }
    return subprocess.run(
        [sys.executable, "deploy/probe.py", path],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "allowed_hosts",
    [
        "guichet.example.gouv.fr,localhost",
        ".example.gouv.fr",  # the domain and its subdomains
        # Any host: behind a proxy that checks the name itself. The probe used to send
        # "Host: *", which Django refuses (400): every container was unhealthy for good.
        "*",
        " * , guichet.example.gouv.fr",
    ],
)
def test_the_probe_passes_with_any_form_of_allowed_hosts(live_server, settings, allowed_hosts):
    settings.ALLOWED_HOSTS = [host.strip() for host in allowed_hosts.split(",")]
    result = _probe(live_server, "/healthz", allowed_hosts)
    assert result.returncode == 0, result.stderr


def test_the_probe_fails_on_an_error_status(live_server, settings):
    settings.ALLOWED_HOSTS = ["guichet.example.gouv.fr"]
    result = _probe(live_server, "/no-such-page", "guichet.example.gouv.fr")
    assert result.returncode == 1 and "404" in result.stderr
