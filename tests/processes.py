"""Real processes for the fault tests: a private Redis, Celery workers and beat.

Never the shared Redis on 6379: each test starts its own ``redis-server`` on a free port, with
its own directory, and stops only that one. Every wait is on a condition with a generous
deadline (a loaded machine is slow), never a fixed sleep.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], object], timeout: float = 180.0, every: float = 0.05):
    """Poll ``predicate`` until it returns something true, or the deadline passes (then its
    last answer, false)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = predicate()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(every)


class PrivateRedis:
    """A redis-server of our own (no persistence), stopped and started again on one port."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = self.client()
        assert wait_for(lambda: self._ping(client), timeout=60), "private redis did not start"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=2)

    @staticmethod
    def _ping(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False


def consuming(client: redis.Redis) -> bool:
    """A worker is up and waiting for messages: one of the broker's clients blocks in BRPOP."""
    return any(entry.get("cmd") == "brpop" for entry in client.client_list())


class CeleryProcess:
    """``celery -A config worker|beat ...`` in its own process group (killed whole)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.args = args
        self.env = env
        self.log_path = log
        self.process: subprocess.Popen | None = None

    def start(self) -> CeleryProcess:
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        with contextlib.suppress(FileNotFoundError):
            return [int(pid) for pid in path.read_text().split()]
        return []

    def kill(self) -> None:
        """SIGKILL the whole process group: the main process and its pool, no clean-up."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None
        self.log.close()

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
            return
        self.process = None
        self.log.close()


def worker(env: dict[str, str], log: Path, *, queues: str, concurrency: int = 1) -> CeleryProcess:
    return CeleryProcess(
        [
            "worker",
            "-Q",
            queues,
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
        ],
        env,
        log,
    )


def beat(env: dict[str, str], log: Path, directory: Path) -> CeleryProcess:
    return CeleryProcess(
        [
            "beat",
            "--schedule",
            str(directory / "beat-schedule"),
            "--pidfile",
            "",
            "--loglevel",
            "WARNING",
        ],
        env,
        log,
    )
