"""A usager writes to two administrations' mailboxes at once (To one, Cc the other), over real
SMTP and IMAP: each administration gets its own case (nothing crosses tenants), and the
usager's "reply all" to one administration's answer joins each administration's own case,
never opening a new one in the other."""

from __future__ import annotations

import smtplib

import pytest

from cases import services
from cases.models import Case, CaseEvent
from tests.case_states import REPLY_TEXT, make_office

from .mailservers import start_dovecot, start_smtp, wait_until
from .test_mail_imap import poll
from .test_mail_transfer import CONTACT, OTHER, PASSWORD, USAGER, make_mailbox, usager_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def dovecot():
    server = start_dovecot({"caf69": PASSWORD, "cpam38": PASSWORD})
    yield server
    server.stop()


@pytest.fixture
def smtp(dovecot):
    server = start_smtp(dovecot, {CONTACT: "caf69", OTHER: "cpam38"})
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_mail_to_two_administrations_and_the_reply_all_stay_each_in_its_case(
    office, dovecot, smtp, settings, django_capture_on_commit_callbacks
):
    isere = make_office("Caisse primaire d'assurance maladie de l'Isère", "CPAM38")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp.host, smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    make_mailbox(office, dovecot, CONTACT, "caf69")
    make_mailbox(isere, dovecot, OTHER, "cpam38")

    def send(message):
        with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as connection:
            connection.send_message(message)
        for inbox in ("caf69", "cpam38"):
            wait_until(lambda inbox=inbox: dovecot.uids(inbox), what=f"the mail in {inbox}")
        poll(django_capture_on_commit_callbacks)

    question = usager_mail("Pension et soins", "Ma pension et mes soins de mars ?")
    question["Cc"] = OTHER
    send(question)
    caf_case = Case.objects.get(administration=office.administration)
    cpam_case = Case.objects.get(administration=isere.administration)
    caf_case = services.case_take(actor=office.agent, case=caf_case)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_send_reply(actor=office.agent, case=caf_case, body=REPLY_TEXT)
    caf_reply = wait_until(
        lambda: [m for m in smtp.to(USAGER) if caf_case.reference in m["Subject"]]
    )[-1]

    answer = usager_mail(f"Re: {caf_reply['Subject']}", "Voici mon RIB.", answering=caf_reply)
    answer["Cc"] = OTHER
    send(answer)
    for case in (caf_case, cpam_case):
        bodies = [
            e.data["body"]
            for e in CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE)
        ]
        assert bodies == ["Voici mon RIB."], case.administration
    assert Case.objects.count() == 2
