"""E-mail threads (issue 16): outgoing mails carry their own Message-ID and the case's thread,
answers join their case by In-Reply-To/References within the receiving administration only,
automatic replies and bounces never resume a case, unreadable messages are quarantined, and
acknowledgements of receipt are sent once, within the mentions the law expects."""

from __future__ import annotations

import datetime as dt
import json
import socket
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.followups.models import FollowUp
from accounts.followups.registry import followup_run
from accounts.models import AuditEntry
from cases import services
from cases.delivery.pipeline import delivery_attempt
from cases.delivery.services import delivery_create
from cases.intake.acknowledgement import (
    ACKNOWLEDGEMENT,
    DEFAULT_BODY,
    DEFAULT_SUBJECT,
    acknowledgement_followup,
    acknowledgement_render,
)
from cases.intake.mail import email_receive
from cases.intake.quarantine import mail_read_one
from cases.intake.settings_services import acknowledgement_settings_save
from cases.models import (
    Acknowledgement,
    AcknowledgementSettings,
    Attachment,
    Case,
    CaseEvent,
    Channel,
    ChannelEndpoint,
    Delivery,
    InboundEmail,
    QuarantinedEmail,
    Reply,
    Status,
)
from tests.case_states import REPLY_TEXT
from tests.factories import make_case

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
USAGER = "jeanne.roux@example.org"


def mail(
    *,
    subject="Question sur ma pension",
    body="Bonjour,\nje n'ai pas reçu ma pension ce mois-ci.\nJeanne",
    sender=f"Jeanne Roux <{USAGER}>",
    message_id="<first@example.org>",
    in_reply_to="",
    headers=None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "contact@caf69.example.gouv.fr"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return bytes(message)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def receive(office, raw, capture):
    with capture(execute=True):
        return email_receive(administration=office.administration, raw=raw)


def acknowledge(office, channels=(Channel.EMAIL,), **texts):
    return acknowledgement_settings_save(
        actor=office.administrator,
        administration=office.administration,
        channels=list(channels),
        subject=texts.get("subject", DEFAULT_SUBJECT),
        body=texts.get("body", DEFAULT_BODY),
        service_contact=texts.get("contact", "Accueil CAF, 67 bd Vivier-Merle, Lyon — 3230"),
    )


def reply_and_deliver(office, case, capture):
    case = Case.objects.get(pk=case.pk)
    if case.assignee_id is None:
        case = services.case_take(actor=office.agent, case=case)
    with capture(execute=True):
        reply = services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)
    delivery = Delivery.objects.filter(reply=reply).first() or delivery_create(reply_id=reply.pk)
    if delivery.status == Delivery.Status.PENDING:
        delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def test_reply_mail_has_its_own_message_id_and_threads_on_the_usager_message(
    office, mailoutbox, django_capture_on_commit_callbacks
):
    created = receive(office, mail(), django_capture_on_commit_callbacks)
    delivery = reply_and_deliver(office, created.case, django_capture_on_commit_callbacks)
    sent = [m for m in mailoutbox if m.to == [USAGER] and REPLY_TEXT in m.body][-1]
    assert delivery.message_id and sent.extra_headers["Message-ID"] == delivery.message_id
    assert sent.extra_headers["In-Reply-To"] == "<first@example.org>"
    assert sent.extra_headers["References"].split() == ["<first@example.org>"]


def test_answer_threads_by_in_reply_to_without_reference_in_subject(
    office, mailoutbox, django_capture_on_commit_callbacks
):
    case = receive(office, mail(), django_capture_on_commit_callbacks).case
    delivery = reply_and_deliver(office, case, django_capture_on_commit_callbacks)
    services.case_transition(actor=office.agent, case=Case.objects.get(pk=case.pk), action="reopen")
    services.case_transition(
        actor=office.agent, case=Case.objects.get(pk=case.pk), action="await_usager"
    )
    answer = mail(
        subject="Re: Question sur ma pension",
        body="Voici mon RIB.\n\nLe lun. 3 juin 2026 à 09:00, Guichet a écrit :\n> Bonjour",
        message_id="<second@example.org>",
        in_reply_to=delivery.message_id,
    )
    outcome = receive(office, answer, django_capture_on_commit_callbacks)
    assert outcome.outcome == "appended" and outcome.case.pk == case.pk
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    event = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE).get()
    assert event.data["body"] == "Voici mon RIB."  # quoted history set aside
    inbound = InboundEmail.objects.get(message_id="<second@example.org>")
    assert "Le lun. 3 juin 2026" in inbound.full_text  # the whole message kept
    # A later answer threads on the usager's own earlier message too.
    third = mail(subject="Encore", message_id="<third@example.org>", in_reply_to="<second@x>")
    third = third.replace(b"<second@x>", b"<second@example.org>")
    assert receive(office, third, django_capture_on_commit_callbacks).case.pk == case.pk


def test_threading_never_crosses_administrations(
    office, elsewhere, mailoutbox, django_capture_on_commit_callbacks
):
    case = receive(office, mail(), django_capture_on_commit_callbacks).case
    delivery = reply_and_deliver(office, case, django_capture_on_commit_callbacks)
    # The same answer reaches another administration's mailbox.
    answer = mail(message_id="<cross@example.org>", in_reply_to=delivery.message_id)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = email_receive(administration=elsewhere, raw=answer)
    assert outcome.outcome == "created"
    assert outcome.case.administration == elsewhere
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE).exists()
    # And an id of the usager's own message known to another administration neither.
    other = mail(message_id="<cross2@example.org>", in_reply_to="<first@example.org>")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = email_receive(administration=elsewhere, raw=other)
    assert outcome.case.administration == elsewhere and outcome.case.pk != case.pk


def test_someone_else_cannot_thread_on_the_usager_own_message_id(
    office, django_capture_on_commit_callbacks
):
    case = receive(office, mail(), django_capture_on_commit_callbacks).case
    intruder = mail(
        sender="intrus@example.net", message_id="<i@example.net>", in_reply_to="<first@example.org>"
    )
    outcome = receive(office, intruder, django_capture_on_commit_callbacks)
    assert outcome.outcome == "created" and outcome.case.pk != case.pk


@pytest.mark.parametrize("name", ["auto_reply_outlook_fr.eml", "auto_reply_subject_only_en.eml"])
def test_out_of_office_is_recorded_and_does_not_resume_the_case(
    office, name, mailoutbox, django_capture_on_commit_callbacks
):
    case = receive(office, mail(), django_capture_on_commit_callbacks).case
    case = services.case_take(actor=office.agent, case=case)
    case = services.case_transition(actor=office.agent, case=case, action="await_usager")
    version = case.version
    raw = (
        (FIXTURES / name)
        .read_bytes()
        .replace(b"Date:", b"In-Reply-To: <first@example.org>\r\nDate:", 1)
    )
    raw = raw.replace(b"marc.petit@outlook.fr", USAGER.encode()).replace(
        b"sam.taylor@yahoo.com", USAGER.encode()
    )
    outcome = receive(office, raw, django_capture_on_commit_callbacks)
    assert outcome.outcome == "auto_reply" and outcome.case.pk == case.pk
    case.refresh_from_db()
    assert case.status == Status.AWAITING_USAGER and case.version == version
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.AUTO_REPLY).count() == 1
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE).exists()


def test_automatic_reply_matching_no_case_creates_nothing(
    office, django_capture_on_commit_callbacks
):
    acknowledge(office)
    raw = (FIXTURES / "auto_reply_outlook_fr.eml").read_bytes()
    outcome = receive(office, raw, django_capture_on_commit_callbacks)
    assert outcome.outcome == "auto_reply" and outcome.case is None
    assert not Case.objects.filter(administration=office.administration).exists()
    assert not Acknowledgement.objects.exists()
    assert InboundEmail.objects.get().outcome == InboundEmail.Outcome.AUTO_REPLY


def test_a_contact_form_message_marked_automated_opens_a_case_without_acknowledgement(
    office, mailoutbox, django_capture_on_commit_callbacks
):
    """A website's form writes from a no-reply address, marked ``Auto-Submitted:
    auto-generated``, with the usager in Reply-To: their question reaches an agent (it used to
    be recorded as an absence notice and shown to nobody), and no acknowledgement answers a
    robot (RFC 3834)."""
    acknowledge(office)
    form = "ne-pas-repondre@site.example.gouv.fr"
    raw = mail(
        sender=f"Formulaire de contact <{form}>",
        subject="[Formulaire] Question sur ma pension",
        body="Nom : Jeanne Roux\nMessage : je n'ai pas reçu ma pension ce mois-ci.",
        headers={"Auto-Submitted": "auto-generated", "Reply-To": f"Jeanne Roux <{USAGER}>"},
    )
    outcome = receive(office, raw, django_capture_on_commit_callbacks)
    case = outcome.case
    assert outcome.outcome == InboundEmail.Outcome.CREATED and case is not None
    assert case.usager_email == USAGER and "pension ce mois-ci" in case.body
    assert not Acknowledgement.objects.exists() and not mailoutbox
    assert InboundEmail.objects.get().sender == form  # who wrote, kept apart
    # The form again, naming the case, with a document: appended to nobody's case by the
    # reference alone (the form is not the usager), but read with its file, never dropped.
    case = services.case_take(actor=office.agent, case=case)
    case = services.case_transition(actor=office.agent, case=case, action="await_usager")
    again = EmailMessage()
    again["From"] = form
    again["Reply-To"] = USAGER
    again["To"] = "contact@caf69.example.gouv.fr"
    again["Subject"] = f"Complément {case.reference}"
    again["Message-ID"] = "<again@site.example.gouv.fr>"
    again["Auto-Submitted"] = "auto-generated"
    again.set_content("Voici mon avis d'imposition.")
    again.add_attachment(
        b"%PDF-1.7\n%%EOF\n", maintype="application", subtype="pdf", filename="avis.pdf"
    )
    outcome = receive(office, bytes(again), django_capture_on_commit_callbacks)
    follow = outcome.case
    assert follow.pk != case.pk and case.reference in follow.body
    assert "avis d'imposition" in follow.body
    assert follow.attachments.get().original_name == "avis.pdf"
    assert Case.objects.get(pk=case.pk).status == Status.AWAITING_USAGER
    assert not Acknowledgement.objects.exists()


def test_a_newsletter_opens_no_case(office, mailoutbox, django_capture_on_commit_callbacks):
    acknowledge(office)
    raw = mail(
        sender="Lettre d'information <news@example.org>",
        subject="Notre lettre de décembre",
        headers={"Precedence": "bulk", "List-Unsubscribe": "<https://example.org/u>"},
    )
    outcome = receive(office, raw, django_capture_on_commit_callbacks)
    assert outcome.case is None
    assert not Case.objects.filter(administration=office.administration).exists()
    assert not mailoutbox


def test_reply_to_is_where_to_answer_never_who_wrote(
    office, mailoutbox, django_capture_on_commit_callbacks
):
    """Anyone may name any address in Reply-To: it says where to answer a new case, never
    whose case a message joins, and no automatic acknowledgement goes to it (the State's
    mailbox must not relay a stranger's text to an address they chose)."""
    acknowledge(office)
    case = receive(office, mail(), django_capture_on_commit_callbacks).case
    assert Acknowledgement.objects.filter(case=case).count() == 1
    mailoutbox.clear()
    forged = mail(
        sender="Mallory <mallory@evil.example>",
        subject=f"Re: [{case.reference}] mon nouveau RIB",
        message_id="<forged@evil.example>",
        headers={"Reply-To": f"Jeanne Roux <{USAGER}>"},
    )
    outcome = receive(office, forged, django_capture_on_commit_callbacks)
    # Not appended to Jeanne's case as hers: a new case, said to come from another address.
    assert outcome.case.pk != case.pk
    assert case.reference in outcome.case.body
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE).exists()
    # And no acknowledgement to the address the stranger named.
    assert Acknowledgement.objects.filter(case=outcome.case).count() == 0
    assert not mailoutbox


def test_bounce_marks_the_delivery_failed_with_its_reason(
    office, mailoutbox, django_capture_on_commit_callbacks
):
    case = receive(office, mail(), django_capture_on_commit_callbacks).case
    delivery = reply_and_deliver(office, case, django_capture_on_commit_callbacks)
    assert delivery.status == Delivery.Status.DELIVERED
    status_before = Case.objects.get(pk=case.pk).status
    raw = (
        (FIXTURES / "bounce_dsn.eml")
        .read_text()
        .replace("{recipient}", USAGER)
        .replace("{original_message_id}", delivery.message_id)
        .encode()
    )
    outcome = receive(office, raw, django_capture_on_commit_callbacks)
    assert outcome.outcome == "bounce" and outcome.case.pk == case.pk
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED and delivery.delivered_at is None
    assert "5.1.1" in delivery.last_error and "User unknown" in delivery.last_error
    assert Case.objects.get(pk=case.pk).status == status_before
    bounce = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.BOUNCE)
    assert bounce.data["delivery_id"] == delivery.pk
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.DELIVERY_FAILED).exists()
    assert Case.objects.filter(administration=office.administration).count() == 1


def test_nul_bytes_are_cleaned(office, django_capture_on_commit_callbacks):
    raw = mail(subject="Pension\x00 de mai", body="Bonjour\x00, ma pension.\n").replace(
        b"Jeanne Roux", b"Jeanne\x00 Roux"
    )
    assert b"\x00" in raw
    with django_capture_on_commit_callbacks(execute=True):
        result = mail_read_one(administration=office.administration, raw=raw, source="nul.eml")
    assert result.outcome == "created"
    case = result.case
    assert "\x00" not in case.subject + case.body + case.usager_name
    assert case.subject == "Pension de mai" and "Bonjour, ma pension." in case.body


def deep_mime(depth: int) -> bytes:
    head = b"From: jeanne.roux@example.org\r\nSubject: profond\r\nMIME-Version: 1.0\r\n"
    parts = b""
    for level in range(depth):
        parts += (
            f'Content-Type: multipart/mixed; boundary="b{level}"\r\n\r\n--b{level}\r\n'.encode()
        )
    parts += b"Content-Type: text/plain\r\n\r\nBonjour\r\n"
    for level in reversed(range(depth)):
        parts += f"--b{level}--\r\n".encode()
    return head + parts


@pytest.mark.parametrize("depth", [20, 3000])
def test_deep_mime_is_quarantined_and_the_next_message_read(
    office, depth, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bad = mail_read_one(
            administration=office.administration, raw=deep_mime(depth), source="deep.eml"
        )
        good = mail_read_one(administration=office.administration, raw=mail(), source="ok.eml")
    assert bad.outcome == "quarantined" and "MIME" in bad.error and "12" in bad.error
    assert good.outcome == "created"
    kept = QuarantinedEmail.objects.get(administration=office.administration)
    assert bytes(kept.raw) == deep_mime(depth) and kept.source == "deep.eml"
    entry = AuditEntry.objects.get(administration=office.administration, action="mail.quarantined")
    assert entry.data["quarantine_id"] == kept.pk


def test_acknowledgement_sent_once_with_the_legal_mentions(
    office, mailoutbox, django_capture_on_commit_callbacks
):
    acknowledge(office)
    case = receive(office, mail(), django_capture_on_commit_callbacks).case
    acknowledgement = Acknowledgement.objects.get(case=case)
    assert acknowledgement.status == Acknowledgement.Status.SENT
    sent = [
        m for m in mailoutbox if m.extra_headers.get("Message-ID") == acknowledgement.message_id
    ]
    assert len(sent) == 1
    text = sent[0].body
    assert case.reference in sent[0].subject and case.reference in text
    assert office.administration.name in text  # the service in charge
    assert "67 bd Vivier-Merle" in text  # how to reach it
    assert "L112-3" in text and "reçu votre demande le " in text
    assert sent[0].extra_headers["In-Reply-To"] == "<first@example.org>"
    assert sent[0].extra_headers["Auto-Submitted"] == "auto-generated"
    assert (
        CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ACKNOWLEDGEMENT_SENT).count() == 1
    )
    # The usager writes again on the case: no second acknowledgement.
    receive(
        office,
        mail(message_id="<again@example.org>", in_reply_to=acknowledgement.message_id),
        django_capture_on_commit_callbacks,
    )
    assert Acknowledgement.objects.count() == 1
    assert len([m for m in mailoutbox if "Accusé de réception" in m.subject]) == 1


def test_acknowledgement_is_a_follow_up_of_the_case_run_once(
    office, mailoutbox, django_capture_on_commit_callbacks
):
    acknowledge(office)
    case = receive(office, mail(), django_capture_on_commit_callbacks).case
    acknowledgement = Acknowledgement.objects.get(case=case)
    followup = FollowUp.objects.get(kind=ACKNOWLEDGEMENT)
    assert followup.payload == {"acknowledgement_id": acknowledgement.pk}
    assert followup.status == FollowUp.Status.DONE and followup.attempts == 1
    # A duplicated follow-up (a redelivered message, a sweep) sends nothing more.
    acknowledgement_followup(acknowledgement_id=acknowledgement.pk)
    assert len([m for m in mailoutbox if "Accusé de réception" in m.subject]) == 1
    assert FollowUp.objects.filter(kind=ACKNOWLEDGEMENT).count() == 1


def test_a_failed_acknowledgement_is_tried_again_later_then_marked_failed(
    office, settings, django_capture_on_commit_callbacks
):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: no mail server listens there
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.DELIVERY_MAX_ATTEMPTS = 2
    acknowledge(office)
    case = receive(office, mail(), django_capture_on_commit_callbacks).case
    acknowledgement = Acknowledgement.objects.get(case=case)
    assert (acknowledgement.status, acknowledgement.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in acknowledgement.last_error
    # The first follow-up is done; the next attempt is a new one, due after the backoff.
    first, retry = FollowUp.objects.filter(kind=ACKNOWLEDGEMENT).order_by("pk")
    assert first.status == FollowUp.Status.DONE and retry.status == FollowUp.Status.PENDING
    wait = (retry.due_at - timezone.now()).total_seconds()
    assert settings.DELIVERY_RETRY_BASE_SECONDS - 5 < wait <= settings.DELIVERY_RETRY_BASE_SECONDS
    assert followup_run(followup_id=retry.pk) == ("skipped", None)  # not due yet

    FollowUp.objects.filter(pk=retry.pk).update(due_at=timezone.now() - dt.timedelta(seconds=1))
    assert followup_run(followup_id=retry.pk) == ("done", None)
    acknowledgement.refresh_from_db()
    assert (acknowledgement.status, acknowledgement.attempts) == ("failed", 2)
    assert not FollowUp.objects.filter(kind=ACKNOWLEDGEMENT, status="pending").exists()
    failed = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.ACKNOWLEDGEMENT_FAILED)
    assert failed.data["attempts"] == 2


def test_acknowledgement_off_for_a_channel_sends_nothing(
    office, mailoutbox, django_capture_on_commit_callbacks
):
    acknowledge(office, channels=[Channel.SERVICE_PUBLIC_QUESTION])
    receive(office, mail(), django_capture_on_commit_callbacks)
    assert not Acknowledgement.objects.exists() and not mailoutbox


def test_acknowledgement_through_the_channel_callback(
    office, mailoutbox, django_capture_on_commit_callbacks, settings
):
    import http.server
    import threading

    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append((dict(self.headers), json.loads(self.rfile.read(length))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        ChannelEndpoint.objects.create(
            administration=office.administration,
            channel=Channel.EMAIL,
            callback_url=f"http://127.0.0.1:{server.server_port}/ack",
            signing_secret="s3cret",
        )
        acknowledge(office)
        case = receive(office, mail(), django_capture_on_commit_callbacks).case
    finally:
        server.shutdown()
        server.server_close()
    assert Acknowledgement.objects.get(case=case).status == Acknowledgement.Status.SENT
    headers, payload = received[0]
    assert headers["Idempotency-Key"].startswith("ack-")
    assert payload["case"]["reference"] == case.reference
    assert case.reference in payload["acknowledgement"]["body"]
    assert not mailoutbox


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        (DEFAULT_BODY.replace("{date_reception}", "hier"), "{date_reception}"),
        (DEFAULT_BODY.replace("{reference}", "la référence"), "{reference}"),
        (DEFAULT_BODY.replace("{service}", "nous"), "{service}"),
        (DEFAULT_BODY.replace("{contact}", "ici"), "{contact}"),
        (DEFAULT_BODY + " {inconnu}", "{inconnu}"),
        (DEFAULT_BODY + " {", "{reference}"),
    ],
)
def test_acknowledgement_text_must_keep_the_legal_mentions(office, body, missing):
    with pytest.raises(ValidationError) as excinfo:
        acknowledge(office, body=body)
    assert "body" in excinfo.value.message_dict
    assert missing in " ".join(excinfo.value.message_dict["body"])
    assert not AuditEntry.objects.filter(action="settings.acknowledgement_changed").exists()


def test_the_acknowledgement_fills_plain_placeholders_only(office):
    """A text saved before placeholders were checked renders its format spec as written: no
    padding to 200,000 characters, no attribute access; a value is not filled in again."""
    case = make_case(office.administration, usager_name="{reference}")
    config = AcknowledgementSettings(
        administration=office.administration,
        channels=[Channel.EMAIL],
        subject="Réf {reference:>200000}",
        body="{usager} — {reference} — {reference:>200000} — {canal.__class__} — {{x}}",
        service_contact="Accueil",
    )
    subject, body = acknowledgement_render(case, config)
    assert subject == "Réf {reference:>200000}"
    # A doubled brace is one brace, as str.format read the texts saved before.
    assert body == "{reference} — REF — {reference:>200000} — {canal.__class__} — {x}".replace(
        "REF", case.reference
    )


def test_reply_references_hold_the_whole_thread(
    office, mailoutbox, django_capture_on_commit_callbacks
):
    acknowledge(office)
    case = receive(office, mail(), django_capture_on_commit_callbacks).case
    first = reply_and_deliver(office, case, django_capture_on_commit_callbacks)
    receive(
        office,
        mail(message_id="<second@example.org>", in_reply_to=first.message_id),
        django_capture_on_commit_callbacks,
    )
    second = reply_and_deliver(office, case, django_capture_on_commit_callbacks)
    sent = next(m for m in mailoutbox if m.extra_headers.get("Message-ID") == second.message_id)
    ack = Acknowledgement.objects.get(case=case).message_id
    assert sent.extra_headers["In-Reply-To"] == "<second@example.org>"
    assert sent.extra_headers["References"].split() == [
        "<first@example.org>",
        ack,
        first.message_id,
        "<second@example.org>",
    ]
    assert Reply.objects.filter(case=case).count() == 2


def test_case_page_shows_the_new_text_first_and_the_full_message_folded(
    office, client, django_capture_on_commit_callbacks
):
    raw = (FIXTURES / "gmail_fr.eml").read_bytes()
    case = receive(office, raw, django_capture_on_commit_callbacks).case
    assert "Merci de nous envoyer" not in case.body  # what the agent and the drafter read
    answer = (
        (FIXTURES / "thunderbird_fr.eml")
        .read_bytes()
        .replace(b"lea.fontaine@laposte.net", b"jeanne.roux@gmail.com")
    )
    answer = answer.replace(
        b"Subject: Re: [CAF69-2026-000003]", f"Subject: Re: [{case.reference}]".encode()
    )
    receive(office, answer, django_capture_on_commit_callbacks)
    client.force_login(office.agent)
    html = client.get(f"/dossiers/{case.pk}/").content.decode()
    assert html.count('class="fr-mt-1w guichet-mail-full"') == 2
    assert "Merci de nous envoyer" in html and "Quand votre bail" in html
    assert html.index("Voici l&#x27;attestation") < html.index("Merci de nous envoyer")


def test_channel_intake_is_acknowledged_once_even_when_replayed(
    office, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.cases.test_intake_api import SP_QUESTION, URLS, client_for, post

    acknowledge(office, channels=[Channel.SERVICE_PUBLIC_QUESTION])
    client = client_for(office)
    for _attempt in range(2):  # the channel retries the same delivery
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, URLS["sp_question"], SP_QUESTION, key="q-1")
        assert response.status_code in (200, 201)
    case = Case.objects.get(administration=office.administration)
    assert Acknowledgement.objects.get(case=case).status == Acknowledgement.Status.SENT
    sent = [m for m in mailoutbox if "Accusé de réception" in m.subject]
    assert len(sent) == 1 and sent[0].to == ["lea@example.org"]
    assert "Renouvellement" not in sent[0].body and case.reference in sent[0].body


def test_the_upgrade_gives_waiting_acknowledgements_a_follow_up_once(
    office, mailoutbox, django_capture_on_commit_callbacks
):
    """Migration 0012: acknowledgements left pending by the version that had its own sweeper
    get a follow-up row (one, even if the migration's function runs twice); sent ones none."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("cases.migrations.0012_acknowledgements_as_followups")
    acknowledge(office)
    sent = receive(office, mail(), django_capture_on_commit_callbacks).case
    waiting = receive(
        office, mail(message_id="<other@example.org>"), django_capture_on_commit_callbacks
    ).case
    # As the previous version left them: no follow-up row, one acknowledgement still pending.
    FollowUp.objects.filter(kind=ACKNOWLEDGEMENT).delete()
    Acknowledgement.objects.filter(case=waiting).update(status="pending", sent_at=None)

    migration.add_followups(apps, None)
    migration.add_followups(apps, None)

    followup = FollowUp.objects.get(kind=ACKNOWLEDGEMENT)
    pending = Acknowledgement.objects.get(case=waiting)
    assert followup.payload == {"acknowledgement_id": pending.pk}
    assert Acknowledgement.objects.get(case=sent).status == "sent"
    assert followup_run(followup_id=followup.pk) == ("done", None)
    pending.refresh_from_db()
    assert pending.status == "sent"


def test_answer_attachments_and_refused_files_are_named_on_the_timeline(
    office, client, mailoutbox, django_capture_on_commit_callbacks
):
    # The usager answers the reply with their certificate and a Word document: the agent must
    # see which files came with this answer, and that the Word file was refused (not silence).
    case = receive(office, mail(), django_capture_on_commit_callbacks).case
    delivery = reply_and_deliver(office, case, django_capture_on_commit_callbacks)
    answer = EmailMessage()
    answer["From"] = f"Jeanne Roux <{USAGER}>"
    answer["To"] = "contact@caf69.example.gouv.fr"
    answer["Subject"] = f"Re: [{case.reference}] Question sur ma pension"
    answer["Message-ID"] = "<with-files@example.org>"
    answer["In-Reply-To"] = delivery.message_id
    answer.set_content("Voici mon attestation et mon courrier.")
    answer.add_attachment(
        b"%PDF-1.7\n%%EOF\n", maintype="application", subtype="pdf", filename="attestation.pdf"
    )
    answer.add_attachment(
        b"PK\x03\x04" + b"\x00" * 60,
        maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="courrier.docx",
    )
    assert receive(office, bytes(answer), django_capture_on_commit_callbacks).outcome == "appended"
    # A relative answering the reply from their own address joins by the thread.
    other = mail(
        sender="Paul Roux <paul.roux@example.org>",
        subject=f"Re: [{case.reference}] Question sur ma pension",
        body="Je suis son fils, elle est hospitalisée.",
        message_id="<son@example.org>",
        in_reply_to=delivery.message_id,
    )
    assert receive(office, other, django_capture_on_commit_callbacks).outcome == "appended"
    event = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE).first()
    assert event.data["attachments"] == ["attestation.pdf"]
    assert event.data["refused_attachments"] == ["courrier.docx"]
    client.force_login(office.agent)
    html = client.get(f"/dossiers/{case.pk}/").content.decode()
    assert "Pièces jointes\u00a0: attestation.pdf" in html
    assert "Pièces jointes refusées (type ou taille)" in html and "courrier.docx" in html
    assert html.count("data-usager-message-sender") == 1
    assert "paul.roux@example.org" in html


def test_a_later_reply_answers_the_usager_message_not_their_out_of_office(
    office, mailoutbox, django_capture_on_commit_callbacks
):
    case = receive(office, mail(), django_capture_on_commit_callbacks).case
    first = reply_and_deliver(office, case, django_capture_on_commit_callbacks)
    out_of_office = mail(
        subject="Réponse automatique : Question sur ma pension",
        body="Je suis absente jusqu'au 3 janvier.",
        message_id="<ooo@example.org>",
        in_reply_to=first.message_id,
        headers={"Auto-Submitted": "auto-replied"},
    )
    assert receive(office, out_of_office, django_capture_on_commit_callbacks).outcome == (
        "auto_reply"
    )
    services.case_transition(actor=office.agent, case=Case.objects.get(pk=case.pk), action="reopen")
    second = reply_and_deliver(office, case, django_capture_on_commit_callbacks)
    sent = [m for m in mailoutbox if m.extra_headers.get("Message-ID") == second.message_id][-1]
    assert sent.extra_headers["In-Reply-To"] == "<first@example.org>"
    assert "<ooo@example.org>" not in sent.extra_headers["References"]
    assert first.message_id in sent.extra_headers["References"]


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + bytes(
    40
)


def _with_inline_image(message: EmailMessage, content: bytes, cid: str, name: str) -> None:
    message.add_alternative(
        f'<p>{message.get_body().get_content()}</p><img src="cid:{cid[1:-1]}">', subtype="html"
    )
    message.get_body(preferencelist=("html",)).add_related(
        content, maintype="image", subtype="png", cid=cid, filename=name
    )


def test_an_image_pasted_in_the_text_is_kept_and_a_signature_logo_only_once(
    office, mailoutbox, django_capture_on_commit_callbacks
):
    # The usager pastes a screenshot of the error into their mail (an image of the HTML body,
    # in multipart/related): it must reach the agent. Their signature's logo, sent again with
    # each answer, is kept once.
    screenshot = PNG + b"screenshot"
    logo = PNG + b"logo"
    first = EmailMessage()
    first["From"] = f"Jeanne Roux <{USAGER}>"
    first["To"] = "contact@caf69.example.gouv.fr"
    first["Subject"] = "Erreur sur le site"
    first["Message-ID"] = "<screenshot@example.org>"
    first.set_content("Voici le message d'erreur que j'obtiens.")
    _with_inline_image(first, screenshot, "<shot@example.org>", "capture.png")
    first.get_body(preferencelist=("html",)).add_related(
        logo, maintype="image", subtype="png", cid="<logo@example.org>", filename="image001.png"
    )
    case = receive(office, bytes(first), django_capture_on_commit_callbacks).case
    stored = Attachment.objects.filter(case=case).order_by("pk")
    assert [a.original_name for a in stored] == ["capture.png", "image001.png"]
    delivery = reply_and_deliver(office, case, django_capture_on_commit_callbacks)
    answer = EmailMessage()
    answer["From"] = f"Jeanne Roux <{USAGER}>"
    answer["Subject"] = "Re: Erreur sur le site"
    answer["Message-ID"] = "<answer-logo@example.org>"
    answer["In-Reply-To"] = delivery.message_id
    answer.set_content("Toujours la même erreur.")
    _with_inline_image(answer, logo, "<logo2@example.org>", "image001.png")
    assert receive(office, bytes(answer), django_capture_on_commit_callbacks).outcome == "appended"
    assert Attachment.objects.filter(case=case).count() == 2
    event = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE).get()
    assert event.data["attachments"] == []
