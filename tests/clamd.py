"""A real ClamAV daemon for the tests: Debian's clamd (``make system`` installs clamav-daemon)
started in its own directory, listening on a unix socket there and on a free TCP port, with a
signature database written here holding the EICAR test signature only (no download: freshclam
is never run). Its package's own service is never used.

The EICAR test file is built from two halves so that no file of the repository is itself the
test virus (a scanner on a developer's machine would quarantine it).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cases.mailservers import free_port, wait_until
from tests.deploy.processes import stop

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
# What the daemon reports (".UNOFFICIAL": the database is ours, not ClamAV's signed one).
EICAR_NAME = "Guichet-Test-Eicar"
# A PDF carrying the test string: typed as PDF by content, found by the body signature.
EICAR_PDF = (
    b"%PDF-1.4\n%" + EICAR + b"\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class Clamd:
    root: Path
    socket_path: Path
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def tcp_url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def log(self) -> str:
        path = self.root / "clamd.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        stop(self.process)
        shutil.rmtree(self.root, ignore_errors=True)


def _answers(path: Path) -> bool:
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        try:
            sock.connect(str(path))
            sock.sendall(b"zPING\0")
            return sock.recv(16) == b"PONG\0"
        except OSError:
            return False


def start_clamd() -> Clamd:
    root = Path(tempfile.mkdtemp(prefix="guichet-clamd-"))
    database = root / "db"
    database.mkdir()
    # Two forms of the one test signature: the MD5 of the 68-byte file (.hdb), and its bytes
    # anywhere in a file (.ndb: target 0 = any file, offset * = anywhere).
    (database / "guichet-test.hdb").write_text(
        f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:{EICAR_NAME}-File\n"  # noqa: S324
    )
    (database / "guichet-test.ndb").write_text(f"{EICAR_NAME}:0:*:{EICAR.hex()}\n")
    socket_path = root / "clamd.sock"
    port = free_port()
    config = root / "clamd.conf"
    lines = [
        "Foreground yes",
        f"LocalSocket {socket_path}",
        f"TCPSocket {port}",
        "TCPAddr 127.0.0.1",
        f"DatabaseDirectory {database}",
        f"LogFile {root}/clamd.log",
        f"PidFile {root}/clamd.pid",
        f"TemporaryDirectory {root}",
        "StreamMaxLength 20M",
        "SelfCheck 3600",
    ]
    if os.geteuid() == 0:
        lines.append("User root")  # the package's clamav user cannot read our directory
    config.write_text("\n".join(lines) + "\n")
    process = subprocess.Popen(
        [CLAMD, "--config-file", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Clamd(root=root, socket_path=socket_path, port=port, process=process)
    try:
        wait_until(
            lambda: process.poll() is not None or _answers(socket_path),
            timeout=120,
            what="clamd to answer PING",
        )
        if process.poll() is not None:
            raise RuntimeError(f"clamd stopped at start:\n{server.log()[-3000:]}")
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def clamd() -> Iterator[Clamd]:
    """One daemon per test process; skipped only when clamd is not installed."""
    if not Path(CLAMD).exists():
        pytest.skip("clamd is missing: apt-get install clamav-daemon (make system)")
    server = start_clamd()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def clamav_on(clamd: Clamd, settings) -> Clamd:
    """Scanning on, through the daemon's unix socket."""
    settings.CLAMAV_URL = clamd.url
    settings.CLAMAV_TIMEOUT_SECONDS = 30
    return clamd
