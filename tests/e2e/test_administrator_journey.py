"""An administrator brings an agent in, the agent volunteers and then withdraws (browser)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import Enrolment, User
from cases import services as case_services
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Un-mot-de-passe-solide-2026"


def _case_for(tenant, agent, subject):
    case = make_case(
        tenant.administration,
        subject=subject,
        body="Bonjour, j'ai perdu ma carte Vitale. Comment en obtenir une nouvelle ?",
        usager_name="Jeanne Moreau",
    )
    return case_services.case_assign(actor=tenant.manager, case=case, assignee=agent)


def test_invite_volunteer_approve_draft_then_withdraw_no_draft(
    page, browser, live_server, tenants, vitale_article
):
    tenant = tenants[0]
    # The administrator invites a new agent from the members page.
    sign_in(page, tenant.administrator.email)
    page.goto("/compte/membres/")
    page.locator("#id_email").fill("ines.garnier@example.org")
    page.locator("#id_first_name").fill("Inès")
    page.locator("#id_last_name").fill("Garnier")
    page.locator("#id_team").fill("Accueil")
    page.locator("#invite").click()
    page.wait_for_url("**/compte/membres/")
    row = page.locator("tr[data-member='ines.garnier@example.org']")
    assert "Invitation envoyée" in row.text_content()
    screenshot(page, "members.png")

    # The invitee follows the e-mailed link, chooses a password and signs in.
    link = re.search(r"http\S+/compte/invitation/\S+/", mail.outbox[-1].body).group(0)
    path = "/compte/" + link.split("/compte/", 1)[1]
    agent_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    agent_page = agent_context.new_page()
    agent_page.set_default_timeout(15_000)
    agent_page.goto(path)
    agent_page.locator("#id_new_password1").fill(PASSWORD)
    agent_page.locator("#id_new_password2").fill(PASSWORD)
    agent_page.locator("#set-password").click()
    agent_page.wait_for_url("**/compte/connexion/")
    sign_in(agent_page, "ines.garnier@example.org", PASSWORD)

    # The agent reads the consent text and volunteers.
    agent_page.goto("/compte/profil/")
    agent_page.locator("label[for=agree]").click()
    agent_page.locator("#volunteer").click()
    agent_page.wait_for_url("**/compte/profil/")
    assert "décision" in agent_page.locator("#enrolment-status").inner_text()

    # The administrator approves the request.
    page.goto("/compte/volontaires/")
    user = User.objects.get(email="ines.garnier@example.org")
    enrolment = Enrolment.objects.get(user=user, status="requested")
    page.locator(f"[data-enrolment='{enrolment.pk}'] button[value='approve']").click()
    page.wait_for_url("**/compte/volontaires/")
    enrolment.refresh_from_db()
    assert enrolment.status == "approved"

    # The agent's next case comes with a draft.
    first = _case_for(tenant, user, "Carte Vitale perdue")
    agent_page.goto(f"/dossiers/{first.pk}/")
    agent_page.locator("#suggestion-panel").wait_for()
    assert "ameli" in agent_page.locator("#suggestion-panel").inner_text()

    # The agent withdraws in one click; the following case shows no draft.
    agent_page.goto("/compte/profil/")
    agent_page.locator("#withdraw").click()
    agent_page.wait_for_url("**/compte/profil/")
    second = _case_for(tenant, user, "Carte Vitale volée")
    agent_page.goto(f"/dossiers/{second.pk}/")
    agent_page.wait_for_load_state("networkidle")
    assert agent_page.locator("#suggestion-panel").count() == 0
    assert agent_page.locator("#suggestion-slot").inner_text().strip() == ""
    agent_context.close()
