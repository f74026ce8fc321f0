"""A usager forwards a mail inline ("voir ci-dessous", or nothing above it): the forwarded
message is what they bring, so the case (what the drafter reads) keeps it, in every client's
shape (Gmail, Thunderbird, Apple Mail, Outlook, HTML only); a reply quoting the mail it answers,
or a forward of one of our own mails, keeps only what the usager wrote, as before."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from cases import services
from cases.intake.mail import email_receive
from cases.models import Case, CaseEvent, Channel
from tests.case_states import REPLY_TEXT

from .mailservers import start_dovecot, start_smtp, wait_until
from .test_mail_imap import CONTACT, PASSWORD, USAGER, make_mailbox, poll

pytestmark = pytest.mark.django_db

QUESTION = "votre dossier est incomplet : il manque votre avis d'imposition 2025."

SHAPES = {
    "gmail_en": (
        "Fwd: Votre dossier",
        "Voir ci-dessous\n\n---------- Forwarded message ---------\n"
        "From: Impots <ne-pas-repondre@dgfip.example>\nDate: Mon, 3 Jun 2026 at 10:00\n"
        f"Subject: Votre dossier\nTo: <{USAGER}>\n\nBonjour,\n{QUESTION}\n",
    ),
    "gmail_fr_nothing_above": (
        "Fwd: Votre dossier",
        "---------- Message transféré ---------\n"
        "De : Impots <ne-pas-repondre@dgfip.example>\nDate: lun. 3 juin 2026 à 10:00\n"
        f"Subject: Votre dossier\nTo: <{USAGER}>\n\nBonjour,\n{QUESTION}\n",
    ),
    "thunderbird": (
        "Fwd: Votre dossier",
        "Je ne comprends pas ce courrier.\n\n-------- Message transféré --------\n"
        "Sujet : \tVotre dossier\nDate : \tMon, 3 Jun 2026 10:00:00 +0200\n"
        f"De : \tImpots <ne-pas-repondre@dgfip.example>\nPour : \t{USAGER}\n\n{QUESTION}\n",
    ),
    "apple_mail": (
        "Tr: Votre dossier",
        "Pour info\n\nEnvoyé de mon iPhone\n\nDébut du message réexpédié :\n\n"
        "> De: Impots <ne-pas-repondre@dgfip.example>\n> Objet: Votre dossier\n"
        f"> Date: 3 juin 2026 à 10:00:00\n> À: {USAGER}\n> \n> Bonjour,\n> {QUESTION}\n",
    ),
    "outlook": (
        "TR: Votre dossier",
        "Voir ci-dessous\n\n________________________________\n"
        "De : Impots <ne-pas-repondre@dgfip.example>\nEnvoyé : lundi 3 juin 2026 10:00\n"
        f"À : {USAGER}\nObjet : Votre dossier\n\nBonjour,\n{QUESTION}\n",
    ),
    "outlook_nothing_above": (
        "TR: Votre dossier",
        "De : Impots <ne-pas-repondre@dgfip.example>\nEnvoyé : lundi 3 juin 2026 10:00\n"
        f"À : {USAGER}\nObjet : Votre dossier\n\nBonjour,\n{QUESTION}\n",
    ),
}


def forward(subject, body, *, html=None, sender=f"Jeanne Roux <{USAGER}>"):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = CONTACT
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.org")
    if html is None:
        message.set_content(body)
    else:
        message.set_content(html, subtype="html")
    return message


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_an_inline_forward_is_kept_in_the_new_case(
    office, shape, django_capture_on_commit_callbacks
):
    subject, body = SHAPES[shape]
    with django_capture_on_commit_callbacks(execute=True):
        case = email_receive(
            administration=office.administration, raw=bytes(forward(subject, body))
        ).case
    assert QUESTION in case.body, case.body
    assert "ne-pas-repondre@dgfip.example" in case.body  # who the forwarded mail came from
    assert "Envoyé de mon iPhone" not in case.body and "> " not in case.body
    # What the usager wrote above comes first.
    above = {"gmail_en": "Voir", "thunderbird": "Je ne", "apple_mail": "Pour", "outlook": "Voir"}
    assert case.body.startswith(above.get(shape, "-" if "gmail" in shape else "De :"))


def test_an_html_only_forward_is_kept(office, django_capture_on_commit_callbacks):
    html = (
        '<div dir="ltr">Voir ci-dessous<br><br><div class="gmail_quote">'
        '<div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>'
        'De&nbsp;: <strong class="gmail_sendername">Impots</strong> '
        "<span>&lt;ne-pas-repondre@dgfip.example&gt;</span><br>Date: lun. 3 juin 2026<br>"
        f"Subject: Votre dossier<br></div><br><br>Bonjour,<br>{QUESTION}</div></div>"
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = email_receive(
            administration=office.administration,
            raw=bytes(forward("Fwd: Votre dossier", "", html=html)),
        ).case
    assert case.body.startswith("Voir ci-dessous") and QUESTION in case.body


def test_an_outlook_html_forward_is_kept(office, django_capture_on_commit_callbacks):
    html = (
        "<html><body><div dir='ltr'><p>Bonjour,</p><p>Voir ci-dessous</p></div>"
        "<div id='appendonsend'></div><hr style='display:inline-block;width:98%'>"
        "<div id='divRplyFwdMsg' dir='ltr'><b>De :</b> Impots &lt;ne-pas-repondre@dgfip.example"
        "&gt;<br><b>Envoy&eacute; :</b> lundi 3 juin 2026 09:00<br><b>Objet :</b> Votre dossier"
        f"</div><div>{QUESTION}</div></body></html>"
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = email_receive(
            administration=office.administration,
            raw=bytes(forward("TR: Votre dossier", "", html=html)),
        ).case
    assert case.body.startswith("Bonjour,\n\nVoir ci-dessous")
    assert f"Objet : Votre dossier\n{QUESTION}" in case.body


def test_replies_and_forwards_of_our_own_mails_keep_only_the_usager_text(
    office, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "Guichet <ne-pas-repondre@guichet.example.gouv.fr>"
    with django_capture_on_commit_callbacks(execute=True):
        case = email_receive(
            administration=office.administration,
            raw=bytes(forward("Question", "Ma pension n'est pas arrivée.")),
        ).case
    case = services.case_take(actor=office.agent, case=case)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_send_reply(actor=office.agent, case=case, body=REPLY_TEXT)
    # An Outlook reply quotes our mail in the same header block as a forward: history.
    reply = (
        f"RE: [{case.reference}] Question",
        "Voici mon RIB.\n\n________________________________\n"
        "De : CAF <ne-pas-repondre@guichet.example.gouv.fr>\nEnvoyé : lundi 3 juin 2026\n"
        f"À : {USAGER}\nObjet : [{case.reference}] Question\n\n{REPLY_TEXT}\n",
    )
    # The usager forwards our own reply back, with a word: our mail is history too.
    ours = (
        f"TR: [{case.reference}] Question",
        "Je ne comprends pas votre réponse.\n\n-------- Message transféré --------\n"
        "De : CAF <ne-pas-repondre@guichet.example.gouv.fr>\n"
        f"Objet : [{case.reference}] Question\n\n{REPLY_TEXT}\n",
    )
    for subject, body in (reply, ours):
        with django_capture_on_commit_callbacks(execute=True):
            outcome = email_receive(
                administration=office.administration, raw=bytes(forward(subject, body))
            )
        assert outcome.case == case
    bodies = [
        e.data["body"]
        for e in CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE)
    ]
    assert bodies == ["Voici mon RIB.", "Je ne comprends pas votre réponse."]


def test_a_forward_through_real_imap_reaches_the_drafter_whole(
    office, settings, django_capture_on_commit_callbacks
):
    dovecot = start_dovecot({"caf69": PASSWORD})
    smtp = start_smtp(dovecot, {CONTACT: "caf69"})
    try:
        make_mailbox(office, dovecot)
        subject, body = SHAPES["outlook"]
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as connection:
            connection.send_message(forward(subject, body))
        wait_until(lambda: dovecot.uids("caf69"), what="the forward in the mailbox")
        poll(django_capture_on_commit_callbacks)
        case = Case.objects.get(administration=office.administration)
        assert case.channel == Channel.EMAIL
        assert case.body.startswith("Voir ci-dessous") and QUESTION in case.body
    finally:
        smtp.stop()
        dovecot.stop()


def test_another_administrations_answer_forwarded_here_is_what_the_usager_brings(
    office, settings, django_capture_on_commit_callbacks
):
    # Every administration on Guichet sends from the platform's address: a mail from it is
    # ours only when it is about one of our cases.
    settings.DEFAULT_FROM_EMAIL = "Guichet <ne-pas-repondre@guichet.example.gouv.fr>"
    answer = "pour l'aide au logement, adressez-vous à votre mairie avec votre avis d'imposition."
    subject, body = (
        "TR: [CPAM33-2026-000017] Votre demande",
        "La CPAM me dit de m'adresser à vous, voir sa réponse ci-dessous.\n\n"
        "-------- Message transféré --------\n"
        "De : CPAM de la Gironde <ne-pas-repondre@guichet.example.gouv.fr>\n"
        f"Objet : [CPAM33-2026-000017] Votre demande\n\nBonjour,\n{answer}\n",
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = email_receive(
            administration=office.administration, raw=bytes(forward(subject, body))
        ).case
    assert case.body.startswith("La CPAM me dit")
    assert answer in case.body


def test_a_forward_from_elsewhere_stays_content_when_the_usager_names_their_own_case(
    office, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "Guichet <ne-pas-repondre@guichet.example.gouv.fr>"
    with django_capture_on_commit_callbacks(execute=True):
        case = email_receive(
            administration=office.administration,
            raw=bytes(forward("Question", "Ma pension n'est pas arrivée.")),
        ).case
    answer = "votre dossier de pension relève de la caisse de retraite de votre dernier emploi."
    subject, body = (
        f"TR: [{case.reference}] Question",
        f"Pour mon dossier {case.reference}, voici ce que la CPAM me répond.\n\n"
        "-------- Message transféré --------\n"
        "De : CPAM de la Gironde <ne-pas-repondre@guichet.example.gouv.fr>\n"
        f"Objet : [CPAM33-2026-000017] Votre demande\n\nBonjour,\n{answer}\n",
    )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = email_receive(
            administration=office.administration, raw=bytes(forward(subject, body))
        )
    assert outcome.case == case
    (message,) = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE)
    assert answer in message.data["body"]
