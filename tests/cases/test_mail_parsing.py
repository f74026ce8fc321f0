"""Reading e-mails robustly (cases/intake/parsing.py): the new text of real-world shapes (Gmail,
Outlook, Thunderbird, Apple Mail, a phone, HTML-only), automatic replies and bounces."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from cases.intake import parsing

FIXTURES = Path(__file__).parent / "fixtures" / "mail"


def load(name: str, **values: str):
    raw = (FIXTURES / name).read_bytes()
    for key, value in values.items():
        raw = raw.replace(b"{" + key.encode() + b"}", value.encode())
    return BytesParser(policy=policy.default).parsebytes(raw)


@pytest.mark.parametrize(
    ("name", "kept", "dropped"),
    [
        (
            "gmail_fr.eml",
            ["Voici l'attestation demandée", "Jeanne Roux"],
            ["a écrit", "Merci de nous envoyer", ">"],
        ),
        (
            "outlook_fr.eml",
            ["numéro d'allocataire est le 1234567", "Bien cordialement"],
            ["De :", "Envoyé :", "Pouvez-vous nous indiquer", "Obtenir Outlook", "____"],
        ),
        (
            "thunderbird_fr.eml",
            ["bail a bien été signé le 1er mai"],
            ["12 rue des Lilas", "a écrit", "Quand votre bail"],
        ),
        (
            "apple_mail_fr.eml",
            ["disponible mardi matin", "Paul"],
            ["a écrit", "Quand êtes-vous disponible"],
        ),
        (
            "mobile_iphone_en.eml",
            ["new address is 4 place Bellecour"],
            ["Sent from my iPhone", "wrote:", "did you move"],
        ),
        (
            "forwarded_fr.eml",
            ["alors que j'ai déjà payé"],
            ["Message transféré", "120 euros", "Envoyé depuis mon mobile"],
        ),
        (
            "html_only_outlook.eml",
            ["Je n'ai pas reçu l’attestation & le relevé de décembre.", "Merci d’avance"],
            ["&amp;", "&eacute;", "&#39;", "<", "Envoyé", "quelle pièce", "margin"],
        ),
    ],
)
def test_new_text_keeps_what_the_person_wrote_and_sets_history_aside(name, kept, dropped):
    message = load(name)
    assert parsing.message_kind(message) == parsing.PERSON
    new, full = parsing.body_text(message)
    for text in kept:
        assert text in new, (name, new)
    for text in dropped:
        assert text not in new, (name, text, new)
    # The full message stays available (folded on the case page).
    assert kept[0] in full and len(full) > len(new)


def test_html_only_full_text_has_no_entities_left():
    _new, full = parsing.body_text(load("html_only_outlook.eml"))
    assert "quelle pièce vous manque-t-il ?" in full
    assert "&" in full and "&amp;" not in full and "&eacute;" not in full


@pytest.mark.parametrize("name", ["auto_reply_outlook_fr.eml", "auto_reply_subject_only_en.eml"])
def test_out_of_office_answers_are_automatic_replies(name):
    assert parsing.message_kind(load(name)) == parsing.AUTO_REPLY


@pytest.mark.parametrize(
    ("header", "value", "kind"),
    [
        ("Auto-Submitted", "auto-replied", parsing.AUTO_REPLY),
        ("Auto-Submitted", "auto-replied; owner-email=a@example.org", parsing.AUTO_REPLY),
        ("X-Autoreply", "yes", parsing.AUTO_REPLY),
        ("X-Autorespond", "Vacation", parsing.AUTO_REPLY),
        # A website's contact form or a platform's notice: automated, but not an answer.
        ("Auto-Submitted", "auto-generated", parsing.AUTOMATED),
        # Newsletters, mailing lists, spam: recorded, never a case.
        ("Precedence", "bulk", parsing.AUTO_REPLY),
        ("Precedence", "junk", parsing.AUTO_REPLY),
        ("Precedence", "list", parsing.AUTO_REPLY),
        ("Auto-Submitted", "no", parsing.PERSON),
    ],
)
def test_automatic_message_headers(header, value, kind):
    raw = (
        f"From: a@example.org\r\nSubject: Votre demande\r\n{header}: {value}\r\n\r\nTexte\r\n"
    ).encode()
    assert parsing.message_kind(BytesParser(policy=policy.default).parsebytes(raw)) == kind


def test_an_absence_subject_is_an_automatic_reply_whatever_else_it_says():
    raw = (
        b"From: a@example.org\r\nSubject: Absent du bureau\r\nAuto-Submitted: auto-generated"
        b"\r\n\r\nTexte\r\n"
    )
    assert parsing.message_kind(BytesParser(policy=policy.default).parsebytes(raw)) == (
        parsing.AUTO_REPLY
    )


@pytest.mark.parametrize(
    "subject",
    [
        "Réponse automatique : Votre demande",
        "Absent du bureau",
        "Absent(e) du bureau : Question sur ma pension",
        "Absent.e du bureau",
        "Message d'absence",
        "Automatic reply: Your request",
        "Out of office",
    ],
)
def test_out_of_office_subjects(subject):
    raw = f"From: a@example.org\r\nSubject: {subject}\r\n\r\nTexte\r\n".encode()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsing.message_kind(message) == parsing.AUTO_REPLY


@pytest.mark.parametrize(
    "subject", ["Absence de paiement en mai", "Question sur mon absence", "Auto-entrepreneur"]
)
def test_ordinary_subjects_are_not_taken_for_automatic_replies(subject):
    raw = f"From: a@example.org\r\nAuto-Submitted: no\r\nSubject: {subject}\r\n\r\nx\r\n".encode()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsing.message_kind(message) == parsing.PERSON


def test_delivery_status_report_is_a_bounce_with_its_reason_and_original_id():
    message = load(
        "bounce_dsn.eml",
        recipient="inconnu@example.org",
        original_message_id="<abc.delivery-7@guichet.example>",
    )
    assert parsing.message_kind(message) == parsing.BOUNCE
    report = parsing.bounce_report(message)
    assert report.original_message_id == "<abc.delivery-7@guichet.example>"
    assert report.recipient == "inconnu@example.org"
    assert "5.1.1" in report.reason and "User unknown" in report.reason


def test_plain_mailer_daemon_notice_is_a_bounce():
    raw = (
        b"From: MAILER-DAEMON@mx.example.org\r\nSubject: failure notice\r\n\r\n"
        b"Sorry.\r\n--- Below this line is a copy of the message.\r\n"
        b"Message-ID: <xyz.delivery-3@guichet.example>\r\n"
    )
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsing.message_kind(message) == parsing.BOUNCE
    assert parsing.bounce_report(message).original_message_id == (
        "<xyz.delivery-3@guichet.example>"
    )


def test_referenced_ids_in_reply_to_first_then_references_most_recent_first():
    raw = (
        b"From: a@example.org\r\nSubject: x\r\nIn-Reply-To: <c@x>\r\n"
        b"References: <a@x> <b@x>\r\n <c@x>\r\n\r\nx\r\n"
    )
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsing.referenced_ids(message) == ["<c@x>", "<b@x>", "<a@x>"]


@pytest.mark.parametrize(
    "attribution",
    [
        # Gmail's plain text wraps its attribution line at any word, the address included.
        "Le lun. 7 déc. 2026 à 10:12, CAF du Rhône <contact@caf69.example.gouv.fr> a\nécrit :",
        "Le lun. 7 déc. 2026 à 10:12, Caisse d'allocations familiales du Rhône <\n"
        "contact@caf69.example.gouv.fr> a écrit :",
        "Le lun. 7 déc. 2026 à 10:12, Caisse d'allocations familiales du\nRhône <\n"
        "contact@caf69.example.gouv.fr> a écrit :",
        "On Mon, Dec 7, 2026 at 10:12 AM CAF du Rhône <contact@caf69.example.gouv.fr>\nwrote:",
    ],
)
def test_a_wrapped_attribution_line_is_set_aside_with_the_history(attribution):
    text = (
        "Merci, mais je n'ai rien reçu le 5.\n\n"
        f"{attribution}\n\n> Madame,\n> Votre aide est versée le 5 du mois.\n"
    )
    assert parsing.new_text(text) == "Merci, mais je n'ai rien reçu le 5."


def test_a_line_starting_with_le_is_kept_when_it_is_not_an_attribution():
    text = "Bonjour,\nLe montant a baissé\nsans raison, on m'a écrit :\nrien.\nMerci"
    assert "Le montant a baissé" in parsing.new_text(text)
