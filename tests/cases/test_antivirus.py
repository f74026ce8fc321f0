"""Files scanned by a real ClamAV daemon (tests/clamd.py: EICAR only) wherever they enter:
intake in JSON, multipart and e-mail (``intake_mail`` and IMAP), an agent's reply on the page
and through the API. Infected: refused by name, nothing written, journaled; e-mail quarantined
while the next message is read. Daemon out of reach: fail closed, nothing written, a clear
"try again" (503 in the API), e-mail left unread for the next reading."""

from __future__ import annotations

import base64
import json
import socket
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import AuditEntry
from cases import antivirus
from cases.audit_actions import CasesAuditAction
from cases.models import (
    Attachment,
    Case,
    InboundEmail,
    IntakeDelivery,
    Mailbox,
    MailboxMessage,
    QuarantinedEmail,
    Reply,
    Status,
)
from tests.api.conftest import session_client
from tests.case_states import bring_to, snapshot
from tests.clamd import EICAR, EICAR_NAME, EICAR_PDF, clamav_on, clamd  # noqa: F401

from .test_intake_api import SP_PLUS, SP_QUESTION, URLS, client_for, post
from .test_intake_mail import make_email, write
from .test_reply_attachments import TEXT, files_in, hidden, post_reply, signed_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FOUND = f"{EICAR_NAME}.UNOFFICIAL"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def scanner_down(settings, tmp_path) -> None:
    """Scanning configured, the daemon gone: a socket path nobody listens on."""
    settings.CLAMAV_URL = f"unix://{tmp_path}/no-clamd.sock"
    settings.CLAMAV_TIMEOUT_SECONDS = 5


def infected_lines(office) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            administration=office.administration,
            action=CasesAuditAction.ATTACHMENT_INFECTED,
        ).order_by("pk")
    )


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


# --- the client, against the daemon ---------------------------------------------------------


def test_the_client_gets_the_daemons_verdict_over_unix_and_tcp(clamd):  # noqa: F811
    for url in (clamd.url, clamd.tcp_url):
        target = antivirus.Scanner.from_url(url)
        assert antivirus.ping(target=target, timeout=10)
        assert antivirus.scan(PDF, target=target, timeout=30) == ""
        assert antivirus.scan(EICAR, target=target, timeout=30).startswith(EICAR_NAME)
        assert antivirus.scan(EICAR_PDF, target=target, timeout=30) == FOUND
        # Chunked: the test string across a chunk boundary, far into a 3 MB file.
        cut = antivirus.CHUNK_BYTES * 40 - 30
        big = b"%PDF-1.4\n" + b"0" * (cut - 9) + EICAR + b"1" * 1_000_000
        assert antivirus.scan(big, target=target, timeout=30) == FOUND
        assert antivirus.scan(b"%PDF-1.4\n" + b"0" * 3_000_000, target=target, timeout=30) == ""


def test_the_client_fails_closed_on_a_refusal_a_missing_daemon_or_silence(clamd, tmp_path):  # noqa: F811
    target = antivirus.Scanner.from_url(clamd.url)
    # Past the daemon's StreamMaxLength (20 MB here): an error, never "clean".
    with pytest.raises(antivirus.ScannerError, match="size limit"):
        antivirus.scan(b"0" * (21 * 1024 * 1024), target=target, timeout=60)
    with pytest.raises(antivirus.ScannerError):
        antivirus.scan(PDF, target=antivirus.Scanner(path=str(tmp_path / "none.sock")))
    # A server that accepts and never answers: the deadline holds.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(antivirus.ScannerError, match=r"Timeout|timed out|in time"):
            antivirus.scan(PDF, target=antivirus.Scanner(host="127.0.0.1", port=port), timeout=1)
        assert time.monotonic() - started < 15


@pytest.mark.parametrize(
    "url", ["http://clamav:3310", "unix://relative.sock", "tcp://", "clamd.sock"]
)
def test_a_url_that_names_no_daemon_is_refused(url):
    with pytest.raises(ValueError):
        antivirus.Scanner.from_url(url)


# --- intake through the API ---------------------------------------------------------------------


def test_json_intake_refuses_an_infected_file_by_name_and_journals_it(office, clamav_on, media):  # noqa: F811
    payload = {
        **SP_PLUS,
        "attachments": [
            {"filename": "justificatif.pdf", "content_base64": b64(PDF)},
            {"filename": "facture.pdf", "content_base64": b64(EICAR_PDF)},
        ],
    }
    response = post(client_for(office), URLS["sp_plus"], payload)
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body["fields"]) == {"attachments"}
    (message,) = body["fields"]["attachments"]
    assert "facture.pdf" in message and FOUND in message
    assert not Case.objects.exists() and not IntakeDelivery.objects.exists()
    assert not Attachment.objects.exists() and not media.exists()
    (line,) = infected_lines(office)
    assert line.target_label == "facture.pdf" and line.actor is None
    assert line.data["virus"] == FOUND
    assert line.data["source"] == "intake:sp_plus:delivery-1"


def test_multipart_intake_refuses_an_infected_file(office, clamav_on, media):  # noqa: F811
    response = client_for(office).post(
        URLS["sp_plus"],
        {
            "payload": json.dumps(SP_PLUS),
            "attachments": [SimpleUploadedFile("scan.pdf", EICAR_PDF)],
        },
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="mp-1",
    )
    assert response.status_code == 400, response.content
    assert "scan.pdf" in response.json()["fields"]["attachments"][0]
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert [line.target_label for line in infected_lines(office)] == ["scan.pdf"]


def test_clean_files_are_scanned_and_kept(office, clamav_on, media):  # noqa: F811
    client = client_for(office)
    response = post(
        client,
        URLS["sp_plus"],
        {**SP_PLUS, "attachments": [{"filename": "avis.pdf", "content_base64": b64(PDF)}]},
    )
    assert response.status_code == 201, response.content
    multipart = client.post(
        URLS["sp_question"],
        {
            "payload": json.dumps({**SP_QUESTION, "id": "q-9"}),
            "attachments": [SimpleUploadedFile("photo.pdf", PDF)],
        },
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="mp-9",
    )
    assert multipart.status_code == 201, multipart.content
    assert Attachment.objects.count() == 2 and len(files_in(media)) == 2
    assert infected_lines(office) == []


def test_intake_fails_closed_when_the_daemon_is_down_then_the_retry_is_taken(
    office,
    clamd,  # noqa: F811
    scanner_down,
    settings,
    media,
):
    client = client_for(office)
    payload = {**SP_PLUS, "attachments": [{"filename": "avis.pdf", "content_base64": b64(PDF)}]}
    response = post(client, URLS["sp_plus"], payload)
    assert response.status_code == 503, response.content
    assert response.json()["code"] == "scanner_unavailable"
    assert "antivirus" in response.json()["detail"] and response["Retry-After"] == "60"
    multipart = client.post(
        URLS["sp_plus"],
        {"payload": json.dumps(SP_PLUS), "attachments": [SimpleUploadedFile("a.pdf", PDF)]},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="mp-2",
    )
    assert multipart.status_code == 503
    assert not Case.objects.exists() and not IntakeDelivery.objects.exists()
    assert not media.exists()
    # Without files nothing is scanned: the delivery is taken as before.
    assert post(client, URLS["sp_question"], SP_QUESTION, key="q").status_code == 201
    # The daemon is back: the same delivery (same key) goes through, once.
    settings.CLAMAV_URL = clamd.url
    assert post(client, URLS["sp_plus"], payload).status_code == 201
    assert post(client, URLS["sp_plus"], payload).status_code == 200
    assert Attachment.objects.count() == 1


# --- e-mail -----------------------------------------------------------------------------------


def _read(office, *paths) -> str:
    out = StringIO()
    call_command("intake_mail", "--administration", office.administration.slug, *paths, stdout=out)
    return out.getvalue()


def test_an_infected_mail_is_quarantined_and_the_next_one_read(office, clamav_on, tmp_path, media):  # noqa: F811
    infected = write(
        tmp_path,
        "1.eml",
        make_email(
            message_id="<virus@example.org>",
            attachments=[("facture.pdf", EICAR_PDF, "application", "pdf")],
        ),
    )
    clean = write(
        tmp_path,
        "2.eml",
        make_email(
            subject="Attestation",
            message_id="<clean@example.org>",
            attachments=[("attestation.pdf", PDF, "application", "pdf")],
        ),
    )
    with pytest.raises(CommandError, match="could not be read"):
        _read(office, infected, clean)
    quarantined = QuarantinedEmail.objects.get(administration=office.administration)
    assert quarantined.message_id == "<virus@example.org>"
    assert "facture.pdf" in quarantined.error and FOUND in quarantined.error
    case = Case.objects.get(administration=office.administration)
    assert case.subject == "Attestation"
    assert [a.original_name for a in case.attachments.all()] == ["attestation.pdf"]
    assert InboundEmail.objects.filter(administration=office.administration).count() == 1
    (line,) = infected_lines(office)
    assert line.data["source"] == f"mail:{infected}" and line.data["virus"] == FOUND
    assert AuditEntry.objects.filter(action=CasesAuditAction.MAIL_QUARANTINED).count() == 1


def test_mail_is_left_unread_while_the_daemon_is_down(
    office,
    clamd,  # noqa: F811
    scanner_down,
    settings,
    tmp_path,
    media,
):
    with_file = write(
        tmp_path,
        "1.eml",
        make_email(attachments=[("avis.pdf", PDF, "application", "pdf")]),
    )
    with pytest.raises(CommandError, match="Antivirus unavailable"):
        _read(office, with_file)
    assert not InboundEmail.objects.exists() and not QuarantinedEmail.objects.exists()
    assert not Case.objects.exists()
    settings.CLAMAV_URL = clamd.url
    assert "1 case(s) created" in _read(office, with_file)
    assert Case.objects.get().attachments.count() == 1


def test_the_mailbox_poll_stops_at_the_daemon_and_resumes(
    office,
    clamd,  # noqa: F811
    settings,
    tmp_path,
    media,
):
    from cases.intake.imap import mailbox_poll

    from .mailservers import start_dovecot
    from .test_mail_imap import PASSWORD, make_mailbox

    dovecot = start_dovecot({"caf69": PASSWORD})
    try:
        mailbox = make_mailbox(office, dovecot)
        dovecot.append(
            "caf69",
            make_email(
                message_id="<v@example.org>",
                attachments=[("facture.pdf", EICAR_PDF, "application", "pdf")],
            ),
        )
        dovecot.append(
            "caf69",
            make_email(
                subject="Attestation",
                message_id="<c@example.org>",
                attachments=[("attestation.pdf", PDF, "application", "pdf")],
            ),
        )
        settings.CLAMAV_URL = f"unix://{tmp_path}/no-clamd.sock"
        result = mailbox_poll(mailbox.pk)
        assert result.error == Mailbox.Failure.ANTIVIRUS
        assert "Antivirus unavailable" in result.detail  # the words go to the log, not the page
        mailbox.refresh_from_db()
        assert mailbox.last_error == Mailbox.Failure.ANTIVIRUS
        assert not MailboxMessage.objects.exists() and not QuarantinedEmail.objects.exists()
        assert len(dovecot.uids("caf69")) == 2  # both still waiting in the inbox
        settings.CLAMAV_URL = clamd.url
        result = mailbox_poll(mailbox.pk)
        assert result.error == "" and result.read == 2, result
        assert result.outcomes == {"quarantined": 1, "created": 1}
        assert Case.objects.get().subject == "Attestation"
        assert QuarantinedEmail.objects.get().message_id == "<v@example.org>"
        assert len(infected_lines(office)) == 1
    finally:
        dovecot.stop()


# --- an agent's reply -------------------------------------------------------------------------


def test_the_composer_refuses_an_infected_file_with_a_form_error(office, clamav_on, media):  # noqa: F811
    case = bring_to(Status.IN_PROGRESS, office)
    client = signed_in(office.agent)
    response = post_reply(client, case, [("courrier.pdf", EICAR_PDF)])
    assert response.status_code == 400
    html = response.content.decode()
    assert "courrier.pdf" in html and FOUND in html
    assert not Attachment.objects.filter(case=case).exists() and files_in(media) == []
    (line,) = infected_lines(office)
    assert line.actor == office.agent and line.data["source"] == f"reply:{case.reference}"
    # A clean file goes to the preview, scanned.
    preview = post_reply(client, case, [("courrier.pdf", PDF)])
    assert preview.status_code == 200 and hidden(preview.content.decode(), "attachment_ids")


def test_the_composer_says_try_again_when_the_daemon_is_down(office, scanner_down, media):
    case = bring_to(Status.IN_PROGRESS, office)
    response = post_reply(signed_in(office.agent), case, [("courrier.pdf", PDF)])
    assert response.status_code == 400
    assert "The antivirus cannot check the attached files right now" in response.content.decode()
    assert not Attachment.objects.filter(case=case).exists()


def test_the_reply_api_refuses_an_infected_file_and_journals_it(office, clamav_on, media):  # noqa: F811
    case = bring_to(Status.IN_PROGRESS, office)
    before = snapshot(case)
    response = session_client(office.agent).post(
        f"/api/v1/cases/{case.pk}/reply/",
        {"body": TEXT, "attachments": [SimpleUploadedFile("courrier.pdf", EICAR_PDF)]},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert "courrier.pdf" in response.json()["fields"]["attachments"][0]
    assert snapshot(case) == before and not Reply.objects.filter(case=case).exists()
    assert [line.actor for line in infected_lines(office)] == [office.agent]


def test_the_reply_api_answers_503_when_the_daemon_is_down(office, scanner_down, media):
    case = bring_to(Status.IN_PROGRESS, office)
    before = snapshot(case)
    response = session_client(office.agent).post(
        f"/api/v1/cases/{case.pk}/reply/",
        {"body": TEXT, "attachments": [SimpleUploadedFile("courrier.pdf", PDF)]},
        format="multipart",
    )
    assert response.status_code == 503, response.content
    assert response.json()["code"] == "scanner_unavailable"
    assert snapshot(case) == before and not Attachment.objects.exists()


def test_administrators_see_the_refusal_in_their_journal(office, clamav_on, media):  # noqa: F811
    post(
        client_for(office),
        URLS["sp_plus"],
        {**SP_PLUS, "attachments": [{"filename": "facture.pdf", "content_base64": b64(EICAR_PDF)}]},
    )
    client = signed_in(office.administrator)
    page = client.get(reverse("accounts:audit"), headers={"accept-language": "fr"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Fichier infecté refusé (antivirus)" in html and "facture.pdf" in html
