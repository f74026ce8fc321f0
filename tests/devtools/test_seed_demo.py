"""`make run` loads the demo with seed_demo: it must work on a fresh database and twice."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Administration, AuditEntry, Enrolment
from cases.models import Case, Reply, SatisfactionResponse
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
    _replies_are_what_an_agent_sends()

    counts = (Case.objects.count(), AuditEntry.objects.count(), Suggestion.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Case.objects.count(), AuditEntry.objects.count(), Suggestion.objects.count()) == counts


def _replies_are_what_an_agent_sends():
    replies = list(Reply.objects.select_related("case__administration"))
    assert replies
    # Some replies come from the drafts (the experiment's volunteers), the others are written.
    drafted = Suggestion.objects.filter(status="ready", shown_at__isnull=False).values("case")
    assert any(r.case_id in {row["case"] for row in drafted} for r in replies)
    for reply in replies:
        body, case = reply.body, reply.case
        assert not re.search(r"\[\s*\d", body), body
        assert "example" not in body.lower(), body
        assert body.count("Nous avons bien reçu") <= 1, body
        assert f"« {case.subject} »" not in body or not case.subject.startswith("Appel"), body
        assert "Pour en savoir plus :\n" in body or "Pour en savoir plus" not in body, body
        # Nothing after the signature: an agent's additions go before the closing.
        assert body.rstrip().endswith(case.administration.signature.strip()), body
        assert len(body) > 300, body
