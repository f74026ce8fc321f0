"""Real processes for the deployment tests: a private redis-server, free ports, waiting on
conditions (never fixed sleeps) with generous deadlines for a loaded machine."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def django_process(code: str, database_url: str) -> subprocess.CompletedProcess:
    """``code`` run in a fresh Python process on the test settings, whose database is
    ``database_url`` (settings are read once per process: this is how a test sees them
    otherwise)."""
    env = {
        **os.environ,
        "GUICHET_ENV": "test",
        "DJANGO_SECRET_KEY": "test-only-secret-key",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], object], *, timeout: float = 60.0, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


def port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


@contextlib.contextmanager
def private_redis(directory: Path, *options: str) -> Iterator[tuple[int, subprocess.Popen]]:
    """A redis-server of our own on a free port (the shared one is never stopped), with any
    more command-line ``options`` ("--requirepass", "secret")."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing: apt-get install redis-server (make system)")
    port = free_port()
    directory.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            binary,
            *("--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
            *options,
        ],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: port_open(port), timeout=30, what=f"redis-server on port {port}")
        yield port, process
    finally:
        stop(process)


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


RABBITMQ_PORT = 5672


@contextlib.contextmanager
def private_vhost(prefix: str = "guichet-test") -> Iterator[str]:
    """A RabbitMQ virtual host of our own on the local server (guest/guest), deleted after:
    the broker URL the processes get. Skips when no RabbitMQ runs here."""
    binary = shutil.which("rabbitmqctl")
    if binary is None or not port_open(RABBITMQ_PORT):
        pytest.skip("no RabbitMQ on 127.0.0.1:5672 (apt-get install rabbitmq-server)")
    vhost = f"{prefix}-{os.getpid()}-{time.monotonic_ns()}"

    def rabbitmqctl(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [binary, *arguments], capture_output=True, text=True, timeout=120, check=False
        )

    added = rabbitmqctl("add_vhost", vhost)
    if added.returncode != 0:
        pytest.skip(f"rabbitmqctl add_vhost failed: {added.stderr.strip()[-500:]}")
    try:
        allowed = rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        assert allowed.returncode == 0, allowed.stderr
        yield f"amqp://guest:guest@127.0.0.1:{RABBITMQ_PORT}/{vhost}"
    finally:
        rabbitmqctl("delete_vhost", vhost)
