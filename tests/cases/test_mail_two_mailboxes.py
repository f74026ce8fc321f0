"""A usager writes to two administrations' mailboxes at once (To one, Cc the other), over real
SMTP and IMAP: each administration gets its own case (nothing crosses tenants), and the
usager's "reply all" to one administration's answer joins each administration's own case,
never opening a new one in the other."""

from __future__ import annotations

import pytest

from cases import services
from cases.models import Case, CaseEvent
from tests.case_states import REPLY_TEXT

from .mail_offices import CONTACT, OTHER, make_mailbox, usager_mail

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def test_a_mail_to_two_administrations_and_the_reply_all_stay_each_in_its_case(
    office, isere, mail_world, django_capture_on_commit_callbacks
):
    make_mailbox(office, mail_world.dovecot, CONTACT)
    make_mailbox(isere, mail_world.dovecot, OTHER)

    question = usager_mail("Pension et soins", "Ma pension et mes soins de mars ?")
    question["Cc"] = OTHER
    mail_world.send(question)
    caf_case = Case.objects.get(administration=office.administration)
    cpam_case = Case.objects.get(administration=isere.administration)
    caf_case = services.case_take(actor=office.agent, case=caf_case)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_send_reply(actor=office.agent, case=caf_case, body=REPLY_TEXT)
    caf_reply = mail_world.received(lambda m: caf_case.reference in m["Subject"])

    answer = usager_mail(f"Re: {caf_reply['Subject']}", "Voici mon RIB.", answering=caf_reply)
    answer["Cc"] = OTHER
    mail_world.send(answer)
    for case in (caf_case, cpam_case):
        bodies = [
            e.data["body"]
            for e in CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.USAGER_MESSAGE)
        ]
        assert bodies == ["Voici mon RIB."], case.administration
    assert Case.objects.count() == 2
