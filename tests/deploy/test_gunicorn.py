"""gunicorn as the image runs it (gunicorn.conf.py): a home directory the application's user
may not write (``/app`` in the image) must not matter."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.deploy.processes import free_port, stop, wait_for

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _healthz(port: int) -> bool:
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz")
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def _gunicorn(tmp_path: Path, log: Path, **extra: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    # A home below a plain file: nothing can be created there, not even by root (the tests may
    # run as root, for whom a mode 0500 directory would still be writable).
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUICHET_", "DATABASE_", "CELERY_", "GUNICORN_", "XDG_"))
    }
    env.update(
        HOME=str(blocker / "app"),
        TZ="America/New_York",  # the host's zone: gunicorn's lines are in UTC whatever it is
        GUICHET_ENV="production",
        DJANGO_SECRET_KEY="gunicorn-" + "s" * 60,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0",
        GUICHET_VAR_DIR=str(tmp_path / "var"),
        DRAFTING_EMBEDDINGS="",
        PORT=str(port),
        GUNICORN_WORKERS="1",
        GUNICORN_THREADS="1",
        # A worker replaced after each request: gunicorn restarts its control server after
        # every fork, so a broken one would log its error again.
        GUNICORN_MAX_REQUESTS="1",
        GUNICORN_MAX_REQUESTS_JITTER="0",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        **extra,
    )
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return process, port


def test_gunicorn_starts_cleanly_with_a_home_it_cannot_write(tmp_path):
    log = tmp_path / "gunicorn.log"
    process, port = _gunicorn(tmp_path, log)
    try:
        for _ in range(3):  # three workers in turn (one request each)
            wait_for(lambda: _healthz(port), timeout=120, what="gunicorn's /healthz")
    finally:
        stop(process)
    output = log.read_text(errors="replace")
    assert "Booting worker" in output
    # Every line of gunicorn's, the master's and the workers' (whose Django sets TZ), in UTC.
    offsets = re.findall(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ([+-]\d{4})\]", output, re.M)
    assert "Worker exiting" in output and len(offsets) > 5
    assert set(offsets) == {"+0000"}, output[-3000:]
    assert "[ERROR]" not in output and "Control server" not in output, output[-3000:]


def test_the_control_socket_is_where_the_operator_puts_it(tmp_path):
    log = tmp_path / "gunicorn.log"
    socket_path = tmp_path / "run" / "gunicorn.ctl"
    process, port = _gunicorn(tmp_path, log, GUNICORN_CONTROL_SOCKET=str(socket_path))
    try:
        wait_for(lambda: _healthz(port), timeout=120, what="gunicorn's /healthz")
        wait_for(socket_path.exists, timeout=30, what="the control socket")
        assert stat.S_ISSOCK(socket_path.stat().st_mode)
        assert stat.S_IMODE(socket_path.stat().st_mode) == 0o600
    finally:
        stop(process)
    assert "[ERROR]" not in log.read_text(errors="replace")
