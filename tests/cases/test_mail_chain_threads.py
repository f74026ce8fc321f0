"""An answer to a mail about a transferred request, from another address of the usager's, still
reaches the case that works the request: the mail's id (nobody can guess it) makes it a thread,
whichever mailbox receives it."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail

from cases import services
from cases.intake.mail import email_receive
from cases.models import Case, Channel, Mailbox
from tests.case_states import REPLY_TEXT, make_office

pytestmark = pytest.mark.django_db

CAF = "contact@caf69.example.gouv.fr"
USAGER = "jeanne.roux@example.org"


def _answer(subject: str, body: str, sender: str, answering: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = CAF
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.org")
    message["In-Reply-To"] = answering
    message["References"] = answering
    message.set_content(body)
    return message.as_bytes()


def test_an_answer_from_another_address_to_the_new_service_mail_reaches_its_case(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    caf = make_office("Caisse d'allocations familiales du Rhône", "CAF69")
    ddfip = make_office("Direction départementale des finances publiques", "DDFIP69")
    Mailbox.objects.create(
        administration=caf.administration,
        address=CAF,
        host="127.0.0.1",
        username="u",
        is_active=True,
    )
    first = services.case_create(
        actor=caf.agent,
        administration=caf.administration,
        channel=Channel.EMAIL,
        subject="Taxe foncière",
        body="Ma taxe foncière est trop élevée, que faire ?",
        usager_email=USAGER,
    )
    first = services.case_take(actor=caf.agent, case=first)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_transfer(
            actor=caf.agent,
            case=first,
            target_administration=ddfip.administration,
            reason="Compétence de la DDFiP.",
        )
    live = services.case_take(actor=ddfip.agent, case=Case.objects.get(transferred_from=first))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_send_reply(actor=ddfip.agent, case=live, body=REPLY_TEXT)
    sent = next(m for m in mail.outbox if REPLY_TEXT[:20] in m.body)
    assert sent.reply_to == [CAF]  # the DDFiP reads no mailbox: the CAF's reads the answers

    raw = _answer(
        f"Re: {sent.subject}",
        "Merci, mais j'ai une question : et pour l'année prochaine ?",
        "Jeanne Roux <jeanne.roux@autre.example>",
        sent.extra_headers["Message-ID"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = email_receive(administration=caf.administration, raw=raw)

    assert outcome.case.pk == live.pk
    assert not Case.objects.filter(administration=caf.administration).exclude(pk=first.pk)
