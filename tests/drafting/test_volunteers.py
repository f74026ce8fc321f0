"""Drafts are shown only to volunteers: approved, with their own recorded consent."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts import services
from accounts.models import Enrolment, Role
from accounts.selectors import is_volunteer
from tests.factories import make_case, make_member


@pytest.fixture
def case_with_draft(tenant_a, vitale_article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_case(tenant_a.administration, subject="Carte Vitale perdue")


def _panel(client, user, case):
    client.force_login(user)
    return client.get(f"/brouillons/dossier/{case.pk}/").content.decode()


def test_a_volunteer_sees_the_draft(client, tenant_a, case_with_draft):
    assert "draft-text-" in _panel(client, tenant_a.agent, case_with_draft)


def test_a_member_who_did_not_volunteer_sees_nothing(client, tenant_a, case_with_draft):
    newcomer = make_member(tenant_a.administration, Role.AGENT)
    html = _panel(client, newcomer, case_with_draft)
    assert "draft-text-" not in html and "suggestion-panel" not in html


def test_a_requested_but_not_approved_volunteer_sees_nothing(client, tenant_a, case_with_draft):
    newcomer = make_member(tenant_a.administration, Role.AGENT)
    consent = services.consent_publish(administration=tenant_a.administration, text="v2")
    services.enrolment_request(
        actor=newcomer, administration=tenant_a.administration, consent=consent
    )
    assert "suggestion-panel" not in _panel(client, newcomer, case_with_draft)


def test_withdrawing_takes_effect_at_once(client, tenant_a, case_with_draft):
    enrolment = Enrolment.objects.get(user=tenant_a.agent, status="approved")
    services.enrolment_withdraw(actor=tenant_a.agent, enrolment=enrolment)
    assert not is_volunteer(tenant_a.agent, tenant_a.administration.pk)
    assert "suggestion-panel" not in _panel(client, tenant_a.agent, case_with_draft)


def test_rejoining_after_withdrawal_is_a_new_request(tenant_a):
    enrolment = Enrolment.objects.get(user=tenant_a.agent, status="approved")
    services.enrolment_withdraw(actor=tenant_a.agent, enrolment=enrolment)
    consent = services.consent_publish(administration=tenant_a.administration, text="v2")
    again = services.enrolment_request(
        actor=tenant_a.agent, administration=tenant_a.administration, consent=consent
    )
    assert again.pk != enrolment.pk and again.status == "requested"
    assert Enrolment.objects.filter(user=tenant_a.agent).count() == 2


def test_consent_must_be_the_current_text(tenant_a):
    newcomer = make_member(tenant_a.administration, Role.AGENT)
    old = services.consent_publish(administration=tenant_a.administration, text="v-old")
    services.consent_publish(administration=tenant_a.administration, text="v-new")
    with pytest.raises(ValidationError):
        services.enrolment_request(
            actor=newcomer, administration=tenant_a.administration, consent=old
        )


def test_only_administrators_decide(tenant_a):
    newcomer = make_member(tenant_a.administration, Role.AGENT)
    consent = services.consent_publish(administration=tenant_a.administration, text="v2")
    request = services.enrolment_request(
        actor=newcomer, administration=tenant_a.administration, consent=consent
    )
    with pytest.raises(PermissionDenied):
        services.enrolment_decide(actor=tenant_a.manager, enrolment=request, approve=True)
    decided = services.enrolment_decide(
        actor=tenant_a.administrator, enrolment=request, approve=True
    )
    assert decided.status == "approved" and decided.decided_by == tenant_a.administrator


def test_an_administrator_of_another_administration_cannot_decide(tenant_a, tenant_b):
    newcomer = make_member(tenant_a.administration, Role.AGENT)
    consent = services.consent_publish(administration=tenant_a.administration, text="v2")
    request = services.enrolment_request(
        actor=newcomer, administration=tenant_a.administration, consent=consent
    )
    with pytest.raises(PermissionDenied):
        services.enrolment_decide(actor=tenant_b.administrator, enrolment=request, approve=True)
    request.refresh_from_db()
    assert request.status == "requested"


def test_the_database_refuses_an_approval_without_consent(tenant_a):
    newcomer = make_member(tenant_a.administration, Role.AGENT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            user=newcomer, administration=tenant_a.administration, status="approved"
        )


def test_the_api_shows_no_draft_to_a_non_volunteer(client, tenant_a, case_with_draft):
    newcomer = make_member(tenant_a.administration, Role.AGENT)
    client.force_login(newcomer)
    response = client.get(f"/api/v1/cases/{case_with_draft.pk}/suggestion/")
    assert response.status_code == 404
    client.force_login(tenant_a.agent)
    assert client.get(f"/api/v1/cases/{case_with_draft.pk}/suggestion/").status_code == 200


def test_a_non_volunteer_cannot_mark_shown_or_discard(tenant_a, case_with_draft):
    from drafting.models import Suggestion
    from drafting.suggestions import services as suggestion_services

    newcomer = make_member(tenant_a.administration, Role.AGENT)
    suggestion = Suggestion.objects.get(case=case_with_draft)
    with pytest.raises(PermissionDenied):
        suggestion_services.suggestion_mark_shown(actor=newcomer, suggestion=suggestion)
    with pytest.raises(PermissionDenied):
        suggestion_services.suggestion_discard(
            actor=newcomer, suggestion=suggestion, reason="wrong"
        )
    suggestion.refresh_from_db()
    assert suggestion.shown_at is None and suggestion.decision == ""
