"""An agent's day in the browser: take, draft, use, edit, send; discard; tenancy by URL;
confidence and sentences to check; the answer bank (picker, model answers)."""

from __future__ import annotations

import re

import pytest

from cases import services as case_services
from cases.models import Case, Status
from drafting.answers import services as answer_services
from drafting.grounding import verify_citations
from drafting.knowledge import ArticleData
from drafting.knowledge.services import article_upsert
from drafting.models import Suggestion
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.meter import laptop  # noqa: F401
from tests.factories import make_case

MARKER_RE = re.compile(r"\[\d+(?:\s*[,;-]\s*\d+)*\]")
AMELI = "https://www.ameli.fr/assure/remboursements/etre-bien-rembourse/carte-vitale"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(laptop):  # noqa: F811
    """A laptop screen (1,280 × 800): the case page's screenshots are at that width."""
    return laptop


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
    row.get_by_role("button").click()  # "Take"
    page.wait_for_url(f"**/dossiers/{case.pk}/")

    panel = page.locator("#suggestion-panel")
    panel.wait_for()
    draft = page.locator(f"#draft-text-{Suggestion.objects.get(case=case).pk}")
    assert "ameli" in draft.inner_text()
    assert page.locator("#draft-sources li").count() >= 1
    page.locator("#draft-sources summary").first.click()

    page.locator("#use-draft").click()
    composer = page.locator("#id_body_reply")
    text = composer.input_value()
    assert text.startswith("Bonjour Jeanne Moreau,")
    # The draft cites its sources as [n]; what the composer gets has none of them.
    assert MARKER_RE.search(draft.inner_text())
    assert not MARKER_RE.search(text)
    edited = text.replace(
        "Bonjour Jeanne Moreau,",
        "Bonjour Jeanne Moreau,\n\nMerci pour votre message, nous comprenons votre inquiétude.",
    )
    composer.fill(edited)
    page.locator("#preview-send").click()
    page.locator("#reply-preview").wait_for()
    assert "nous comprenons votre inquiétude" in page.locator("#reply-preview").inner_text()
    page.locator("#confirm-send").click()
    # The preview is in place (htmx): the page changes once the reply is sent.
    page.wait_for_url("**/?envoye=1")
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


@pytest.fixture
def public_vitale_article(db):
    """The same fiche with a public link: replies end with it ("Pour en savoir plus")."""
    return article_upsert(
        data=ArticleData(
            external_id="TEST-VITALE-PUBLIC",
            title="Carte Vitale perdue ou volée",
            body="",
            source_format="markdown",
            source_url=AMELI,
            topic_slug="sante",
            passages=[
                (
                    "Carte Vitale perdue ou volée",
                    "Si vous avez perdu votre carte Vitale, déclarez la perte sur votre compte "
                    "ameli puis commandez une nouvelle carte. Vos droits restent ouverts.",
                ),
                (
                    "Carte Vitale perdue ou volée › Délai",
                    "La nouvelle carte Vitale arrive en général sous deux à trois semaines. "
                    "En attendant, demandez une attestation de droits.",
                ),
            ],
        ),
        administration=None,
    )


def _taken(tenant, **kwargs) -> Case:
    case = _vitale_case(tenant, **kwargs)
    return case_services.case_take(actor=tenant.agent, case=case)


def test_a_confident_draft_is_used_without_markers_and_with_the_fiche_link(
    page, tenants, public_vitale_article
):
    tenant = tenants[0]
    case = _taken(tenant)
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.status == "ready" and not suggestion.abstained
    sign_in(page, tenant.agent.email)
    page.goto(f"/dossiers/{case.pk}/")
    page.locator("#draft-confidence").wait_for()
    assert page.locator("#draft-confidence").get_attribute("data-level") == "reliable"
    page.locator("#draft-sources summary").first.click()
    screenshot(page, "draft-panel.png")

    page.locator("#use-draft").click()
    text = page.locator("#id_body_reply").input_value()
    assert not MARKER_RE.search(text)
    assert f"Pour en savoir plus :\n- Carte Vitale perdue ou volée : {AMELI}" in text
    page.locator("#preview-send").click()
    page.locator("#confirm-send").click()
    # The preview is in place (htmx): the page changes once the reply is sent.
    page.wait_for_url("**/?envoye=1")
    suggestion.refresh_from_db()
    assert suggestion.decision == Suggestion.Decision.ACCEPTED
    assert not MARKER_RE.search(case.replies.get().body)


def test_sentences_not_found_in_their_source_are_shown_to_check(
    page, tenants, public_vitale_article
):
    tenant = tenants[0]
    case = _taken(tenant)
    suggestion = Suggestion.objects.get(case=case)
    # What a remote model may write: a figure its source does not give, checked by the verifier.
    wrong = "Votre nouvelle carte vous sera envoyée sous cinq jours ouvrés [2]."
    text = suggestion.text.replace("\n\nNous vous prions", f"\n\n{wrong}\n\nNous vous prions", 1)
    assert wrong in text
    verification = verify_citations(text, [s["excerpt"] for s in suggestion.sources])
    assert verification.unsupported >= 1
    Suggestion.objects.filter(pk=suggestion.pk).update(
        text=text, verification=verification.as_dict()
    )
    sign_in(page, tenant.agent.email)
    page.goto(f"/dossiers/{case.pk}/")
    flagged = page.locator("#draft-flagged")
    flagged.wait_for()
    assert "cinq jours ouvrés" in flagged.inner_text()
    # The sentence is highlighted where it stands in the draft, and only that one.
    marked = page.locator(f"#draft-text-{suggestion.pk} mark.guichet-flagged")
    assert marked.count() == 1
    assert wrong in marked.inner_text()
    assert page.locator("#draft-confidence").get_attribute("data-level") == "check"
    screenshot(page, "draft-flagged.png")


def test_a_low_confidence_draft_tells_the_agent_to_check_that_it_answers_the_question(
    page, tenants, public_vitale_article
):
    tenant = tenants[0]
    case = _taken(tenant)
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.status == "ready" and not suggestion.abstained
    # What the composer gives a question its fiches may not cover (tests/drafting/
    # test_abstention_and_reuse.py): every sentence found in its source, a low confidence.
    # And the opening it writes then: the closest information, not a claim to answer.
    from drafting.suggestions.backends import INTRO_CLOSEST, intro_for_confidence

    Suggestion.objects.filter(pk=suggestion.pk).update(
        confidence=0.3, text=intro_for_confidence(suggestion.text, 0.3)
    )
    sign_in(page, tenant.agent.email)
    page.goto(f"/dossiers/{case.pk}/")
    box = page.locator("#draft-confidence")
    box.wait_for()
    assert box.get_attribute("data-level") == "check"
    assert "brouillon à vérifier" in box.inner_text().casefold()
    assert "ne répond peut-être pas à cette question précise" in box.inner_text()
    assert page.locator("#draft-flagged").count() == 0
    assert INTRO_CLOSEST in page.locator(f"#draft-text-{suggestion.pk}").inner_text()
    screenshot(page, "draft-low-confidence.png")


def test_an_uncovered_question_gets_an_abstained_draft_and_the_picker_helps(
    page, tenants, public_vitale_article
):
    tenant = tenants[0]
    answer = answer_services.bank_answer_create(
        actor=tenant.manager,
        administration=tenant.administration,
        question="Bruit de voisinage, à qui s'adresser ?",
        answer=(
            "Les nuisances sonores entre voisins relèvent de la mairie de votre commune et, "
            "la nuit, de la police ou de la gendarmerie. Nous ne pouvons pas intervenir sur "
            "ce sujet."
        ),
    )
    case = _taken(
        tenant,
        subject="Bruit de voisinage",
        body="Bonjour, mon voisin fait des travaux très bruyants tous les dimanches, "
        "à qui dois-je m'adresser ?",
    )
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.abstained, suggestion.text
    sign_in(page, tenant.agent.email)
    page.goto(f"/dossiers/{case.pk}/")
    page.locator("#draft-confidence").wait_for()
    assert page.locator("#draft-confidence").get_attribute("data-level") == "abstained"
    page.locator("#answer-picker summary").click()
    picked = page.locator(f"[data-insert-answer='{answer.pk}']")
    picked.wait_for()
    screenshot(page, "draft-abstained.png")

    composer = page.locator("#id_body_reply")
    picked.click()
    text = composer.input_value()
    assert text.startswith("Bonjour Jeanne Moreau,\n\nLes nuisances sonores")
    assert text.rstrip().endswith(tenant.administration.name)
    # The use is counted in the background (the most used answers stay in the bank).
    for _attempt in range(50):
        answer.refresh_from_db()
        if answer.uses:
            break
        page.wait_for_timeout(100)
    assert answer.uses == 1


def test_the_answer_bank_page(page, tenants):
    tenant = tenants[0]
    for question, text in (
        (
            "Carte Vitale perdue : comment en obtenir une nouvelle ?",
            "Déclarez la perte sur votre compte ameli, rubrique Mes démarches, puis commandez "
            "une nouvelle carte. Elle arrive sous deux à trois semaines ; en attendant, "
            "téléchargez une attestation de droits.",
        ),
        (
            "Bruit de voisinage, à qui s'adresser ?",
            "Les nuisances sonores entre voisins relèvent de la mairie de votre commune et, la "
            "nuit, de la police ou de la gendarmerie.",
        ),
        (
            "Changement d'adresse : que faut-il faire ?",
            "Signalez votre nouvelle adresse dans votre espace personnel, rubrique Mon profil. "
            "Le changement est pris en compte pour les prochains courriers.",
        ),
    ):
        answer_services.bank_answer_create(
            actor=tenant.agent,
            administration=tenant.administration,
            question=question,
            answer=text,
        )
    sign_in(page, tenant.manager.email)
    page.locator("#nav-answers").click()
    page.wait_for_url("**/brouillons/reponses-types/")
    assert page.locator("#bank-answers tbody tr").count() == 3
    screenshot(page, "answer-bank.png")
