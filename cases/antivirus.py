"""A small client of ClamAV's daemon (clamd): files scanned with ``zINSTREAM`` before they are
kept (README, "Security: limits, proxies, CSP, antivirus").

``CLAMAV_URL`` names the daemon: ``unix:///run/clamav/clamd.ctl`` (its ``LocalSocket``) or
``tcp://clamav:3310`` (its ``TCPSocket``); empty, nothing is scanned. Every exchange has the
deadline ``CLAMAV_TIMEOUT_SECONDS``. The protocol (clamd(8)): the command ``zINSTREAM\\0``, then
chunks each prefixed by its length as 4 big-endian bytes, then a zero length; the daemon
answers one NUL-terminated line, ``stream: OK`` or ``stream: <signature> FOUND`` (or an error,
e.g. ``INSTREAM size limit exceeded. ERROR`` past its ``StreamMaxLength``).

Anything but a clear OK or FOUND is ``ScannerError``: the callers fail closed (the file is not
accepted, the caller says "try again later"), never let a file through unscanned.
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

CHUNK_BYTES = 64 * 1024
END_OF_STREAM = struct.pack("!L", 0)
# The longest answer we wait for: a signature name is short.
MAX_ANSWER_BYTES = 4096


class ScannerError(Exception):
    """The daemon could not give a verdict (unreachable, timed out, refused the stream)."""


@dataclass(frozen=True)
class Scanner:
    """Where clamd listens: a unix socket path, or a TCP host and port."""

    path: str = ""
    host: str = ""
    port: int = 3310

    @classmethod
    def from_url(cls, url: str) -> Scanner:
        """``unix:///path/to/clamd.sock`` or ``tcp://host:port`` (port 3310 by default);
        ValueError for anything else."""
        parts = urlsplit(url.strip())
        if parts.scheme == "unix" and parts.path and not parts.netloc:
            return cls(path=parts.path)
        if parts.scheme == "tcp" and parts.hostname and not parts.path.strip("/"):
            try:
                port = parts.port or 3310
            except ValueError:
                raise ValueError(f"{url!r}: the port is not a number.") from None
            return cls(host=parts.hostname, port=port)
        raise ValueError(f"{url!r}: expected unix:///path/to/clamd.sock or tcp://host:3310.")

    def _connect(self, timeout: float) -> socket.socket:
        if self.path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            try:
                sock.connect(self.path)
            except BaseException:
                sock.close()
                raise
            return sock
        sock = socket.create_connection((self.host, self.port), timeout=timeout)
        # Small frames (the command, the last chunk, the end mark) go at once: without this,
        # Nagle's algorithm and delayed ACKs add ~40 ms to every scan.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def __str__(self) -> str:
        return f"unix://{self.path}" if self.path else f"tcp://{self.host}:{self.port}"


def scanner() -> Scanner | None:
    """The configured daemon, or None when scanning is off (``CLAMAV_URL`` empty)."""
    url = settings.CLAMAV_URL
    return Scanner.from_url(url) if url else None


def _exchange(target: Scanner, command: bytes, payload: bytes | None, timeout: float) -> str:
    deadline = time.monotonic() + timeout

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("clamd did not answer in time")
        return left

    try:
        sock = target._connect(remaining())
    except OSError as exc:
        raise ScannerError(f"{target}: {type(exc).__name__}: {exc}") from exc
    answer = b""
    try:
        sock.settimeout(remaining())
        sock.sendall(command)
        if payload is not None:
            try:
                for start in range(0, len(payload), CHUNK_BYTES):
                    chunk = payload[start : start + CHUNK_BYTES]
                    frame = struct.pack("!L", len(chunk)) + chunk
                    if start + CHUNK_BYTES >= len(payload):
                        frame += END_OF_STREAM
                    sock.settimeout(remaining())
                    sock.sendall(frame)
                if not payload:
                    sock.settimeout(remaining())
                    sock.sendall(END_OF_STREAM)
            except (BrokenPipeError, ConnectionResetError):
                # The daemon closed early (size limit): its answer says why, if it sent one.
                pass
        while not answer.endswith(b"\0") and len(answer) < MAX_ANSWER_BYTES:
            sock.settimeout(remaining())
            data = sock.recv(MAX_ANSWER_BYTES)
            if not data:
                break
            answer += data
    except OSError as exc:  # TimeoutError and connection errors alike
        raise ScannerError(f"{target}: {type(exc).__name__}: {exc}") from exc
    finally:
        sock.close()
    if not answer:
        raise ScannerError(f"{target}: the connection closed without an answer")
    return answer.rstrip(b"\0").decode("utf-8", "replace").strip()


def scan(content: bytes, *, target: Scanner | None = None, timeout: float | None = None) -> str:
    """The signature found in ``content``, or "" when it is clean. ``ScannerError`` when no
    verdict could be had (scanning off is the caller's business: see ``scanner()``)."""
    target = target or scanner()
    if target is None:
        raise ScannerError("CLAMAV_URL is empty: no scanner configured")
    answer = _exchange(
        target,
        b"zINSTREAM\0",
        content,
        settings.CLAMAV_TIMEOUT_SECONDS if timeout is None else timeout,
    )
    # "stream: OK", "stream: Eicar-Signature FOUND" (some versions omit "stream: ").
    verdict = answer.split(": ", 1)[1] if answer.startswith("stream: ") else answer
    if verdict == "OK":
        return ""
    if verdict.endswith(" FOUND") and len(verdict) > len(" FOUND"):
        return verdict[: -len(" FOUND")].strip()[:200]
    raise ScannerError(f"{target}: {answer[:300]}")


def ping(*, target: Scanner | None = None, timeout: float | None = None) -> bool:
    """Whether the daemon answers ``PONG`` (readiness probes, the tests)."""
    target = target or scanner()
    if target is None:
        return False
    try:
        answer = _exchange(
            target,
            b"zPING\0",
            None,
            settings.CLAMAV_TIMEOUT_SECONDS if timeout is None else timeout,
        )
    except ScannerError:
        return False
    return answer == "PONG"
