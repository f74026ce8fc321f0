"""Which IMAP servers a mailbox may reach (INTAKE_MAIL_ALLOW_PRIVATE_HOSTS off, as in
production): refused when saved and again when connecting; and what administrators read when a
mailbox cannot be read (a category, never the server's own words)."""

from __future__ import annotations

import socket
import threading

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEntry
from cases.intake.imap import _CheckedIMAP4, mailbox_poll
from cases.intake.settings_services import mailbox_save
from cases.models import Mailbox

from .mailservers import free_port

pytestmark = pytest.mark.django_db

BANNER = "SSH-2.0-OpenSSH_9.2 internal-build-host.corp.local"


@pytest.fixture
def production_rules(settings):
    settings.INTAKE_MAIL_ALLOW_PRIVATE_HOSTS = False
    return settings


class FakeServer:
    """A TCP server on 127.0.0.1 that counts connections and answers with ``script``:
    ``"banner"`` (not IMAP), ``"silent"`` (never a word) or ``"imap"`` (a greeting, CAPABILITY,
    and a LOGIN refused with words of its own)."""

    def __init__(self, script: str) -> None:
        self.script = script
        self.connections = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _address = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        with conn:
            if self.script == "silent":
                self.stopping.wait(10)
                return
            if self.script == "banner":
                conn.sendall(f"{BANNER}\r\n".encode())
                self.stopping.wait(10)
                return
            conn.sendall(b"* OK ready\r\n")
            for line in conn.makefile("rb"):
                tag, _sep, rest = line.decode().partition(" ")
                command = rest.split(" ", 1)[0].strip().upper()
                if command == "CAPABILITY":
                    conn.sendall(f"* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n".encode())
                elif command == "LOGIN":
                    conn.sendall(f"{tag} NO [AUTHENTICATIONFAILED] {BANNER}\r\n".encode())
                else:
                    conn.sendall(f"* BYE\r\n{tag} OK bye\r\n".encode())
                    return

    def stop(self) -> None:
        self.stopping.set()
        self.sock.close()


@pytest.fixture
def server():
    servers = []

    def start(script: str) -> FakeServer:
        servers.append(FakeServer(script))
        return servers[-1]

    yield start
    for started in servers:
        started.stop()


def save(office, **fields) -> Mailbox:
    values = {
        "address": "contact@caf69.example.gouv.fr",
        "host": "80.67.169.12",  # a public address (nothing connects when saving)
        "port": 993,
        "security": Mailbox.Security.SSL,
        "username": "caf69",
        "folder": "INBOX",
        "after_read": Mailbox.AfterRead.MOVE,
        "processed_folder": "Guichet",
        "is_active": True,
        **fields,
    }
    return mailbox_save(
        actor=office.administrator,
        administration=office.administration,
        password="mot-de-passe",
        **values,
    )


# --- saving ----------------------------------------------------------------------------------


def test_a_public_server_with_tls_on_the_imap_port_is_saved(office, production_rules):
    assert save(office).host == "80.67.169.12"
    assert save(office, port=143, security=Mailbox.Security.STARTTLS).port == 143


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",  # a name: every address it resolves to is checked
        "10.1.2.3",
        "192.168.0.10",
        "169.254.169.254",
        "168.63.129.16",
        "0.0.0.0",  # noqa: S104 (an address refused, not bound)
        "224.0.0.1",
        "::1",
        "::ffff:127.0.0.1",
        "fe80::1",
    ],
)
def test_a_private_local_or_metadata_address_is_refused(office, production_rules, host):
    with pytest.raises(ValidationError) as refused:
        save(office, host=host)
    assert set(refused.value.message_dict) == {"host"}
    assert not Mailbox.objects.exists()


def test_plain_imap_and_other_ports_are_refused(office, production_rules):
    with pytest.raises(ValidationError) as refused:
        save(office, port=6379, security=Mailbox.Security.NONE)
    assert set(refused.value.message_dict) == {"port", "security"}
    assert not Mailbox.objects.exists()


def test_the_settings_page_says_which_field_is_refused(office, production_rules, client):
    client.force_login(office.administrator)
    response = client.post(
        reverse("cases:mail_settings_mailbox"),
        {
            "host": "127.0.0.1",
            "port": "25",
            "security": "none",
            "username": "contact",
            "password": "x",
            "folder": "INBOX",
            "after_read": "move",
            "processed_folder": "Guichet",
        },
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    errors = response.context["mailbox_form"].errors
    assert set(errors) == {"host", "port", "security"}
    assert not Mailbox.objects.exists()


def test_with_the_setting_on_a_local_server_is_allowed(office, settings):
    settings.INTAKE_MAIL_ALLOW_PRIVATE_HOSTS = True
    mailbox = save(office, host="127.0.0.1", port=10143, security=Mailbox.Security.NONE)
    assert mailbox.host == "127.0.0.1"


# --- connecting ------------------------------------------------------------------------------


def test_a_mailbox_saved_before_is_checked_again_and_not_connected(office, settings, server):
    listening = server("imap")
    settings.INTAKE_MAIL_ALLOW_PRIVATE_HOSTS = True
    mailbox = save(office, host="127.0.0.1", port=listening.port, security=Mailbox.Security.NONE)
    settings.INTAKE_MAIL_ALLOW_PRIVATE_HOSTS = False
    result = mailbox_poll(mailbox.pk)
    assert result.error == Mailbox.Failure.FORBIDDEN
    assert listening.connections == 0
    assert Mailbox.objects.get().last_error == Mailbox.Failure.FORBIDDEN


def test_the_connection_goes_to_the_address_checked_not_a_new_resolution(server):
    listening = server("imap")
    # The name does not resolve: only the addresses given are used, the first that answers
    # (nothing listens on 127.0.0.2: it refuses at once and the next address is tried).
    client = _CheckedIMAP4(
        "imap.invalid", listening.port, addresses=["127.0.0.2", "127.0.0.1"], timeout=5
    )
    try:
        assert client.host == "imap.invalid" and listening.connections == 1
    finally:
        client.shutdown()


def test_a_name_that_resolves_to_an_inner_address_at_connection_time_is_refused(
    office, production_rules, monkeypatch
):
    """DNS rebinding: the name was public when the mailbox was saved (TLS, port 993) and
    resolves to the network's inside when the poller connects."""
    resolved = {"address": "93.184.215.14"}

    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (resolved["address"], port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    mailbox = save(office, host="imap.example.org", port=993, security=Mailbox.Security.SSL)
    for inner in ("127.0.0.1", "10.0.0.5", "64:ff9b::a00:5", "2002:a9fe:a9fe::1"):
        resolved["address"] = inner
        result = mailbox_poll(mailbox.pk)
        assert result.error == Mailbox.Failure.FORBIDDEN, inner


# --- what administrators read ----------------------------------------------------------------


def _local_mailbox(office, settings, port: int) -> Mailbox:
    settings.INTAKE_MAIL_ALLOW_PRIVATE_HOSTS = True
    return save(office, host="127.0.0.1", port=port, security=Mailbox.Security.NONE)


@pytest.mark.parametrize(
    ("script", "failure", "label"),
    [
        ("banner", Mailbox.Failure.UNEXPECTED, "unexpected reply from the server"),
        ("imap", Mailbox.Failure.CREDENTIALS, "credentials refused"),
        ("silent", Mailbox.Failure.TIMEOUT, "timed out"),
        ("closed", Mailbox.Failure.REFUSED, "connection refused"),
    ],
)
def test_the_page_and_the_journal_say_the_kind_of_error_not_the_servers_words(
    office, settings, server, client, script, failure, label
):
    settings.MAILBOX_TIMEOUT_SECONDS = 0.5
    port = free_port() if script == "closed" else server(script).port
    mailbox = _local_mailbox(office, settings, port)
    result = mailbox_poll(mailbox.pk)
    assert result.error == failure
    assert Mailbox.objects.get().last_error == failure
    entry = AuditEntry.objects.get(action="mail.mailbox_error")
    assert entry.data["error"] == failure
    client.force_login(office.administrator)
    page = client.get(reverse("cases:mail_settings"), headers={"accept-language": "en"})
    html = page.content.decode()
    assert 'id="mailbox-error"' in html and label in html
    assert "SSH-2.0" not in html and "internal-build-host" not in html
    journal = client.get(reverse("accounts:audit"), headers={"accept-language": "en"})
    journal_html = journal.content.decode()
    assert label in journal_html and "internal-build-host" not in journal_html
