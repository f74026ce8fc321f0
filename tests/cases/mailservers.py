"""Real mail servers for the tests: Debian's Dovecot (IMAP) in its own directory on a free port,
and an ``aiosmtpd`` SMTP server that files what it receives: mail to an address served by the
Dovecot is appended to that IMAP mailbox (as a mail exchanger would), the rest is kept in a list
(the usagers' mailboxes)."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.utils import getaddresses
from pathlib import Path

from tests.deploy.processes import stop

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, *, timeout: float = 60.0, interval: float = 0.1, what: str = ""):
    """Poll ``condition`` until it returns something truthy (generous deadline, no fixed
    sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(interval)


@dataclass
class Dovecot:
    root: Path
    port: int
    users: dict[str, str]
    process: subprocess.Popen | None = None

    def client(self, user: str) -> imaplib.IMAP4:
        from cases.intake.imap import imap_login

        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        imap_login(client, user, self.users[user])
        return client

    def append(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client(user)
        try:
            status, data = client.append(f'"{folder}"', None, None, raw)
            assert status == "OK", data
        finally:
            client.logout()

    def uids(self, user: str, folder: str = "INBOX", criteria: str = "ALL") -> list[int]:
        client = self.client(user)
        try:
            status, _data = client.select(f'"{folder}"')
            if status != "OK":
                return []
            _status, data = client.uid("SEARCH", None, criteria)
            return [int(u) for u in data[0].split()]
        finally:
            client.logout()

    def stop(self) -> None:
        if self.process:
            stop(self.process)
        shutil.rmtree(self.root, ignore_errors=True)


def start_dovecot(users: dict[str, str]) -> Dovecot:
    """A Dovecot of its own (own directory, own port, plain IMAP on 127.0.0.1). Its directory
    is readable by Dovecot's own users (a pytest tmp_path is not)."""
    if not Path(DOVECOT).exists():
        raise RuntimeError("Dovecot is missing: apt-get install dovecot-imapd (make system)")
    root = Path(tempfile.mkdtemp(prefix="guichet-dovecot-"))
    root.chmod(0o755)
    mail_user = pwd.getpwnam("mail")
    port = free_port()
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    os.chown(root / "mail", mail_user.pw_uid, mail_user.pw_gid)
    (root / "passwd").write_text(
        "".join(f"{user}:{{PLAIN}}{password}::::::\n" for user, password in users.items())
    )
    config = root / "dovecot.conf"
    config.write_text(
        f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {mail_user.pw_uid}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Dovecot(root=root, port=port, users=users, process=process)

    def ready() -> bool:
        if process.poll() is not None:
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            raise RuntimeError(f"Dovecot exited: {log[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                return sock.recv(100).startswith(b"* OK")
        except OSError:
            return False

    try:
        wait_until(ready, timeout=60, what="Dovecot to accept connections")
    except BaseException:
        server.stop()
        raise
    return server


def text_of(message) -> str:
    """The plain text of a received mail (the mails to the usager are multipart: the text and
    its HTML version, and files), with its line ends as sent over SMTP (CR LF) made "\n"."""
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_of(message) -> str:
    """The HTML version of a received mail ("" when it has none)."""
    part = message.get_body(preferencelist=("html",))
    return part.get_content() if part is not None else ""


@dataclass
class SmtpServer:
    host: str
    port: int
    received: list[bytes] = field(default_factory=list)
    controller: object = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list:
        """The messages received for ``address`` (parsed), oldest first."""
        with self.lock:
            raws = list(self.received)
        found = []
        for raw in raws:
            message = message_from_bytes(raw, policy=policy.default)
            recipients = [a.lower() for _n, a in getaddresses(message.get_all("X-Rcpt-To", []))]
            if address.lower() in recipients:
                found.append(message)
        return found

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()  # type: ignore[attr-defined]


def start_smtp(dovecot: Dovecot | None = None, local: dict[str, str] | None = None) -> SmtpServer:
    """An SMTP server on a free port. Mail to an address in ``local`` (address → Dovecot user)
    is appended to that user's INBOX; every message is also kept, with its envelope
    recipients in an ``X-Rcpt-To`` header."""
    from aiosmtpd.controller import Controller

    local = {k.lower(): v for k, v in (local or {}).items()}
    server = SmtpServer(host="127.0.0.1", port=free_port())

    class Handler:
        async def handle_DATA(self, smtp_server, session, envelope):
            content = envelope.original_content or envelope.content
            raw = b"".join(f"X-Rcpt-To: {rcpt}\r\n".encode() for rcpt in envelope.rcpt_tos) + bytes(
                content
            )
            with server.lock:
                server.received.append(raw)
            for rcpt in envelope.rcpt_tos:
                user = local.get(rcpt.lower())
                if user and dovecot is not None:
                    await_append = threading.Thread(
                        target=dovecot.append, args=(user, bytes(content))
                    )
                    await_append.start()
                    await_append.join(timeout=60)
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname=server.host, port=server.port)
    controller.start()
    server.controller = controller
    return server
