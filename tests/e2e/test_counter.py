"""At the counter, in the browser: an agent records the case of a usager in front of them (no
e-mail), sees its draft, uses it and records the answer given; nothing is delivered."""

from __future__ import annotations

import json
import re

import pytest

from cases import services as case_services
from cases.models import Case, CaseEvent, Channel, Delivery, Reply, Status
from drafting.models import Suggestion
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_accessibility_axe import _violations, wide_page  # noqa: F401
from tests.factories import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_agent_records_a_counter_case_sees_the_draft_and_records_the_answer_given(
    page, tenants, vitale_article
):
    tenant = tenants[0]
    sign_in(page, tenant.agent.email)
    page.goto("/dossiers/")
    page.locator("#new-case").click()
    page.wait_for_url("**/dossiers/nouveau/")

    page.locator("label[for='id_channel_1']").click()  # France Services accompaniment
    page.locator("#id_subject").fill("Carte Vitale perdue")
    page.locator("#id_body").fill(
        "Bonjour, j'ai perdu ma carte Vitale. Comment en obtenir une nouvelle ?"
    )
    page.locator("#id_usager_name").fill("Jeanne Moreau")
    page.locator("#id_usager_phone").fill("06 12 34 56 78")
    page.locator("#id_attachments").set_input_files(
        files=[{"name": "attestation.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}]
    )
    assert page.locator("#id_handle_now").is_checked()
    page.evaluate("document.activeElement.blur()")
    screenshot(page, "new-case.png")
    # A double click records the case once.
    page.locator("#case-new-submit").dblclick()
    page.wait_for_url(re.compile(r"/dossiers/\d+/$"))

    case = Case.objects.get(subject="Carte Vitale perdue")
    assert case.administration_id == tenant.administration.pk
    assert (case.channel, case.assignee_id) == (Channel.FRANCE_SERVICES, tenant.agent.pk)
    assert case.attachments.count() == 1

    # The draft, as for any case; the usager has no e-mail: recording is what is offered.
    page.locator("#suggestion-panel").wait_for()
    assert "ameli" in page.locator("#suggestion-panel").inner_text()
    assert page.locator("#no-delivery-route").is_visible()
    assert page.locator("#preview-send").count() == 0
    # Nothing written: the error comes in place (htmx), the case is untouched.
    page.locator("#id_body_reply").fill("")
    page.locator("#record-answer-given").click()
    page.locator("#reply-body-error").wait_for()
    assert not Reply.objects.filter(case=case).exists()
    page.locator("#use-draft").click()
    used = page.locator("#id_body_reply").input_value()
    assert used.startswith("Bonjour Jeanne Moreau,")
    assert page.locator("#answer-given-counter").is_checked()
    page.locator("#record-answer-given").click()
    page.wait_for_url("**/?envoye=1")

    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    reply = Reply.objects.get(case=case)
    assert not Delivery.objects.filter(reply__case=case).exists()
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.REPLY_SENT)
    assert event.data["given"] == "counter"
    assert page.locator("[data-answer-given='counter']").is_visible()
    assert page.locator("#already-answered").is_visible()
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.reply_id == reply.pk
    assert suggestion.decision == Suggestion.Decision.ACCEPTED


def test_the_counter_pages_have_no_axe_violation(wide_page, tenants):  # noqa: F811
    """The new-case page, empty and with its errors, and a case whose usager has no e-mail
    (the answer-given choice open, recording the only button)."""
    tenant = tenants[0]
    page = wide_page
    sign_in(page, tenant.agent.email)
    failures = {}
    page.goto("/dossiers/nouveau/")
    failures["new-case"] = _violations(page)
    page.locator("#id_usager_email").fill("jeanne@")
    page.locator("#case-new-submit").click()
    page.locator("#case-new-errors").wait_for()
    failures["new-case-errors"] = _violations(page)
    case = make_case(tenant.administration, channel=Channel.PHONE, usager_email="")
    case_services.case_take(actor=tenant.agent, case=case)
    page.goto(f"/dossiers/{case.pk}/")
    page.locator("#suggestion-panel").wait_for()
    assert page.locator("#answer-given-phone").is_checked()
    failures["case-without-e-mail"] = _violations(page)
    failures = {name: found for name, found in failures.items() if found}
    assert not failures, json.dumps(failures, indent=1, ensure_ascii=False)


def test_recording_an_answer_given_on_a_case_with_e_mail_asks_first(page, tenants):
    """With an e-mail address, "Record the answer given" sends nothing: the agent confirms it
    (once), and declining records nothing."""
    tenant = tenants[0]
    case = make_case(tenant.administration, channel=Channel.EMAIL)
    case_services.case_take(actor=tenant.agent, case=case)
    sign_in(page, tenant.agent.email)
    page.goto(f"/dossiers/{case.pk}/")
    page.locator("#id_body_reply").fill("Bonjour, je vous ai répondu au téléphone ce matin.")
    questions: list[str] = []

    def answer(dialog, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.locator("#record-answer-given").click()
    page.wait_for_timeout(500)
    assert len(questions) == 1 and "Rien ne sera envoyé" in questions[0]
    assert not Reply.objects.filter(case=case).exists()
    page.on("dialog", lambda dialog: answer(dialog, True))
    page.locator("#record-answer-given").click()
    page.wait_for_url("**/?envoye=1")
    assert len(questions) == 2
    assert Reply.objects.filter(case=case).count() == 1
    assert not Delivery.objects.filter(reply__case=case).exists()
