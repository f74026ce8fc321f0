"""A transferred case, played by its usager over real IMAP and SMTP: the usager is told, in
French, which administration now works the request and under which reference; their answers to
the mails of the first administration reach the case where the question now lives (never a
follow-up nobody works), the case that ended says where they went; the new administration's
replies come back to it. Nobody else gets into the new case with the old reference."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from cases.intake.acknowledgement import DEFAULT_BODY, DEFAULT_SUBJECT
from cases.intake.mail import email_receive
from cases.intake.settings_services import acknowledgement_settings_save
from cases.models import (
    Acknowledgement,
    Case,
    CaseEvent,
    Channel,
    Delivery,
    InboundEmail,
    Notification,
    Status,
)
from tests.case_states import REPLY_TEXT, make_office

from .mail_offices import CONTACT, OTHER, make_mailbox, usager_mail
from .mailservers import text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def test_the_usager_of_a_transferred_case_is_told_and_their_answers_reach_the_new_case(
    office, isere, mail_world, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "ne-pas-repondre@guichet.example.gouv.fr"
    make_mailbox(office, mail_world.dovecot, CONTACT)
    make_mailbox(isere, mail_world.dovecot, OTHER)
    acknowledgement_settings_save(
        actor=office.administrator,
        administration=office.administration,
        channels=[Channel.EMAIL],
        subject=DEFAULT_SUBJECT,
        body=DEFAULT_BODY,
        service_contact="Accueil CAF du Rhône, 67 bd Vivier-Merle, 69003 Lyon",
    )

    send, received = mail_world.send, mail_world.received
    # The usager writes to the CAF; the CAF's agent answers with a question, then sees that
    # the request is the CPAM's and transfers it.
    question = usager_mail("Remboursement de soins", "Mes soins de mars ne sont pas remboursés.")
    send(question)
    first = Case.objects.get(administration=office.administration)
    first = services.case_take(actor=office.agent, case=first)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_send_reply(actor=office.agent, case=first, body=REPLY_TEXT)
    caf_reply = received(lambda m: REPLY_TEXT[:30] in text_of(m))
    first = services.case_transition(
        actor=office.agent, case=Case.objects.get(pk=first.pk), action="reopen"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.case_transfer(
            actor=office.agent,
            case=first,
            target_administration=isere.administration,
            reason="Remboursement de soins : compétence de la CPAM.",
        )
    second = Case.objects.get(transferred_from=first)

    # 1. The usager is told, in French, by the CPAM, in the thread they already have.
    notice = received(lambda m: second.reference in m["Subject"])
    text = text_of(notice)
    assert first.reference in notice["Subject"]
    assert notice["From"].addresses[0].display_name == isere.administration.name
    assert notice["Reply-To"] == OTHER
    assert "a été transmise" in text and "vous répondra" in text
    assert isere.administration.name in text and office.administration.name in text
    assert second.reference in text and "L114-2" in text
    assert "répondez simplement à ce message" in text  # the CPAM's mailbox reads the answer
    assert caf_reply["Message-ID"] in notice["References"]
    assert Acknowledgement.objects.get(case=second).status == Acknowledgement.Status.SENT

    # 2. The usager answers the CAF's reply (to the CAF's mailbox, threaded, no reference).
    answer = usager_mail(
        f"Re: {caf_reply['Subject']}",
        "Voici mon numéro de sécurité sociale.\n\n"
        f"Le lun. 7 déc. 2026 à 10:00, {caf_reply['From']} a écrit :\n> Madame",
        answering=caf_reply,
    )
    send(answer)
    assert not Case.objects.filter(administration=office.administration).exclude(pk=first.pk)
    message = CaseEvent.objects.get(case=second, kind=CaseEvent.Kind.USAGER_MESSAGE)
    assert message.data["body"] == "Voici mon numéro de sécurité sociale."
    # The case that ended says where the message went, without its text; nobody there is told.
    trace = CaseEvent.objects.get(case=first, kind=CaseEvent.Kind.USAGER_MESSAGE)
    assert trace.data["target_reference"] == second.reference and trace.data["body"] == ""
    assert not Notification.objects.filter(user=office.agent)
    first.refresh_from_db()
    assert first.status == Status.TRANSFERRED
    assert InboundEmail.objects.get(message_id=answer["Message-ID"]).case == second

    # 3. The CPAM's agent replies: from the CPAM, answers going to the CPAM's mailbox, in the
    # usager's thread; the usager's answer to it reaches the new case.
    second = services.case_take(actor=isere.agent, case=second)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_send_reply(actor=isere.agent, case=second, body="Merci, c'est noté. " * 3)
    cpam_reply = received(lambda m: "c'est noté" in text_of(m))
    assert cpam_reply["From"].addresses[0].display_name == isere.administration.name
    assert cpam_reply["Reply-To"] == OTHER and second.reference in cpam_reply["Subject"]
    assert cpam_reply["In-Reply-To"] == answer["Message-ID"]
    services.case_transition(
        actor=isere.agent, case=Case.objects.get(pk=second.pk), action="reopen"
    )
    services.case_transition(
        actor=isere.agent, case=Case.objects.get(pk=second.pk), action="await_usager"
    )
    again = usager_mail(
        f"Re: {cpam_reply['Subject']}", "Et voici mon attestation de droits.", to=OTHER
    )
    again["In-Reply-To"] = cpam_reply["Message-ID"]
    send(again)
    second.refresh_from_db()
    assert second.status == Status.IN_PROGRESS
    assert CaseEvent.objects.filter(case=second, kind=CaseEvent.Kind.USAGER_MESSAGE).count() == 2

    # 4. An answer to the notice itself goes to the CPAM and joins the new case.
    send(
        usager_mail(
            f"Re: {notice['Subject']}",
            "Merci, mais j'ai une autre question.",
            to=OTHER,
            answering=notice,
        )
    )
    assert CaseEvent.objects.filter(case=second, kind=CaseEvent.Kind.USAGER_MESSAGE).count() == 3
    assert Case.objects.filter(administration=isere.administration).count() == 1


def _transferred(office, target, django_capture_on_commit_callbacks, *, source=None):
    case = (
        source
        or email_receive(
            administration=office.administration,
            raw=bytes(usager_mail("Question", "Ma question.")),
        ).case
    )
    if case.assignee_id is None:
        case = services.case_take(actor=office.agent, case=case)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_transfer(
            actor=office.agent, case=case, target_administration=target.administration, reason="-"
        )
    return Case.objects.get(pk=case.pk), Case.objects.get(transferred_from=case)


def test_the_notice_asks_for_no_answer_by_mail_when_no_mailbox_reads_it(
    office, isere, mailoutbox, django_capture_on_commit_callbacks
):
    _first, second = _transferred(office, isere, django_capture_on_commit_callbacks)
    notice = [m for m in mailoutbox if second.reference in m.subject][-1]
    assert "répondez simplement" not in notice.body
    assert f"rappelez la référence {second.reference}." in notice.body
    assert notice.reply_to == []


def test_a_stranger_writing_with_the_old_reference_does_not_get_into_the_new_case(
    office, isere, mailoutbox, django_capture_on_commit_callbacks, browser
):
    first, second = _transferred(office, isere, django_capture_on_commit_callbacks)
    stranger = usager_mail(
        f"Dossier {first.reference}", "Je veux lire ce dossier.", sender="intrus@example.net"
    )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = email_receive(administration=office.administration, raw=bytes(stranger))
    assert outcome.outcome == "created" and outcome.case.administration == office.administration
    assert not CaseEvent.objects.filter(case=second, kind=CaseEvent.Kind.USAGER_MESSAGE)
    assert not CaseEvent.objects.filter(case=first, kind=CaseEvent.Kind.USAGER_MESSAGE)
    # The usager's own mail with the reference does reach it.
    own = usager_mail(f"Dossier {first.reference.lower()}", "Ma pièce manquante.")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = email_receive(administration=office.administration, raw=bytes(own))
    assert outcome.outcome == "appended" and outcome.case == second
    # The first administration's page says where the message went, not what it said.
    page = browser(office.agent).get(f"/dossiers/{first.pk}/").content.decode()
    assert f"{isere.administration.name} ({second.reference})" in page.replace("&#x27;", "'")
    assert "Ma pièce manquante" not in page
    page = browser(isere.agent).get(f"/dossiers/{second.pk}/").content.decode()
    assert "Ma pièce manquante" in page


def test_answers_follow_a_chain_of_transfers_and_a_follow_up_opens_where_it_was_worked(
    office, isere, settings, mailoutbox, django_capture_on_commit_callbacks
):
    third_office = make_office("Direction départementale des finances publiques", "DDFIP69")
    first, second = _transferred(office, isere, django_capture_on_commit_callbacks)
    second, third = _transferred(
        isere, third_office, django_capture_on_commit_callbacks, source=second
    )
    own = usager_mail(f"Re: {first.reference}", "Du nouveau.")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = email_receive(administration=office.administration, raw=bytes(own))
    assert outcome.case == third
    # The last case closed long ago: a follow-up opens in its administration, not here.
    services.case_transition(
        actor=third_office.agent,
        case=services.case_take(actor=third_office.agent, case=third),
        action="close",
    )
    Case.objects.filter(pk=third.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=settings.MAIL_REOPEN_WITHIN_DAYS + 1)
    )
    later = usager_mail(f"Re: {first.reference}", "Encore une question sur un autre point.")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = email_receive(administration=office.administration, raw=bytes(later))
    assert outcome.outcome == "follow_up"
    assert outcome.case.administration == third_office.administration
    assert outcome.case.body.startswith(f"Suivi du dossier {third.reference}") or (
        third.reference in outcome.case.body
    )
    assert Case.objects.filter(administration=office.administration).count() == 1
    assert not Delivery.objects.exists()


def test_writing_to_the_new_administration_or_to_both_reaches_the_new_case_once(
    office, isere, mail_world, django_capture_on_commit_callbacks
):
    """Told that the CPAM now answers, the usager answers the CAF's mail but to the CPAM's
    address, or to both: one message on the new case, no new case in either."""
    make_mailbox(office, mail_world.dovecot, CONTACT)
    make_mailbox(isere, mail_world.dovecot, OTHER)
    with django_capture_on_commit_callbacks(execute=True):
        first = email_receive(
            administration=office.administration,
            raw=bytes(usager_mail("Remboursement", "Mes soins ne sont pas remboursés.")),
        ).case
    first = services.case_take(actor=office.agent, case=first)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_send_reply(actor=office.agent, case=first, body=REPLY_TEXT)
    caf_reply = mail_world.received(lambda m: first.reference in m["Subject"])
    first = services.case_transition(
        actor=office.agent, case=Case.objects.get(pk=first.pk), action="reopen"
    )
    first, second = _transferred(office, isere, django_capture_on_commit_callbacks, source=first)

    to_cpam = usager_mail(
        f"Re: {caf_reply['Subject']}", "Voici ma carte Vitale.", to=OTHER, answering=caf_reply
    )
    mail_world.send(to_cpam)
    to_both = usager_mail(f"Re: {first.reference}", "Et mon attestation de droits.")
    to_both["Cc"] = OTHER
    mail_world.send(to_both)
    bodies = [
        e.data["body"]
        for e in CaseEvent.objects.filter(case=second, kind=CaseEvent.Kind.USAGER_MESSAGE)
    ]
    assert bodies == ["Voici ma carte Vitale.", "Et mon attestation de droits."]
    assert Case.objects.filter(administration=isere.administration).count() == 1
    assert Case.objects.filter(administration=office.administration).count() == 1
    # Someone else naming the old reference to the CPAM opens a case of their own.
    with django_capture_on_commit_callbacks(execute=True):
        outcome = email_receive(
            administration=isere.administration,
            raw=bytes(usager_mail(f"Dossier {first.reference}", "Bonjour", sender="x@example.net")),
        )
    assert outcome.outcome == "created" and outcome.case != second


def test_along_a_chain_of_transfers_every_answer_reaches_the_last_case_over_imap(
    office, isere, mail_world, django_capture_on_commit_callbacks
):
    """The CAF transfers to the CPAM, the CPAM to the DDFiP, which reads no mailbox. Whatever
    mail the usager answers (the CAF's reply, the CPAM's or the DDFiP's notice, the DDFiP's
    reply) and to whichever mailbox (the CAF's or the CPAM's), the answer reaches the DDFiP's
    case once; no case opens at the CAF or the CPAM, whose cases say where it went."""
    ddfip = make_office("Direction départementale des finances publiques du Rhône", "DDFIP69")
    make_mailbox(office, mail_world.dovecot, CONTACT)
    make_mailbox(isere, mail_world.dovecot, OTHER)
    send, received = mail_world.send, mail_world.received
    send(usager_mail("Taxe foncière", "Ma taxe foncière a doublé cette année."))
    first = services.case_take(
        actor=office.agent, case=Case.objects.get(administration=office.administration)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.case_send_reply(actor=office.agent, case=first, body=REPLY_TEXT)
    caf_reply = received(lambda m: f"[{first.reference}]" in m["Subject"])
    first = services.case_transition(
        actor=office.agent, case=Case.objects.get(pk=first.pk), action="reopen"
    )
    first, second = _transferred(office, isere, django_capture_on_commit_callbacks, source=first)
    cpam_notice = received(lambda m: second.reference in m["Subject"])
    second, third = _transferred(isere, ddfip, django_capture_on_commit_callbacks, source=second)
    ddfip_notice = received(lambda m: third.reference in m["Subject"])
    # The DDFiP reads no mailbox: its mails answer to the CPAM's, the last one the request
    # went through, and still invite an answer.
    assert ddfip_notice["Reply-To"] == OTHER
    assert "répondez simplement à ce message" in text_of(ddfip_notice)

    answers = [
        # The CPAM's notice, answered to the CPAM.
        usager_mail(
            f"Re: {cpam_notice['Subject']}", "Réponse à la CPAM.", to=OTHER, answering=cpam_notice
        ),
        # The CAF's reply (the first thread), answered to the CAF.
        usager_mail(f"Re: {caf_reply['Subject']}", "Réponse à la CAF.", answering=caf_reply),
        # The CAF's reply, but written to the CPAM (it opened an unlinked case there).
        usager_mail(
            f"Re: {caf_reply['Subject']}", "La CAF, écrit à la CPAM.", to=OTHER, answering=caf_reply
        ),
        # The DDFiP's notice, answered at its Reply-To.
        usager_mail(
            f"Re: {ddfip_notice['Subject']}",
            "Réponse à la DDFiP.",
            to=ddfip_notice["Reply-To"],
            answering=ddfip_notice,
        ),
    ]
    for answer in answers:
        send(answer)
    third = services.case_take(actor=ddfip.agent, case=Case.objects.get(pk=third.pk))
    with django_capture_on_commit_callbacks(execute=True):
        services.case_send_reply(actor=ddfip.agent, case=third, body="Votre avis est joint. " * 3)
    ddfip_reply = received(lambda m: f"[{third.reference}]" in m["Subject"])
    assert ddfip_reply["Reply-To"] == OTHER
    assert ddfip_reply["From"].addresses[0].display_name == ddfip.administration.name
    # The DDFiP's reply, answered at its Reply-To (the CPAM's mailbox).
    last = usager_mail(
        f"Re: {ddfip_reply['Subject']}",
        "Je conteste ce montant.",
        to=ddfip_reply["Reply-To"],
        answering=ddfip_reply,
    )
    send(last)
    answers.append(last)

    bodies = [
        e.data["body"]
        for e in CaseEvent.objects.filter(case=third, kind=CaseEvent.Kind.USAGER_MESSAGE).order_by(
            "pk"
        )
    ]
    assert bodies == [
        "Réponse à la CPAM.",
        "Réponse à la CAF.",
        "La CAF, écrit à la CPAM.",
        "Réponse à la DDFiP.",
        "Je conteste ce montant.",
    ]
    for answer in answers:
        assert InboundEmail.objects.get(message_id=answer["Message-ID"]).case == third
    assert Case.objects.filter(administration=office.administration).count() == 1
    assert Case.objects.filter(administration=isere.administration).count() == 1
    assert Case.objects.filter(administration=ddfip.administration).count() == 1
    # Each case that ended says where the answers about it went, without their text (the last
    # answer threads on the usager's own messages, which the DDFiP's case holds).
    for case, count in ((first, 1), (second, 3)):
        traces = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE)
        assert [(t.data["target_reference"], t.data["body"]) for t in traces] == [
            (third.reference, "")
        ] * count
