"""A usager's "Merci" on an answered or closed case: kept on the case's timeline for the agent,
without putting the case back to work (no reopening: the reply stays eligible for the answer
bank), without an acknowledgement and without notifying anyone. Anything with a question or
new content reopens as before. The detector (cases/intake/courtesy.py) over many phrasings."""

from __future__ import annotations

import datetime as dt
import smtplib
import time
from email.utils import make_msgid

import pytest
from django.utils import timezone

from cases import services
from cases.intake.courtesy import is_courtesy
from cases.intake.mail import email_receive
from cases.intake.settings_services import acknowledgement_settings_save
from cases.models import (
    Acknowledgement,
    Case,
    CaseEvent,
    Channel,
    InboundEmail,
    Notification,
    Status,
)
from tests.case_states import REPLY_TEXT

from .mailservers import start_dovecot, start_smtp, text_of, wait_until
from .test_mail_imap import CONTACT, PASSWORD, USAGER, make_mailbox, poll, usager_mail

pytestmark = pytest.mark.django_db

NAMES = ("Jeanne Roux",)
ONLY_THANKS = [
    "Merci",
    "merci !",
    "MERCI",
    "Merci 🙏",
    "OK",
    "ok merci",
    "Ok, merci beaucoup.",
    "Bien reçu",
    "Bien reçu, merci.",
    "Bien reçu, je vous remercie.",
    "C'est noté, merci",
    "D'accord, merci.",
    "Très bien, merci",
    "Parfait, merci beaucoup pour votre aide précieuse !",
    "Merci beaucoup, bonne journée",
    "Merci à vous aussi, bonne fin de semaine",
    "Merci pour votre réponse rapide.",
    "Merci pour les documents",
    "Je vous remercie pour votre retour. Bonne soirée",
    "Ça marche, merci !",
    "Merci Madame Roux",
    "Merci Sam",
    "Bonjour,\n\nMerci pour ces informations.\n\nCordialement",
    "Je vous remercie.\nCordialement,\nJeanne Roux\n06 12 34 56 78",
    "Merci infiniment.\n\nBien cordialement,\nMme Jeanne ROUX\njeanne.roux@example.org",
    "Merci\n\nJeanne",
    "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
    "Merci bcp",
    "Un grand merci à toute l'équipe !",
    "Problème résolu, merci.",
    "Thanks",
    "Thanks a lot!",
    "Thank you, have a nice day.",
    "Got it, thanks",
    "Received, thank you very much.",
    "Merci, et bonne journée",
    "Merci beaucoup, je vous souhaite une bonne fin de semaine.",
    "Merci Monsieur Dupont",
    "Bien reçu le document, merci",
    "Bien reçu votre message, merci",
    "Merci de l'information",
]
STILL_WORK = [
    "Merci, mais je n'ai pas reçu le document",
    "Merci, mais je n'ai toujours pas reçu ma pension.",
    "Merci. Pas reçu",
    "Merci Pas reçu",
    "Merci. Toujours rien reçu",
    "Merci d'avance",
    "Merci de me rappeler",
    "Merci de me tenir informée",
    "Merci, et pour la suite ?",
    "ok mais quand ?",
    "Merci\n1234567",
    "Merci, mon numéro est 0612345678",
    "Merci, voici mon RIB",
    "Merci pour le document mais il manque la page 2",
    "Merci\nDocument manquant",
    "Merci\nPS : le virement n'est pas arrivé",
    "Merci, je vais vous envoyer les pièces",
    "Merci, j'ai une autre question",
    "Non merci",
    "Merci. Et mon dossier de logement ?",
    "Merci, le montant est faux.",
    "Bonjour, je voudrais savoir où en est mon dossier.",
    "Thanks, but I still haven't received it",
    "Thanks in advance",
    "Thank you. My address changed last month.",
    "Merci pour votre réponse. Cependant je conteste cette décision.",
    "Problème toujours pas résolu, merci",
    "Merci\nJeanne Roux\nassistante sociale du secteur",
    "Merci, je vous tiens au courant",
    # Reminders and requests in courtesy's own words, or in capitals after a thanks.
    "Merci\nRelance",
    "Merci\nUrgent",
    "MERCI\nJ'AI RIEN RECU",
    "Merci\nAucun Versement Reçu",
    "Merci,\nNon Reçu",
    "ok merci\nMAIS TOUJOURS BLOQUÉ",
    "Merci pour votre réponse. Je souhaite un retour rapide de votre service.",
    "Merci. Je souhaite des explications.",
    "Bien reçu, merci. Je souhaite un document",
    "Merci, et le document",
    "Merci Monsieur Dossier Incomplet",
    "Merci, et encore le document",
    "merci, encore le document",
    "Merci, le document",
    "Je souhaite une bonne réponse",
    "Je souhaite un bon suivi",
]


@pytest.mark.parametrize("text", ONLY_THANKS)
def test_a_message_that_only_thanks_is_recognised(text):
    assert is_courtesy(text, names=NAMES)


@pytest.mark.parametrize("text", STILL_WORK)
def test_a_message_that_says_something_is_not_courtesy(text):
    assert not is_courtesy(text, names=NAMES)


SIGNED = [
    ("Merci beaucoup\n\nJeanne de la Tour\n+33 6 12 34 56 78", "Jeanne de la Tour"),
    ("Much appreciated, best regards\nSam Taylor", "Sam Taylor"),
    ("Many thanks for your help.\n\nKind regards,\nSam", "Sam Taylor"),
]


@pytest.mark.parametrize(("text", "name"), SIGNED)
def test_a_signature_of_the_usagers_own_names_is_set_aside(text, name):
    assert is_courtesy(text, names=(name,))


@pytest.mark.parametrize(("text", "name"), SIGNED)
def test_capitalised_words_the_case_does_not_know_are_not_taken_for_a_signature(text, name):
    # "Relance", "Urgent", "J'AI RIEN RECU" are capitalised too: only known names are set aside,
    # and a thanks signed with unknown names comes back to the agent, as any message did.
    assert not is_courtesy(text, names=("Jeanne Roux",))


def test_a_long_message_of_thanks_words_is_still_read_as_content():
    assert not is_courtesy(" ".join(["merci beaucoup"] * 30), names=NAMES)


@pytest.mark.parametrize(
    "text", ["merci " + "a@" * 990, "merci " + "a" * 1_980, "merci " + "a@" * 25_000]
)
def test_a_long_run_without_spaces_is_judged_at_once(text):
    # A pattern that backtracked over "a@a@…" took minutes, with the intake's transaction open.
    started = time.perf_counter()
    assert not is_courtesy(text, names=NAMES)
    assert time.perf_counter() - started < 0.5


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def answered(office, capture, *, message_id=None):
    with capture(execute=True):
        case = email_receive(
            administration=office.administration,
            raw=bytes(usager_mail(message_id=message_id or make_msgid(domain="example.org"))),
        ).case
    case = services.case_take(actor=office.agent, case=case)
    with capture(execute=True):
        services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)
    return Case.objects.get(pk=case.pk)


def write(office, case, body, capture, **kw):
    message = usager_mail(f"Re: [{case.reference}] {case.subject}", body, **kw)
    with capture(execute=True):
        return email_receive(administration=office.administration, raw=bytes(message))


def test_thanks_through_real_imap_and_smtp_leave_the_answered_case_alone(
    office, settings, django_capture_on_commit_callbacks
):
    dovecot = start_dovecot({"caf69": PASSWORD})
    smtp = start_smtp(dovecot, {CONTACT: "caf69"})
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = smtp.host, smtp.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.DEFAULT_FROM_EMAIL = "ne-pas-repondre@guichet.example.gouv.fr"
        make_mailbox(office, dovecot)
        acknowledgement_settings_save(
            actor=office.administrator,
            administration=office.administration,
            channels=[Channel.EMAIL],
            subject="Accusé de réception {reference}",
            body="{date_reception} {reference} {service} {contact}",
            service_contact="Accueil CAF du Rhône",
        )

        def send(message):
            with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as connection:
                connection.send_message(message)
            wait_until(lambda: dovecot.uids("caf69"), what="the usager's mail in the mailbox")
            poll(django_capture_on_commit_callbacks)

        send(usager_mail())
        case = services.case_take(
            actor=office.agent, case=Case.objects.get(administration=office.administration)
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)
        reply = wait_until(lambda: [m for m in smtp.to(USAGER) if REPLY_TEXT[:20] in text_of(m)])[
            -1
        ]
        quoted = "\n".join("> " + line for line in text_of(reply).splitlines())

        def answer(body):
            message = usager_mail(
                f"Re: {reply['Subject']}",
                f"{body}\n\nLe lun. 7 déc. 2026 à 10:00, {reply['From']} a écrit :\n{quoted}\n",
            )
            message["In-Reply-To"] = reply["Message-ID"]
            message["References"] = f"{reply['References']} {reply['Message-ID']}"
            return message

        version = Case.objects.get(pk=case.pk).version
        send(answer("Merci beaucoup, bonne journée !\n\nJeanne Roux"))
        case.refresh_from_db()
        assert case.status == Status.ANSWERED and case.version == version + 1
        event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE)
        assert event.data["courtesy"] is True and event.to_status == ""
        assert event.data["body"] == "Merci beaucoup, bonne journée !\n\nJeanne Roux"
        assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.REOPENED)
        assert not Notification.objects.filter(case=case)
        assert Acknowledgement.objects.count() == 1  # the first message's only
        assert Case.objects.filter(administration=office.administration).count() == 1

        # A thanks that asks something still puts the case back to its agent.
        send(answer("Merci, mais je n'ai toujours pas reçu le formulaire."))
        case.refresh_from_db()
        assert case.status == Status.IN_PROGRESS
        assert Notification.objects.filter(case=case, user=office.agent).count() == 1
    finally:
        smtp.stop()
        dovecot.stop()


def test_thanks_on_a_closed_case_neither_reopen_it_nor_open_a_follow_up(
    office, settings, mailoutbox, django_capture_on_commit_callbacks
):
    case = answered(office, django_capture_on_commit_callbacks)
    case = services.case_transition(actor=office.agent, case=case, action="close")
    outcome = write(office, case, "Merci, bien reçu.", django_capture_on_commit_callbacks)
    assert outcome.outcome == "appended" and outcome.case == case
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.closed_at is not None
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.REOPENED)
    # Closed long ago: no follow-up for a thanks either.
    Case.objects.filter(pk=case.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=settings.MAIL_REOPEN_WITHIN_DAYS + 5)
    )
    outcome = write(office, case, "Thank you!", django_capture_on_commit_callbacks)
    assert outcome.outcome == "appended" and outcome.case == case
    assert Case.objects.filter(administration=office.administration).count() == 1
    assert InboundEmail.objects.filter(case=case, outcome="appended").count() == 2
    # A real question on it, within the window, reopens it as before.
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now())
    outcome = write(office, case, "Merci. Et pour mon fils ?", django_capture_on_commit_callbacks)
    assert outcome.outcome == "reopened"


def test_thanks_with_a_new_file_reopen_and_an_awaited_answer_still_resumes(
    office, django_capture_on_commit_callbacks
):
    case = answered(office, django_capture_on_commit_callbacks)
    message = usager_mail(f"Re: [{case.reference}] {case.subject}", "Merci !")
    message.add_attachment(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
        maintype="application",
        subtype="pdf",
        filename="justificatif.pdf",
    )
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(administration=office.administration, raw=bytes(message))
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    # The agent asked the usager something: even a bare "ok" is their answer.
    case = services.case_transition(actor=office.agent, case=case, action="await_usager")
    write(office, case, "ok", django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_an_html_only_thanks_quoting_our_reply_leaves_the_case_answered(
    office, django_capture_on_commit_callbacks
):
    case = answered(office, django_capture_on_commit_callbacks)
    html = (
        "<html><body><div dir='ltr'><p>Merci beaucoup !</p><p>Bien cordialement,<br>"
        "Jeanne Roux</p></div><div id='appendonsend'></div><hr>"
        "<div id='divRplyFwdMsg'><b>De :</b> CAF &lt;ne-pas-repondre@caf.example&gt;<br>"
        f"<b>Objet :</b> [{case.reference}] Question</div><div>{REPLY_TEXT}</div>"
        "</body></html>"
    )
    message = usager_mail(f"RE: [{case.reference}] Question", "")
    message.set_content(html, subtype="html")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = email_receive(administration=office.administration, raw=bytes(message))
    assert outcome.outcome == "appended"
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE)
    assert event.data["courtesy"] is True and REPLY_TEXT not in event.data["body"]
