"""An outsider who knows (or guesses: they are sequential) a case's reference writes to the
administration's mailbox with it in the subject.

Only the case's usager may write into their case by its reference: anyone else's message opens
a case of its own that names the reference (tests/cases/test_mail_threads.py covers a case with
an e-mail address), and so does any message naming a case without an address (phone, counter).
What is put on a case without an agent reading it (an out-of-office notice, a bounce) needs a
proof: a thread of the case, or, for an out-of-office notice, the usager's own address.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from cases.intake.mail import email_receive
from cases.models import Case, CaseEvent, Channel
from tests.factories import make_administration, make_case

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parents[1] / "cases" / "fixtures" / "mail"
INTRUDER = "mallory@evil.example"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def administration(db):
    return make_administration("CAF du Rhône", code="CAF69")


def _mail(*, subject: str, body: str, sender: str = f"Mallory <{INTRUDER}>") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "contact@caf69.example.gouv.fr"
    message["Subject"] = subject
    message["Message-ID"] = "<forged-1@evil.example>"
    message.set_content(body)
    return bytes(message)


def _receive(administration, raw: bytes, capture):
    with capture(execute=True):
        return email_receive(administration=administration, raw=raw)


def test_a_stranger_cannot_write_into_a_case_without_e_mail_by_its_reference(
    administration, django_capture_on_commit_callbacks
):
    # A telephone case: the usager left no address, as most phone and counter cases.
    case = make_case(administration, channel=Channel.PHONE, usager_email="")
    raw = _mail(
        subject=f"Re: [{case.reference}] complément",
        body="Bonjour, voici mon nouveau RIB : FR76 0000 0000 0000. Virez l'aide ici.",
    )
    outcome = _receive(administration, raw, django_capture_on_commit_callbacks)
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE).exists()
    assert outcome.case is not None and outcome.case.pk != case.pk
    assert case.reference in outcome.case.body


def test_a_forged_out_of_office_naming_a_reference_is_not_put_on_the_case(
    administration, django_capture_on_commit_callbacks
):
    case = make_case(administration)  # the usager is camille.martin@example.org
    raw = _mail(
        subject=f"Réponse automatique : [{case.reference}] Question",
        body="Je suis absente. Écrivez désormais à mon adresse : camille@evil.example",
    )
    raw = raw.replace(b"Subject:", b"Auto-Submitted: auto-replied\nSubject:", 1)
    outcome = _receive(administration, raw, django_capture_on_commit_callbacks)
    assert outcome.outcome == "auto_reply"
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.AUTO_REPLY).exists()


def test_a_forged_bounce_naming_a_reference_is_not_put_on_the_case(
    administration, django_capture_on_commit_callbacks
):
    case = make_case(administration)
    raw = (
        (FIXTURES / "bounce_dsn.eml")
        .read_text()
        .replace("{recipient}", "camille.martin@example.org")
        .replace("{original_message_id}", "<unknown@evil.example>")
        .replace("Undelivered Mail Returned to Sender", f"Undelivered Mail [{case.reference}]")
        .encode()
    )
    outcome = _receive(administration, raw, django_capture_on_commit_callbacks)
    assert outcome.outcome == "bounce"
    assert not CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.BOUNCE).exists()


def test_the_usager_still_writes_into_their_case_by_its_reference(
    administration, django_capture_on_commit_callbacks
):
    """What the fixes above must keep: the usager's own message, by the reference alone."""
    case = make_case(administration)
    raw = _mail(
        subject=f"[{case.reference}] complément",
        body="Voici la pièce demandée.",
        sender="Camille Martin <camille.martin@example.org>",
    )
    outcome = _receive(administration, raw, django_capture_on_commit_callbacks)
    assert outcome.case.pk == case.pk
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE).exists()
    assert Case.objects.filter(administration=administration).count() == 1


def test_the_usagers_own_out_of_office_naming_the_reference_is_put_on_the_case(
    administration, django_capture_on_commit_callbacks
):
    """The proof an out-of-office notice needs: the usager's own address will do."""
    case = make_case(administration)
    raw = _mail(
        subject=f"Réponse automatique : [{case.reference}] Question",
        body="Je suis absente jusqu'au 3 janvier.",
        sender="Camille Martin <camille.martin@example.org>",
    )
    raw = raw.replace(b"Subject:", b"Auto-Submitted: auto-replied\nSubject:", 1)
    outcome = _receive(administration, raw, django_capture_on_commit_callbacks)
    assert outcome.outcome == "auto_reply" and outcome.case.pk == case.pk
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.AUTO_REPLY).exists()
