"""Mails to a usager whose answer no mailbox of the administration reads, over a real SMTP
server (and real IMAP where an answer comes back): every mail (acknowledgement, transfer
notice, reply, survey invitation) has the Reply-To of a mailbox Guichet reads, the one of the
administration that holds the usager's thread when the case was transferred to an
administration without one; when none reads it, no mail invites an answer, none has a Reply-To,
and each says how to reach the service instead (never the sending address, which reads
nothing)."""

from __future__ import annotations

import pytest
from django.utils import translation

from cases import services
from cases.delivery.answers import no_answer_notice, service_contact
from cases.intake.acknowledgement import DEFAULT_BODY, DEFAULT_SUBJECT, REPLY_INVITATION
from cases.intake.mail import email_receive
from cases.intake.settings_services import acknowledgement_settings_save, mailbox_save
from cases.models import Case, CaseEvent, Channel, InboundEmail
from tests.case_states import REPLY_TEXT

from .mail_offices import CONTACT, usager_mail
from .mail_offices import make_mailbox as mailbox_for
from .mailservers import text_of
from .test_intake_api import SP_QUESTION, URLS, client_for, post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

SENDER = "ne-pas-repondre@guichet.example.gouv.fr"
ASKER = "lea@example.org"  # SP_QUESTION's usager
SERVICE = "Accueil CAF du Rhône, 67 bd Vivier-Merle, 69003 Lyon, 04 00 00 00 00"
INVITATION = "répondez simplement à ce message"


@pytest.fixture(autouse=True)
def _sending_address(settings):
    settings.DEFAULT_FROM_EMAIL = SENDER


def _acknowledge(office, body=DEFAULT_BODY, contact=SERVICE):
    acknowledgement_settings_save(
        actor=office.administrator,
        administration=office.administration,
        channels=[Channel.EMAIL, Channel.SERVICE_PUBLIC_QUESTION],
        subject=DEFAULT_SUBJECT,
        body=body,
        service_contact=contact,
    )


def _question(office, django_capture_on_commit_callbacks, key="q-1") -> Case:
    """A question from service-public.fr with the usager's e-mail (no mailbox involved)."""
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client_for(office), URLS["sp_question"], {**SP_QUESTION, "id": key}, key=key
        )
    assert response.status_code == 201, response.content
    return Case.objects.get(reference=response.json()["reference"])


def _reply(office, case, django_capture_on_commit_callbacks) -> Case:
    case = services.case_take(actor=office.agent, case=case)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)
    return Case.objects.get(pk=case.pk)


def _said_in_french(case) -> str:
    with translation.override("fr"):
        return no_answer_notice(case)


def test_without_a_mailbox_no_mail_invites_an_answer_and_each_says_how_to_reach_the_service(
    office, mail_world, django_capture_on_commit_callbacks
):
    _acknowledge(office)
    case = _question(office, django_capture_on_commit_callbacks)

    ack = mail_world.received(lambda m: "Accusé de réception" in m["Subject"], to=ASKER)
    text = text_of(ack)
    assert ack["Reply-To"] is None
    assert INVITATION not in text
    assert f"rappelez la référence {case.reference}." in text
    assert f"Pour le joindre : {SERVICE}" in text
    assert SENDER not in text

    _reply(office, case, django_capture_on_commit_callbacks)
    reply = mail_world.received(lambda m: f"[{case.reference}]" in m["Subject"], to=ASKER)
    survey = mail_world.received(lambda m: "/enquete/" in text_of(m), to=ASKER)
    for mail in (reply, survey):
        assert mail["Reply-To"] is None, mail["Subject"]
        body = text_of(mail)
        # The paragraph that ends it: do not answer, and how to reach the service.
        assert body.rstrip().endswith(_said_in_french(case)), body
        assert SERVICE in body and case.reference in body and SENDER not in body
    assert text_of(reply).startswith(REPLY_TEXT[:40])


def test_a_text_saved_with_the_former_default_invitation_drops_it_without_a_mailbox(
    office, dovecot, mail_world, django_capture_on_commit_callbacks
):
    former = DEFAULT_BODY.replace("{reference}{repondre}.", "{reference}" + REPLY_INVITATION + ".")
    assert former != DEFAULT_BODY and "{repondre}" not in former
    _acknowledge(office, body=former)
    case = _question(office, django_capture_on_commit_callbacks)
    ack = mail_world.received(lambda m: case.reference in m["Subject"], to=ASKER)
    assert INVITATION not in text_of(ack) and ack["Reply-To"] is None
    assert f"rappelez la référence {case.reference}.\n" in text_of(ack)

    # With a mailbox that reads the answer, the same text invites it, Reply-To that mailbox.
    mailbox_for(office, dovecot, CONTACT)
    second = _question(office, django_capture_on_commit_callbacks, key="q-2")
    ack = mail_world.received(lambda m: second.reference in m["Subject"], to=ASKER)
    assert f"rappelez la référence {second.reference}{REPLY_INVITATION}." in text_of(ack)
    assert ack["Reply-To"] == CONTACT
    # A mailbox set inactive reads nothing: no invitation again.
    mailbox_save(actor=office.administrator, administration=office.administration, is_active=False)
    third = _question(office, django_capture_on_commit_callbacks, key="q-3")
    ack = mail_world.received(lambda m: third.reference in m["Subject"], to=ASKER)
    assert INVITATION not in text_of(ack) and ack["Reply-To"] is None


def test_a_case_transferred_to_an_administration_without_a_mailbox_keeps_the_first_ones(
    office, isere, mail_world, django_capture_on_commit_callbacks
):
    """The CAF reads a mailbox, the CPAM none: the CPAM's mails have the CAF's mailbox as
    Reply-To (the usager's thread), invite an answer, and the answer reaches the CPAM's case
    through it, over real IMAP; the CPAM's own contact says how to reach it."""
    mailbox_for(office, mail_world.dovecot, CONTACT)
    mail_world.send(usager_mail("Remboursement", "Mes soins ne sont pas remboursés."))
    first = services.case_take(
        actor=office.agent, case=Case.objects.get(administration=office.administration)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.case_transfer(
            actor=office.agent,
            case=first,
            target_administration=isere.administration,
            reason="Compétence de la CPAM.",
        )
    second = Case.objects.get(transferred_from=first)
    notice = mail_world.received(lambda m: second.reference in m["Subject"])
    assert notice["From"].addresses[0].display_name == isere.administration.name
    assert notice["Reply-To"] == CONTACT
    text = text_of(notice)
    # The CAF's mailbox reads the answers; it is not how to reach the CPAM.
    assert INVITATION in text and "Pour joindre ce service : " in text
    assert f"Pour joindre ce service : {CONTACT}" not in text

    second = _reply(isere, second, django_capture_on_commit_callbacks)
    reply = mail_world.received(lambda m: f"[{second.reference}]" in m["Subject"])
    survey = mail_world.received(lambda m: "/enquete/" in text_of(m))
    for mail in (reply, survey):
        assert mail["Reply-To"] == CONTACT, mail["Subject"]
        assert mail["From"].addresses[0].display_name == isere.administration.name
        assert no_answer_notice(second) == ""

    # The usager answers the CPAM's reply (to the CAF's mailbox, its Reply-To).
    answer = usager_mail(
        f"Re: {reply['Subject']}", "Voici mon attestation.", to=CONTACT, answering=reply
    )
    mail_world.send(answer)
    assert InboundEmail.objects.get(message_id=answer["Message-ID"]).case == second
    bodies = [
        e.data["body"]
        for e in CaseEvent.objects.filter(case=second, kind=CaseEvent.Kind.USAGER_MESSAGE)
    ]
    assert bodies == ["Voici mon attestation."]
    # The CAF's case says where it went, without the text; no new case at the CAF.
    trace = CaseEvent.objects.get(case=first, kind=CaseEvent.Kind.USAGER_MESSAGE)
    assert trace.data["target_reference"] == second.reference and trace.data["body"] == ""
    assert Case.objects.filter(administration=office.administration).count() == 1


def test_a_transfer_notice_with_no_mailbox_anywhere_gives_the_service_s_own_contact(
    office, isere, mail_world, django_capture_on_commit_callbacks
):
    isere.administration.signature = "CPAM de l'Isère\n2 rue des Alliés\n38000 Grenoble"
    isere.administration.save(update_fields=["signature"])
    with django_capture_on_commit_callbacks(execute=True):
        first = email_receive(
            administration=office.administration,
            raw=bytes(usager_mail("Question", "Ma question.")),
        ).case
    first = services.case_take(actor=office.agent, case=first)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_transfer(
            actor=office.agent, case=first, target_administration=isere.administration, reason="-"
        )
    second = Case.objects.get(transferred_from=first)
    notice = mail_world.received(lambda m: second.reference in m["Subject"])
    text = text_of(notice)
    assert notice["Reply-To"] is None and INVITATION not in text
    assert "Pour joindre ce service : CPAM de l'Isère, 2 rue des Alliés, 38000 Grenoble" in text
    assert SENDER not in text
    # Without a signature either, the notice says to write or go to the service.
    isere.administration.signature = ""
    isere.administration.save(update_fields=["signature"])
    with translation.override("fr"):
        fallback = service_contact(second)
    assert fallback and "@" not in fallback
