"""`make run` loads the demo with seed_demo: it must work on a fresh database and twice."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Administration, AuditEntry, Enrolment
from cases.models import Case, SatisfactionResponse
from devtools.management.commands import seed_demo
from drafting.models import ExperimentPeriod, Suggestion

# Transactional: the demo drafts each case after its creation commits, as `make run` does.
pytestmark = pytest.mark.django_db(transaction=True)


def test_seed_demo_loads_every_part_and_is_idempotent(monkeypatch):
    monkeypatch.setattr(seed_demo, "CASES_PER_ADMINISTRATION", 6)
    monkeypatch.setattr(seed_demo, "CASES_OF_EXPERIMENT", 30)
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert Administration.objects.count() == 6
    assert Case.objects.count() == 5 * 6 + 30
    assert ExperimentPeriod.objects.filter(ended_at__isnull=True).count() == 1
    assert Enrolment.objects.filter(status="approved").exists()
    assert Suggestion.objects.filter(status="ready").exists()
    assert SatisfactionResponse.objects.exists()
    assert AuditEntry.objects.filter(action="enrolment.approved").exists()
    printed = out.getvalue()
    assert "guichet-demo-2026" in printed and "agent1.caf69@demo.guichet.fr" in printed

    counts = (Case.objects.count(), AuditEntry.objects.count(), Suggestion.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Case.objects.count(), AuditEntry.objects.count(), Suggestion.objects.count()) == counts
