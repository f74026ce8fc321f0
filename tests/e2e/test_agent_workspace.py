"""An agent's day in the browser: take, draft, use, edit, send; discard; tenancy by URL."""

from __future__ import annotations

import pytest

from cases.models import Case, Status
from drafting.models import Suggestion
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _vitale_case(tenant, **kwargs):
    return make_case(
        tenant.administration,
        subject=kwargs.pop("subject", "Carte Vitale perdue"),
        body=kwargs.pop(
            "body", "Bonjour, j'ai perdu ma carte Vitale. Comment en obtenir une nouvelle ?"
        ),
        usager_name="Jeanne Moreau",
        **kwargs,
    )


def test_agent_takes_uses_edits_and_sends_the_draft(page, tenants, vitale_article):
    tenant = tenants[0]
    case = _vitale_case(tenant)
    for index in range(4):
        _vitale_case(tenant, subject=f"Attestation de droits n°{index}")
    assert Suggestion.objects.get(case=case).status == "ready"

    sign_in(page, tenant.agent.email)
    page.goto("/dossiers/?box=queue")
    row = page.locator(f"tr[data-case='{case.pk}']")
    assert row.is_visible()
    screenshot(page, "inbox.png")
    row.get_by_role("button").click()  # "Take"
    page.wait_for_url(f"**/dossiers/{case.pk}/")

    panel = page.locator("#suggestion-panel")
    panel.wait_for()
    draft = page.locator(f"#draft-text-{Suggestion.objects.get(case=case).pk}")
    assert "ameli" in draft.inner_text()
    assert page.locator("#draft-sources li").count() >= 1
    page.locator("#draft-sources summary").first.click()
    screenshot(page, "case-with-draft.png")

    page.locator("#use-draft").click()
    composer = page.locator("#id_body_reply")
    text = composer.input_value()
    assert text.startswith("Bonjour Jeanne Moreau,")
    edited = text.replace(
        "Bonjour Jeanne Moreau,",
        "Bonjour Jeanne Moreau,\n\nMerci pour votre message, nous comprenons votre inquiétude.",
    )
    composer.fill(edited)
    page.locator("#preview-send").click()
    page.locator("#reply-preview").wait_for()
    assert "nous comprenons votre inquiétude" in page.locator("#reply-preview").inner_text()
    page.locator("#confirm-send").click()
    page.locator("#case-status").wait_for()
    assert Case.objects.get(pk=case.pk).status == Status.ANSWERED

    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.shown_at is not None
    assert suggestion.decision == Suggestion.Decision.EDITED
    assert 0.4 <= suggestion.similarity < 1.0
    assert suggestion.seconds_to_decision is not None


def test_another_agent_discards_a_draft_with_a_reason(page, tenants, vitale_article):
    tenant = tenants[0]
    case = _vitale_case(tenant)
    from cases.services import case_take

    case_take(actor=tenant.agent2, case=case)
    sign_in(page, tenant.agent2.email)
    page.goto(f"/dossiers/{case.pk}/")
    page.locator("#suggestion-panel").wait_for()
    page.get_by_text("Écarter ce brouillon").or_(page.get_by_text("Discard this draft")).click()
    page.locator("#id_discard_reason").select_option("incomplete")
    page.locator("#discard-draft").click()
    page.locator("#suggestion-panel .fr-alert--info").wait_for()
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.decision == Suggestion.Decision.DISCARDED
    assert suggestion.discard_reason == "incomplete"


def test_agent_of_another_administration_gets_404_by_url(page, tenants, vitale_article):
    case = _vitale_case(tenants[0])
    sign_in(page, tenants[1].agent.email)
    response = page.goto(f"/dossiers/{case.pk}/")
    assert response.status == 404
    assert case.subject not in page.content()
