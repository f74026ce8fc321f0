"""Volunteering from the profile page, and the administrators' decision page."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.models import Enrolment, Role
from tests.factories import make_case, make_member


@pytest.fixture
def newcomer(tenant_a):
    services.consent_publish(administration=tenant_a.administration, text="Texte v2")
    return make_member(tenant_a.administration, Role.AGENT)


def _volunteer(client, user, *, agree=True):
    client.force_login(user)
    page = client.get("/compte/profil/")
    consent = page.context["consent"]
    data = {"consent": consent.pk}
    if agree:
        data["agree"] = "on"
    return client.post("/compte/profil/volontariat/", data)


def test_agent_volunteers_administrator_approves_and_drafts_appear(
    client, tenant_a, newcomer, vitale_article, django_capture_on_commit_callbacks
):
    assert _volunteer(client, newcomer).status_code == 302
    enrolment = Enrolment.objects.get(user=newcomer)
    assert enrolment.status == "requested" and enrolment.consent.version == 2

    client.force_login(tenant_a.administrator)
    page = client.get("/compte/volontaires/")
    assert page.status_code == 200 and newcomer.email in page.content.decode()
    client.post(f"/compte/volontaires/{enrolment.pk}/decision/", {"decision": "approve"})
    enrolment.refresh_from_db()
    assert enrolment.status == "approved" and enrolment.decided_by == tenant_a.administrator

    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(tenant_a.administration, subject="Carte Vitale perdue")
    client.force_login(newcomer)
    assert "suggestion-panel" in client.get(f"/brouillons/dossier/{case.pk}/").content.decode()

    client.post("/compte/profil/retrait/")
    enrolment.refresh_from_db()
    assert enrolment.status == "withdrawn"
    assert "suggestion-panel" not in client.get(f"/brouillons/dossier/{case.pk}/").content.decode()


def test_volunteering_without_ticking_the_consent_writes_nothing(client, newcomer):
    _volunteer(client, newcomer, agree=False)
    assert not Enrolment.objects.filter(user=newcomer).exists()


def test_a_refused_request_can_be_made_again(client, tenant_a, newcomer):
    _volunteer(client, newcomer)
    enrolment = Enrolment.objects.get(user=newcomer)
    client.force_login(tenant_a.administrator)
    client.post(
        f"/compte/volontaires/{enrolment.pk}/decision/",
        {"decision": "refuse", "message": "Pas avant la vague 2"},
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "refused" and enrolment.message == "Pas avant la vague 2"
    _volunteer(client, newcomer)
    assert Enrolment.objects.filter(user=newcomer, status="requested").count() == 1


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_agents_and_managers_cannot_open_the_volunteers_page(client, tenant_a, role):
    client.force_login(getattr(tenant_a, role))
    assert client.get("/compte/volontaires/").status_code == 403


def test_an_administrator_of_another_administration_gets_404(client, tenant_a, tenant_b, newcomer):
    _volunteer(client, newcomer)
    enrolment = Enrolment.objects.get(user=newcomer)
    client.force_login(tenant_b.administrator)
    response = client.post(f"/compte/volontaires/{enrolment.pk}/decision/", {"decision": "approve"})
    assert response.status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == "requested"
    page = client.get("/compte/volontaires/").content.decode()
    assert newcomer.email not in page
