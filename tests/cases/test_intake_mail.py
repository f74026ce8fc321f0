"""E-mail intake: ``intake_mail`` reads .eml files and Maildir folders into cases, once."""

from __future__ import annotations

import datetime as dt
import mailbox
from email.message import EmailMessage
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases import services
from cases.models import (
    Attachment,
    Case,
    CaseEvent,
    Channel,
    InboundEmail,
    QuarantinedEmail,
    Status,
)
from tests.case_states import REPLY_TEXT, bring_to, counts

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%%EOF\n"


def make_email(
    subject="Question sur ma pension",
    body="Bonjour,\nje n'ai pas reçu ma pension ce mois-ci.\nCordialement",
    sender="Jeanne Roux <jeanne.roux@example.org>",
    message_id="<abc123@mail.example.org>",
    attachments=(),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "contact@caf69.example.gouv.fr"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body)
    for name, content, maintype, subtype in attachments:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


def write(tmp_path: Path, name: str, raw: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(raw)
    return str(path)


def run(office, *paths) -> str:
    out = StringIO()
    call_command("intake_mail", "--administration", office.administration.slug, *paths, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_eml_file_becomes_an_email_case(office, tmp_path):
    output = run(office, write(tmp_path, "1.eml", make_email()))
    case = Case.objects.get(administration=office.administration)
    assert case.channel == Channel.EMAIL
    assert case.subject == "Question sur ma pension"
    assert "pas reçu ma pension" in case.body
    assert case.usager_name == "Jeanne Roux"
    assert case.usager_email == "jeanne.roux@example.org"
    assert "1 case(s) created" in output
    assert InboundEmail.objects.get().message_id == "<abc123@mail.example.org>"


def test_control_characters_of_an_encoded_subject_are_not_kept(office, tmp_path):
    raw = make_email(subject="x").replace(
        b"Subject: x", b"Subject: =?utf-8?q?Hello=0D=0ABcc:_x@example.org=1B=07?="
    )
    run(office, write(tmp_path, "1.eml", raw))
    assert Case.objects.get(administration=office.administration).subject == (
        "Hello Bcc: x@example.org"
    )


def test_the_same_message_is_never_processed_twice(office, tmp_path):
    first = write(tmp_path, "1.eml", make_email())
    # The same message delivered again under another file name (a copy, a re-sync).
    copy = write(tmp_path, "copy.eml", make_email())
    run(office, first)
    output = run(office, first, copy)
    assert Case.objects.filter(administration=office.administration).count() == 1
    assert "2 already processed" in output
    assert InboundEmail.objects.count() == 1


def test_without_message_id_the_raw_bytes_identify_the_message(office, tmp_path):
    raw = make_email(message_id="")
    run(office, write(tmp_path, "a.eml", raw), write(tmp_path, "b.eml", raw))
    assert Case.objects.filter(administration=office.administration).count() == 1
    run(office, write(tmp_path, "c.eml", make_email(message_id="", body="Autre message.")))
    assert Case.objects.filter(administration=office.administration).count() == 2


def test_maildir_folder_is_read_once(office, tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(make_email(message_id="<m1@example.org>"))
    box.add(make_email(message_id="<m2@example.org>", subject="Autre question"))
    output = run(office, str(tmp_path / "Maildir"))
    assert "2 case(s) created" in output
    box.add(make_email(message_id="<m3@example.org>", subject="Troisième"))
    output = run(office, str(tmp_path / "Maildir"))
    assert "1 case(s) created" in output and "2 already processed" in output
    assert Case.objects.filter(administration=office.administration).count() == 3


def test_answer_with_the_reference_resumes_the_case_awaiting_the_usager(office, tmp_path):
    case = bring_to(Status.AWAITING_USAGER, office)
    version = case.version
    raw = make_email(
        subject=f"RE: [{case.reference}] Question sur mes aides au logement",
        body="Voici le justificatif demandé.",
        sender=f"Camille Martin <{case.usager_email}>",
        message_id="<answer-1@example.org>",
        attachments=[("justificatif.pdf", PDF, "application", "pdf")],
    )
    output = run(office, write(tmp_path, "answer.eml", raw))
    assert "1 added to an existing case" in output
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.version == version + 1
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE)
    assert event.data["body"] == "Voici le justificatif demandé."
    assert event.data["sender"] == case.usager_email
    assert (event.from_status, event.to_status) == (Status.AWAITING_USAGER, Status.IN_PROGRESS)
    assert Attachment.objects.get(case=case).content_type == "application/pdf"
    assert Case.objects.filter(administration=office.administration).count() == 1
    # Read again: nothing more.
    run(office, write(tmp_path, "again.eml", raw))
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE).count() == 1


def test_answer_to_an_answered_case_goes_back_to_its_agent(office, tmp_path):
    case = bring_to(Status.ANSWERED, office)
    raw = make_email(subject=f"Re: {case.reference}", sender=case.usager_email)
    run(office, write(tmp_path, "a.eml", raw))
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.assignee == office.agent


def test_answer_to_a_recently_closed_case_reopens_it(office, tmp_path):
    case = bring_to(Status.CLOSED, office)
    raw = make_email(subject=f"Re: {case.reference}", sender=case.usager_email)
    output = run(office, write(tmp_path, "a.eml", raw))
    assert "1 added to an existing case" in output
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS and case.closed_at is None
    reopened = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.REOPENED, actor=None)
    assert (reopened.from_status, reopened.to_status) == (Status.CLOSED, Status.IN_PROGRESS)
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE).exists()
    assert Case.objects.filter(administration=office.administration).count() == 1


def test_answer_to_a_case_closed_long_ago_opens_a_linked_follow_up(office, tmp_path, settings):
    settings.MAIL_REOPEN_WITHIN_DAYS = 30
    case = bring_to(Status.CLOSED, office)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=31))
    raw = make_email(subject=f"Re: {case.reference}", sender=case.usager_email)
    output = run(office, write(tmp_path, "a.eml", raw))
    assert "1 follow-up(s)" in output
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    follow_up = Case.objects.exclude(pk=case.pk).get(administration=office.administration)
    assert case.reference in follow_up.body and follow_up.channel == Channel.EMAIL
    link = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.FOLLOW_UP_OPENED)
    assert link.data["follow_up_reference"] == follow_up.reference


def test_someone_else_cannot_write_into_a_case_by_its_reference(office, tmp_path):
    case = bring_to(Status.AWAITING_USAGER, office)
    raw = make_email(subject=f"Re: {case.reference}", sender="intrus@example.net")
    run(office, write(tmp_path, "a.eml", raw))
    case.refresh_from_db()
    assert case.status == Status.AWAITING_USAGER
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE).exists()
    other = Case.objects.exclude(pk=case.pk).get(administration=office.administration)
    assert other.usager_email == "intrus@example.net" and case.reference in other.body


def test_reference_of_another_administration_is_not_followed(office, elsewhere, tmp_path):
    other_case = services.case_create(
        actor=None,
        administration=elsewhere,
        channel=Channel.EMAIL,
        subject="Autre",
        body="Autre",
    )
    run(office, write(tmp_path, "a.eml", make_email(subject=f"Re: {other_case.reference}")))
    assert not CaseEvent.objects.filter(case=other_case, kind="usager_message").exists()
    assert Case.objects.filter(administration=office.administration).count() == 1


def test_unknown_reference_of_the_administration_creates_a_case(office, tmp_path):
    code = office.administration.code
    run(office, write(tmp_path, "a.eml", make_email(subject=f"Re: {code}-2020-999999")))
    assert Case.objects.filter(administration=office.administration).count() == 1


def test_refused_attachments_are_left_out_not_the_message(office, tmp_path):
    raw = make_email(attachments=[("virus.exe", b"MZ\x90\x00", "application", "octet-stream")])
    run(office, write(tmp_path, "a.eml", raw))
    case = Case.objects.get(administration=office.administration)
    assert "virus.exe" in case.body
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        b"\x00\x01\x02 not an e-mail at all",
        b"Subject: no sender\r\n\r\nBody\r\n",
        b"From: Jeanne <pas-une-adresse>\r\nSubject: x\r\n\r\nBody\r\n",
        b"From: jeanne@example.org\r\n\r\n",
    ],
)
def test_malformed_message_is_named_and_quarantined(office, tmp_path, raw):
    good = write(tmp_path, "good.eml", make_email())
    bad = write(tmp_path, "bad.eml", raw)
    before = counts()
    with pytest.raises(CommandError) as excinfo:
        run(office, bad, good)
    assert "bad.eml" in str(excinfo.value)
    # The good message was read; the bad one left only its quarantine row.
    assert Case.objects.filter(administration=office.administration).count() == 1
    assert InboundEmail.objects.count() == 1
    assert counts()["cases"] == before["cases"] + 1
    kept = QuarantinedEmail.objects.get(administration=office.administration)
    assert bytes(kept.raw) == raw and kept.source.endswith("bad.eml")
    # Read again: skipped as quarantined before, the command succeeds.
    assert "1 quarantined before" in run(office, bad)


def test_unknown_administration_or_path_is_refused(office, tmp_path):
    with pytest.raises(CommandError, match="administration"):
        call_command("intake_mail", "--administration", "nope", write(tmp_path, "a.eml", b""))
    with pytest.raises(CommandError, match="Not found"):
        run(office, str(tmp_path / "missing.eml"))
    (tmp_path / "notmaildir").mkdir()
    with pytest.raises(CommandError, match="Maildir"):
        run(office, str(tmp_path / "notmaildir"))
    assert not Case.objects.exists()


def test_reply_subject_carries_the_reference_for_the_round_trip(office, tmp_path, mailoutbox):
    """The reply e-mail's subject holds the reference: the usager's answer finds its case."""
    case = bring_to(Status.IN_PROGRESS, office)
    services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)
    # Delivery runs after commit: in these tests the transaction never commits, so run it.
    from cases.delivery.pipeline import delivery_attempt
    from cases.delivery.services import delivery_create
    from cases.models import Reply

    delivery = delivery_create(reply_id=Reply.objects.get(case=case).pk)
    delivery_attempt(delivery_id=delivery.pk)
    sent = mailoutbox[-1]
    assert case.reference in sent.subject
    answer = make_email(
        subject=f"Re: {sent.subject}", sender=case.usager_email, message_id="<rt@example.org>"
    )
    run(office, write(tmp_path, "rt.eml", answer))
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE).exists()


def test_html_only_and_unknown_charset_messages_are_read(office, tmp_path):
    html = (
        b"From: Marc <marc@example.org>\r\nSubject: En HTML\r\nMessage-ID: <h@x>\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<p>Bonjour, <b>ma carte</b> est perdue.</p><script>alert(1)</script>\r\n"
    )
    odd = (
        b"From: Marc <marc@example.org>\r\nSubject: Charset\r\nMessage-ID: <c@x>\r\n"
        b"Content-Type: text/plain; charset=x-inconnu\r\n\r\nCaf\xc3\xa9 cr\xe9me\r\n"
    )
    run(office, write(tmp_path, "h.eml", html), write(tmp_path, "c.eml", odd))
    bodies = dict(
        Case.objects.filter(administration=office.administration).values_list("subject", "body")
    )
    assert "Bonjour, ma carte est perdue." in bodies["En HTML"]
    assert "<p>" not in bodies["En HTML"]
    assert bodies["Charset"].startswith("Café cr")


def test_windows_1252_text_labelled_iso_8859_1_reads_right(office, tmp_path):
    # Outlook and many webmails label Windows-1252 text "iso-8859-1": its apostrophe, dash and
    # euro sign then decode as invisible control characters ("Je narrive pas").
    raw = (
        b"From: =?iso-8859-1?q?Ren=E9e_O=92Brien?= <renee@example.org>\r\n"
        b"Subject: =?iso-8859-1?q?L=92aide_au_logement_=96_question?=\r\n"
        b"Message-ID: <cp1252@example.org>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"Bonjour,\r\nJe n\x92arrive pas \xe0 d\xe9clarer \x96 il me manque 200 \x80\x85\r\n"
        b"Ren\xe9e\r\n"
    )
    run(office, write(tmp_path, "cp1252.eml", raw))
    case = Case.objects.get(administration=office.administration, usager_email="renee@example.org")
    assert case.subject == "L’aide au logement – question"
    assert case.usager_name == "Renée O’Brien"
    assert "Je n’arrive pas à déclarer – il me manque 200 €…" in case.body
    assert not any("\x80" <= char <= "\x9f" for char in case.subject + case.body)


def test_a_document_sent_without_subject_or_text_reaches_an_agent(office, tmp_path):
    # Sent from a phone's "share" menu: no subject, no text, the PDF only. Quarantined, it
    # would have reached nobody.
    message = EmailMessage()
    message["From"] = "Ana Silva <ana.silva@example.org>"
    message["To"] = "contact@caf69.example.gouv.fr"
    message["Message-ID"] = "<only-a-file@example.org>"
    message.set_content("\n")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="avis.pdf")
    run(office, write(tmp_path, "file.eml", bytes(message)))
    assert not QuarantinedEmail.objects.exists()
    case = Case.objects.get(
        administration=office.administration, usager_email="ana.silva@example.org"
    )
    assert case.subject == "(sans objet)"
    assert case.body == "(Aucun texte\u00a0: le message n'apporte que des pièces jointes.)"
    assert list(Attachment.objects.filter(case=case).values_list("original_name", flat=True)) == [
        "avis.pdf"
    ]


def test_a_message_forwarded_as_an_attachment_is_read_with_its_files(office, tmp_path):
    # Outlook's "Transférer en tant que pièce jointe": the question is inside the attached
    # message, with its own PDF. Dropped, the agent would read "voir ci-joint" and nothing.
    original = EmailMessage()
    original["From"] = "Marie Roux <marie.roux@example.org>"
    original["Date"] = "Mon, 30 Nov 2026 18:02:00 +0100"
    original["Subject"] = "Allocations de novembre"
    original.set_content("Je n'ai pas reçu mes allocations de novembre.")
    original.add_attachment(PDF, maintype="application", subtype="pdf", filename="releve.pdf")
    message = EmailMessage()
    message["From"] = "Paul Roux <paul.roux@example.org>"
    message["To"] = "contact@caf69.example.gouv.fr"
    message["Subject"] = "TR: Allocations de novembre"
    message["Message-ID"] = "<forward-as-attachment@example.org>"
    message.set_content("Bonjour, voir le message de ma mère ci-joint.")
    message.add_attachment(original)
    run(office, write(tmp_path, "fwd.eml", bytes(message)))
    case = Case.objects.get(administration=office.administration)
    assert case.body.startswith("Bonjour, voir le message de ma mère ci-joint.")
    assert "Message joint\u00a0: Allocations de novembre" in case.body
    assert "De\u00a0: Marie Roux <marie.roux@example.org>" in case.body
    assert "Je n'ai pas reçu mes allocations de novembre." in case.body
    assert list(Attachment.objects.filter(case=case).values_list("original_name", flat=True)) == [
        "releve.pdf"
    ]


def test_a_contact_form_mail_is_answered_at_its_reply_to_address(office, tmp_path, mailoutbox):
    # A website's contact form writes from its no-reply address, Reply-To the usager: the
    # case and its reply go to the usager, as their mail client would (no automatic
    # acknowledgement goes to an address a message names: anyone may name any).
    message = EmailMessage()
    message["From"] = "Formulaire de contact <ne-pas-repondre@caf69.example.gouv.fr>"
    message["Reply-To"] = "Awa Diop <awa.diop@example.org>"
    message["To"] = "contact@caf69.example.gouv.fr"
    message["Subject"] = "Formulaire de contact : changement de situation"
    message["Message-ID"] = "<form-1@caf69.example.gouv.fr>"
    message.set_content("Je me suis mariée le 3 octobre, que dois-je déclarer ?")
    run(office, write(tmp_path, "form.eml", bytes(message)))
    case = Case.objects.get(administration=office.administration)
    assert (case.usager_email, case.usager_name) == ("awa.diop@example.org", "Awa Diop")
    # Her answer, from her own address with the reference, joins the case.
    case = services.case_take(actor=office.agent, case=case)
    services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)
    from cases.delivery.pipeline import delivery_attempt
    from cases.delivery.services import delivery_create
    from cases.models import Reply

    delivery_attempt(delivery_id=delivery_create(reply_id=Reply.objects.get(case=case).pk).pk)
    assert mailoutbox[-1].to == ["awa.diop@example.org"]
    answer = make_email(
        subject=f"Re: {mailoutbox[-1].subject}",
        sender="Awa Diop <awa.diop@example.org>",
        message_id="<awa-2@example.org>",
    )
    run(office, write(tmp_path, "answer.eml", answer))
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE).exists()
    # Without a name of its own, a Reply-To address does not take the form's name.
    message.replace_header("Reply-To", "bilal@example.org")
    message.replace_header("Message-ID", "<form-2@caf69.example.gouv.fr>")
    run(office, write(tmp_path, "form2.eml", bytes(message)))
    other = Case.objects.get(administration=office.administration, usager_email="bilal@example.org")
    assert other.usager_name == ""


def test_an_unusable_reply_to_leaves_the_from_address(office, tmp_path):
    for index, reply_to in enumerate(["pas une adresse", "a@example.org, b@example.org"]):
        message = EmailMessage()
        message["From"] = "Jeanne Roux <jeanne.roux@example.org>"
        message["Reply-To"] = reply_to
        message["Subject"] = "Question"
        message["Message-ID"] = f"<bad-reply-to-{index}@example.org>"
        message.set_content("Bonjour")
        run(office, write(tmp_path, f"r{index}.eml", bytes(message)))
    assert set(
        Case.objects.filter(administration=office.administration).values_list(
            "usager_email", flat=True
        )
    ) == {"jeanne.roux@example.org"}


def test_a_text_longer_than_a_case_holds_is_cut_not_quarantined(office, tmp_path):
    # A usager pastes a whole document in their mail: the case holds 50,000 characters; the
    # message reaches an agent, cut with a note, and stays whole in the full message.
    long_text = "Bonjour,\n" + "Voici le relevé complet de mes paiements de l'année. " * 1_200
    run(office, write(tmp_path, "long.eml", make_email(body=long_text)))
    assert not QuarantinedEmail.objects.exists()
    case = Case.objects.get(administration=office.administration)
    assert len(case.body) <= 50_000
    assert case.body.endswith(
        "(Texte coupé ici\u00a0: le message entier est sous «\u00a0Message complet tel que "
        "reçu\u00a0».)"
    )
    assert InboundEmail.objects.get(case=case).full_text == long_text.strip()


def test_a_huge_message_is_kept_bounded(office, tmp_path):
    # Anyone can send megabytes of text: what the case's timeline keeps for good, and its
    # page shows at each load, is bounded, with a note where it was cut.
    from cases.intake.reading import MAX_FULL_TEXT

    huge = "Bonjour,\n" + "Une ligne de plus dans un très long message. " * 30_000
    run(office, write(tmp_path, "huge.eml", make_email(body=huge)))
    case = Case.objects.get(administration=office.administration)
    full = InboundEmail.objects.get(case=case).full_text
    assert len(huge) > MAX_FULL_TEXT and len(full) < MAX_FULL_TEXT + 200
    assert full.endswith("(Message coupé ici\u00a0: il dépasse ce qu'une page de dossier affiche.)")


def test_a_reference_typed_in_lower_case_finds_its_case(office, tmp_path):
    case = bring_to(Status.AWAITING_USAGER, office)
    raw = make_email(
        subject=f"dossier {case.reference.lower()} suite",
        body="Voici mon numéro d'allocataire : 1234567.",
        sender=case.usager_email,
        message_id="<lower-reference@example.org>",
    )
    assert "1 added to an existing case" in run(office, write(tmp_path, "lower.eml", raw))
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
