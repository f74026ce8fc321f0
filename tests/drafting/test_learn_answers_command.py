"""``learn_answers``: the daily sweep of the answer bank, from cron."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases import services as case_services
from drafting.answers.models import BankAnswer
from tests.factories import make_case

REPLY = (
    "Bonjour,\n\nVous pouvez télécharger l'attestation de paiement de vos aides au logement à "
    "tout moment dans votre espace personnel, rubrique Mes attestations : choisissez la période "
    "demandée par votre propriétaire, puis enregistrez le document au format PDF.\n\n"
    "Cordialement,\nLe service"
)


def test_the_command_learns_replies_whose_window_has_ended(
    tenant_a, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(
            tenant_a.administration,
            subject="Attestation de paiement",
            body="Mon propriétaire me demande une attestation de paiement des aides au logement.",
        )
    case_services.case_take(actor=tenant_a.agent, case=case)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_send_reply(actor=tenant_a.agent, case=case, body=REPLY)
    out = StringIO()
    call_command("learn_answers", stdout=out)
    assert "no reply due" in out.getvalue()
    assert not BankAnswer.objects.exists()
    later = timezone.now() + dt.timedelta(days=15)
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("learn_answers", stdout=out)
    assert "learned 1" in out.getvalue()
    assert BankAnswer.objects.filter(administration=tenant_a.administration).count() == 1


@pytest.mark.django_db
def test_a_bad_span_is_refused():
    with pytest.raises(CommandError, match="--days"):
        call_command("learn_answers", days=0)
