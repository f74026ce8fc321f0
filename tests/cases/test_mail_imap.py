"""IMAP intake against a real Dovecot started by the test, and the whole conversation through a
real SMTP server (aiosmtpd): a usager writes, gets the acknowledgement, the agent replies, the
usager answers from their mail client (threaded by In-Reply-To, no reference in the subject),
the case resumes; an out-of-office does not resume it; a bounce marks the delivery failed."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from accounts.models import AuditEntry
from cases import services
from cases.intake.acknowledgement import DEFAULT_BODY, DEFAULT_SUBJECT, acknowledgement_send
from cases.intake.imap import mailbox_poll, password_decrypt
from cases.intake.settings_services import acknowledgement_settings_save, mailbox_save
from cases.models import (
    Acknowledgement,
    Case,
    CaseEvent,
    Channel,
    Delivery,
    Mailbox,
    MailboxMessage,
    QuarantinedEmail,
    Status,
)
from cases.services.reply_attachments import uploaded_files
from tests.case_states import REPLY_TEXT

from .mailservers import start_dovecot, start_smtp, text_of, wait_until

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
CONTACT = "contact@caf69.example.gouv.fr"
USAGER = "jeanne.roux@example.org"
PASSWORD = "mot-de-passe-imap"


@pytest.fixture
def dovecot():
    server = start_dovecot({"caf69": PASSWORD})
    yield server
    server.stop()


@pytest.fixture
def smtp(dovecot):
    server = start_smtp(dovecot, {CONTACT: "caf69"})
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def usager_mail(subject="Question sur ma pension", body="Je n'ai pas reçu ma pension.", **kw):
    message = EmailMessage()
    message["From"] = kw.get("sender", f"Jeanne Roux <{USAGER}>")
    message["To"] = CONTACT
    message["Subject"] = subject
    message["Message-ID"] = kw.get("message_id") or make_msgid(domain="example.org")
    for name, value in kw.get("headers", {}).items():
        message[name] = value
    message.set_content(body)
    return message


def make_mailbox(office, dovecot, **fields):
    return mailbox_save(
        actor=office.administrator,
        administration=office.administration,
        password=fields.pop("password", PASSWORD),
        address=CONTACT,
        host="127.0.0.1",
        port=dovecot.port,
        security=Mailbox.Security.NONE,
        username="caf69",
        folder=fields.pop("folder", "INBOX"),
        after_read=fields.pop("after_read", Mailbox.AfterRead.MOVE),
        processed_folder=fields.pop("processed_folder", "Guichet"),
        is_active=True,
        **fields,
    )


def poll(capture, office=None) -> str:
    out = StringIO()
    with capture(execute=True):
        call_command("mail_poll", stdout=out)
    return out.getvalue()


def test_password_is_not_stored_in_clear(office, dovecot):
    mailbox = make_mailbox(office, dovecot)
    stored = Mailbox.objects.filter(pk=mailbox.pk).values_list("password_encrypted", flat=True)[0]
    assert PASSWORD not in stored and password_decrypt(stored) == PASSWORD
    entry = AuditEntry.objects.get(action="settings.mailbox_saved")
    assert PASSWORD not in str(entry.data) and stored not in str(entry.data)
    # Saved again without a password: the stored one is kept.
    mailbox_save(actor=office.administrator, administration=office.administration, folder="INBOX")
    assert Mailbox.objects.get().password_encrypted == stored


def test_rotating_the_secret_key_as_the_runbook_says_keeps_the_mailbox_readable(
    office, dovecot, settings, django_capture_on_commit_callbacks
):
    """Without MAILBOX_ENCRYPTION_KEY the password's key derives from the secret key. The
    runbook's rotation (the new key in DJANGO_SECRET_KEY, the old one in the fallbacks) left
    every mailbox unreadable ("password unreadable") until each administrator typed it again."""
    settings.MAILBOX_ENCRYPTION_KEY = ""
    old, new = "old-secret-key-" + "o" * 40, "new-secret-key-" + "n" * 40
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = old, []
    make_mailbox(office, dovecot)
    under_old = Mailbox.objects.get().password_encrypted

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = new, [old]
    dovecot.append("caf69", bytes(usager_mail(message_id="<rotated@example.org>")))
    assert "1 message(s) read" in poll(django_capture_on_commit_callbacks)
    mailbox = Mailbox.objects.get()
    assert mailbox.last_error == ""
    # Written again under the new key: emptying the fallbacks later loses nothing.
    assert mailbox.password_encrypted != under_old
    settings.SECRET_KEY_FALLBACKS = []
    assert password_decrypt(mailbox.password_encrypted) == PASSWORD
    dovecot.append("caf69", bytes(usager_mail(message_id="<after@example.org>")))
    assert "1 message(s) read" in poll(django_capture_on_commit_callbacks)


def test_each_message_is_read_once_and_moved(office, dovecot, django_capture_on_commit_callbacks):
    make_mailbox(office, dovecot)
    first = usager_mail(message_id="<one@example.org>")
    dovecot.append("caf69", bytes(first))
    dovecot.append("caf69", bytes(usager_mail("Autre question", message_id="<two@example.org>")))
    output = poll(django_capture_on_commit_callbacks)
    assert "2 message(s) read" in output
    assert Case.objects.filter(administration=office.administration).count() == 2
    assert dovecot.uids("caf69") == [] and len(dovecot.uids("caf69", "Guichet")) == 2
    rows = list(MailboxMessage.objects.order_by("uid").values_list("uid", "message_id"))
    assert rows == [(1, "<one@example.org>"), (2, "<two@example.org>")]
    assert MailboxMessage.objects.values("uidvalidity").distinct().count() == 1
    # The same message delivered again (another UID): read as a duplicate, no new case.
    dovecot.append("caf69", bytes(first))
    assert "duplicate: 1" in poll(django_capture_on_commit_callbacks)
    assert "0 message(s) read" in poll(django_capture_on_commit_callbacks)
    assert Case.objects.filter(administration=office.administration).count() == 2
    assert Mailbox.objects.get().last_polled_at is not None


def test_flag_mode_leaves_messages_in_place_and_reads_them_once(
    office, dovecot, django_capture_on_commit_callbacks
):
    make_mailbox(office, dovecot, after_read=Mailbox.AfterRead.FLAG)
    dovecot.append("caf69", bytes(usager_mail()))
    poll(django_capture_on_commit_callbacks)
    assert dovecot.uids("caf69") == [1] and dovecot.uids("caf69", criteria="UNSEEN") == []
    poll(django_capture_on_commit_callbacks)
    assert Case.objects.filter(administration=office.administration).count() == 1
    # A new message already opened in a mail client is still read.
    dovecot.append("caf69", bytes(usager_mail("Lu avant Guichet")))
    client = dovecot.client("caf69")
    client.select("INBOX")
    client.uid("STORE", "2", "+FLAGS", r"(\Seen)")
    client.logout()
    poll(django_capture_on_commit_callbacks)
    assert Case.objects.filter(administration=office.administration).count() == 2


def test_unreadable_message_is_quarantined_and_the_next_ones_read(
    office, dovecot, django_capture_on_commit_callbacks
):
    from .test_mail_threads import deep_mime

    make_mailbox(office, dovecot)
    dovecot.append("caf69", deep_mime(40))
    dovecot.append("caf69", bytes(usager_mail()))
    output = poll(django_capture_on_commit_callbacks)
    assert "quarantined: 1" in output and "created: 1" in output
    assert QuarantinedEmail.objects.get().source.startswith("imap://caf69@127.0.0.1/INBOX")
    assert Case.objects.filter(administration=office.administration).count() == 1
    assert dovecot.uids("caf69") == []


def test_mailbox_error_is_journaled_once_and_shown(
    office, dovecot, django_capture_on_commit_callbacks, client
):
    make_mailbox(office, dovecot, password="wrong")
    for _attempt in range(2):
        with pytest.raises(CommandError, match="could not be read"):
            poll(django_capture_on_commit_callbacks)
    mailbox = Mailbox.objects.get()
    # The kind of error, not the server's words (those are in the application log).
    assert mailbox.last_error == Mailbox.Failure.CREDENTIALS
    assert AuditEntry.objects.filter(action="mail.mailbox_error").count() == 1
    client.force_login(office.administrator)
    page = client.get(
        "/dossiers/parametres/courriel/", headers={"accept-language": "en"}
    ).content.decode()
    assert 'id="mailbox-error"' in page and "credentials refused" in page
    assert "AUTHENTICATIONFAILED" not in page


def test_a_mailbox_being_read_is_not_read_twice(office, dovecot):
    from django.utils import timezone

    mailbox = make_mailbox(office, dovecot)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        lease_until=timezone.now() + timezone.timedelta(minutes=5)
    )
    assert mailbox_poll(mailbox.pk).skipped


def test_conversation_end_to_end_through_real_imap_and_smtp(
    office, dovecot, smtp, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp.host, smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "guichet@caf69.example.gouv.fr"
    make_mailbox(office, dovecot)
    acknowledgement_settings_save(
        actor=office.administrator,
        administration=office.administration,
        channels=[Channel.EMAIL],
        subject=DEFAULT_SUBJECT,
        body=DEFAULT_BODY,
        service_contact="Accueil CAF du Rhône, 67 bd Vivier-Merle, 69003 Lyon",
    )

    def send(message: EmailMessage) -> None:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as connection:
            connection.send_message(message)

    # 1. The usager writes; the message reaches the mailbox through SMTP.
    send(usager_mail())
    wait_until(lambda: dovecot.uids("caf69"), what="the usager's mail in the mailbox")
    poll(django_capture_on_commit_callbacks)
    case = Case.objects.get(administration=office.administration)
    assert case.channel == Channel.EMAIL and case.usager_email == USAGER

    # 2. The acknowledgement reaches the usager, once, in the thread, with the mentions.
    acks = wait_until(lambda: [m for m in smtp.to(USAGER) if "Accusé" in m["Subject"]])
    assert len(acks) == 1
    ack = acks[0]
    assert case.reference in ack["Subject"] and ack["Reply-To"] == CONTACT
    # Who writes, in words: the administration, from the sending address.
    assert ack["From"].addresses[0].display_name == office.administration.name
    assert ack["From"].addresses[0].addr_spec == "guichet@caf69.example.gouv.fr"
    assert "67 bd Vivier-Merle" in text_of(ack)
    assert ack["Message-ID"].strip() == Acknowledgement.objects.get(case=case).message_id

    # 3. The agent replies with a form attached; the reply reaches the usager by SMTP with its
    # own Message-ID and the file as a MIME part.
    case = services.case_take(actor=office.agent, case=case)
    form_pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    with django_capture_on_commit_callbacks(execute=True):
        services.case_send_reply(
            actor=office.agent,
            case=case,
            body=REPLY_TEXT,
            files=uploaded_files([SimpleUploadedFile("formulaire.pdf", form_pdf)]),
        )
    reply_mail = wait_until(
        lambda: [
            m
            for m in smtp.to(USAGER)
            if REPLY_TEXT[:30] in m.get_body(preferencelist=("plain",)).get_content()
        ]
    )[-1]
    (attached,) = list(reply_mail.iter_attachments())
    assert attached.get_filename() == "formulaire.pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_payload(decode=True) == form_pdf
    delivery = Delivery.objects.get(reply__case=case)
    assert delivery.status == Delivery.Status.DELIVERED
    assert reply_mail["Message-ID"].strip() == delivery.message_id
    assert ack["Message-ID"].strip() in reply_mail["References"]

    # 4. The usager answers from their mail client: In-Reply-To, no reference in the subject.
    answer = usager_mail(
        subject="Re: Question sur ma pension",
        body=(
            "Merci, voici mon numéro d'allocataire : 1234567.\n\n"
            f"Le lun. 3 juin 2026 à 09:00, Guichet <{CONTACT}> a écrit :\n> {REPLY_TEXT[:40]}\n"
        ),
        headers={
            "In-Reply-To": reply_mail["Message-ID"],
            "References": f"{reply_mail['References']} {reply_mail['Message-ID']}",
        },
    )
    answer.replace_header("To", reply_mail["Reply-To"])
    send(answer)
    wait_until(lambda: dovecot.uids("caf69"), what="the answer in the mailbox")
    poll(django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS  # answered → back to its agent
    message = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE)
    assert message.data["body"] == "Merci, voici mon numéro d'allocataire : 1234567."
    assert Case.objects.filter(administration=office.administration).count() == 1

    # 5. The agent waits for the usager; an out-of-office answers: the case keeps waiting.
    case = services.case_transition(actor=office.agent, case=case, action="await_usager")
    out_of_office = usager_mail(
        subject="Réponse automatique : Question sur ma pension",
        body="Je suis absente jusqu'au 15 juin.",
        headers={"Auto-Submitted": "auto-replied", "In-Reply-To": reply_mail["Message-ID"]},
    )
    send(out_of_office)
    wait_until(lambda: dovecot.uids("caf69"), what="the out-of-office in the mailbox")
    poll(django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.status == Status.AWAITING_USAGER
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.AUTO_REPLY).count() == 1
    assert Acknowledgement.objects.count() == 1  # never one for an automatic reply

    # 6. A bounce names the reply's Message-ID: the delivery is marked failed with the reason.
    bounce = (
        (FIXTURES / "bounce_dsn.eml")
        .read_text()
        .replace("{recipient}", USAGER)
        .replace("{original_message_id}", delivery.message_id)
    )
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as connection:
        connection.sendmail("", [CONTACT], bounce.replace("\n", "\r\n").encode())
    wait_until(lambda: dovecot.uids("caf69"), what="the bounce in the mailbox")
    poll(django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and "User unknown" in delivery.last_error
    case.refresh_from_db()
    assert case.status == Status.AWAITING_USAGER
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.BOUNCE).count() == 1
    # Everything read was moved out of the inbox, each once.
    assert dovecot.uids("caf69") == [] and len(dovecot.uids("caf69", "Guichet")) == 4
    # Sending an acknowledgement again does nothing (the claim decides).
    assert acknowledgement_send(acknowledgement_id=Acknowledgement.objects.get().pk) == "skipped"


def test_an_answer_to_the_survey_invitation_reaches_the_case(
    office, dovecot, smtp, settings, django_capture_on_commit_callbacks
):
    # The usager answers the survey's mail ("Merci, mais...") from their mail client: the
    # answer must go to the administration's mailbox and join the case, like an answer to the
    # reply; and no out-of-office answers the invitation.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp.host, smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "ne-pas-repondre@guichet.example.gouv.fr"
    make_mailbox(office, dovecot)

    def send(message: EmailMessage) -> None:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as connection:
            connection.send_message(message)

    send(usager_mail(message_id="<question@example.org>"))
    wait_until(lambda: dovecot.uids("caf69"), what="the usager's mail in the mailbox")
    poll(django_capture_on_commit_callbacks)
    case = services.case_take(
        actor=office.agent, case=Case.objects.get(administration=office.administration)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)
    survey = wait_until(lambda: [m for m in smtp.to(USAGER) if "/enquete/" in text_of(m)])[0]
    delivery = Delivery.objects.get(reply__case=case)
    assert survey["Reply-To"] == CONTACT
    assert survey["Auto-Submitted"] == "auto-generated"
    assert survey["In-Reply-To"] == "<question@example.org>"
    assert delivery.message_id in survey["References"]
    assert case.reference in survey["Subject"]

    quoted = "\n".join("> " + line for line in text_of(survey).splitlines())
    answer = usager_mail(
        subject=f"Re: {survey['Subject']}",
        body=(
            "Merci, mais je n'ai toujours pas reçu ma pension.\n\n"
            f"Le lun. 7 déc. 2026 à 10:00, {CONTACT} a écrit :\n{quoted}\n"
        ),
        headers={
            "In-Reply-To": survey["Message-ID"],
            "References": f"{survey['References']} {survey['Message-ID']}",
        },
    )
    answer.replace_header("To", survey["Reply-To"])
    send(answer)
    wait_until(lambda: dovecot.uids("caf69"), what="the answer in the mailbox")
    poll(django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    message = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE)
    assert message.data["body"] == "Merci, mais je n'ai toujours pas reçu ma pension."
    # The usager's personal survey link, quoted back, is not shown to the agents (who could
    # answer in their place).
    assert "/enquete/" in text_of(survey)
    assert "/enquete/" not in message.data["full_body"]
    assert "(lien personnel de l'enquête retiré)" in message.data["full_body"]


def test_folders_with_accents_are_read_and_filled(
    office, dovecot, django_capture_on_commit_callbacks
):
    # A French administrator names the folders "Boîte usagers" and "Traités": IMAP writes such
    # names in modified UTF-7 (RFC 3501); sent raw, imaplib could not even send the command and
    # no mail was read at all.
    from cases.intake.imap import imap_utf7

    assert imap_utf7("Traités") == "Trait&AOk-s"
    assert imap_utf7("Boîte usagers") == "Bo&AO4-te usagers"
    assert imap_utf7("R&D") == "R&-D"
    # A name already written so (to get round the older version) is sent as it is.
    assert imap_utf7("INBOX.Trait&AOk-s") == "INBOX.Trait&AOk-s"
    assert imap_utf7("R&-D") == "R&-D"
    assert imap_utf7("A&B-C") == "A&-B-C"  # not a valid run: an ordinary "&"
    client = dovecot.client("caf69")
    try:
        assert client.create('"Bo&AO4-te usagers"')[0] == "OK"
    finally:
        client.logout()
    make_mailbox(office, dovecot, folder="Boîte usagers", processed_folder="Traités")
    message = usager_mail(message_id="<accents@example.org>")
    dovecot.append("caf69", bytes(message), "Bo&AO4-te usagers")
    output = poll(django_capture_on_commit_callbacks)
    assert "1 message(s) read" in output
    assert Case.objects.filter(administration=office.administration).count() == 1
    assert dovecot.uids("caf69", "Bo&AO4-te usagers") == []
    assert len(dovecot.uids("caf69", "Trait&AOk-s")) == 1


def test_a_password_with_accents_signs_in(office, django_capture_on_commit_callbacks):
    # imaplib's LOGIN speaks ASCII only: "Épée-2026€" raised UnicodeEncodeError, nothing was
    # read, nothing said to the administrator, and the mailboxes after this one were not read.
    password = "Épée-2026€"
    server = start_dovecot({"caf69": password})
    try:
        make_mailbox(office, server, password=password)
        server.append("caf69", bytes(usager_mail(message_id="<accented-password@example.org>")))
        assert "1 message(s) read" in poll(django_capture_on_commit_callbacks)
        assert Case.objects.filter(administration=office.administration).count() == 1
        assert Mailbox.objects.get(administration=office.administration).last_error == ""
    finally:
        server.stop()


def test_a_defect_met_on_one_mailbox_does_not_leave_the_others_unread(
    office, elsewhere, dovecot, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    """Mailboxes are read one after the other: an unexpected error on the first (here the IMAP
    library failing on its folder) is logged and shown on that mailbox, and the next
    administration's mail is still read."""
    import imaplib

    from cases.intake.imap import password_encrypt

    broken = make_mailbox(office, dovecot, folder="Cassee")
    working = Mailbox.objects.create(
        administration=elsewhere,
        address="contact@autre.example.gouv.fr",
        host="127.0.0.1",
        port=dovecot.port,
        security=Mailbox.Security.NONE,
        username="caf69",
        password_encrypted=password_encrypt(PASSWORD),
        folder="INBOX",
        after_read=Mailbox.AfterRead.MOVE,
        processed_folder="Guichet",
        is_active=True,
    )
    assert broken.pk < working.pk  # read first
    dovecot.append("caf69", bytes(usager_mail()))
    select = imaplib.IMAP4.select

    def failing_select(self, mailbox="INBOX", readonly=False):
        if "Cassee" in str(mailbox):
            raise RuntimeError("a defect in the library")
        return select(self, mailbox, readonly)

    monkeypatch.setattr(imaplib.IMAP4, "select", failing_select)
    with pytest.raises(CommandError, match="1 mailbox"):
        poll(django_capture_on_commit_callbacks)
    assert Case.objects.filter(administration=elsewhere, channel=Channel.EMAIL).count() == 1
    broken.refresh_from_db()
    working.refresh_from_db()
    assert broken.last_error == Mailbox.Failure.INTERNAL and broken.lease_until is None
    assert working.last_error == "" and working.last_polled_at is not None
    assert "a defect in the library" in caplog.text  # the traceback is in the log


def test_the_polls_time_limit_is_not_taken_for_a_mailbox_defect(
    office, dovecot, django_capture_on_commit_callbacks, monkeypatch
):
    """Celery's soft time limit ends the poll: it is raised on (the task stops), the mailbox
    is not marked in error, and its lease is released for the next poll."""
    import imaplib

    from celery.exceptions import SoftTimeLimitExceeded

    mailbox = make_mailbox(office, dovecot)

    def out_of_time(self, *args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(imaplib.IMAP4, "select", out_of_time)
    with pytest.raises(SoftTimeLimitExceeded):
        mailbox_poll(mailbox.pk)
    mailbox.refresh_from_db()
    assert mailbox.last_error == "" and mailbox.lease_until is None
