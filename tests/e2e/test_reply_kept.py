"""The reply in progress, in the browser: what the agent types in the composer survives what
reloads the case page (a note, a status action, "Next case" and back, a reload), kept in the
tab's sessionStorage; sending it, "Use this reply" or "Go back to the proposed text" forget it;
where nothing can be kept, leaving the page asks first (static/js/workspace.js)."""

from __future__ import annotations

import pytest

from cases import services as case_services
from cases.models import Case, InternalNote, Status
from tests.e2e.conftest import sign_in
from tests.factories import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADDED = "Votre demande est bien enregistrée : nous revenons vers vous sous huit jours."

KEPT_KEYS = """() => Object.keys(sessionStorage).filter(k => k.startsWith("guichet.reply."))"""

# What a browser that refuses storage (privacy settings) gives the page's scripts.
NO_STORAGE = """Object.defineProperty(window, "sessionStorage", {
  configurable: true,
  get() { throw new DOMException("The storage is refused.", "SecurityError"); },
});"""


def _taken_case(tenant, **kwargs) -> Case:
    case = make_case(tenant.administration, usager_name="Jeanne Moreau", **kwargs)
    return case_services.case_take(actor=tenant.agent, case=case)


def _type_in_the_composer(page) -> str:
    """Type a sentence after the greeting, as an agent does; the composer's text after."""
    composer = page.locator("#id_body_reply")
    composer.click()
    page.keyboard.press("Control+Home")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.type(ADDED)
    text = composer.input_value()
    assert ADDED in text
    return text


def _add_a_note(page, body: str) -> None:
    page.locator("#id_note_body").fill(body)
    with page.expect_navigation():
        page.locator("#id_note_body").locator("xpath=ancestor::form").locator(
            "button[type=submit]"
        ).click()


def test_the_reply_in_progress_comes_back_and_is_forgotten_once_sent(page, tenants):
    tenant = tenants[0]
    case = _taken_case(tenant)
    make_case(tenant.administration, subject="Un autre dossier")  # for "Next case"
    sign_in(page, tenant.agent.email)
    page.goto(f"/dossiers/{case.pk}/")
    composer = page.locator("#id_body_reply")
    proposed = composer.input_value()
    assert page.locator("#composer-restored").is_hidden()
    typed = _type_in_the_composer(page)
    key = f"guichet.reply.{tenant.agent.pk}.{case.pk}"
    assert page.evaluate("k => sessionStorage.getItem(k)", key) == typed
    assert page.evaluate("k => localStorage.getItem(k)", key) is None

    # An internal note reloads the page: the text is back, and the agent is told.
    _add_a_note(page, "Appeler la CAF demain matin.")
    assert InternalNote.objects.filter(case=case).count() == 1
    assert composer.input_value() == typed
    notice = page.locator("#composer-restored")
    assert notice.is_visible()

    # A status action, "Next case" and back, a reload: still there.
    with page.expect_navigation():
        page.locator("[data-action='start']").click()
    assert Case.objects.get(pk=case.pk).status == Status.IN_PROGRESS
    assert composer.input_value() == typed
    with page.expect_navigation():
        page.locator("#next-case").click()
    assert f"/dossiers/{case.pk}/" not in page.url
    page.goto(f"/dossiers/{case.pk}/")
    assert composer.input_value() == typed
    page.reload()
    assert composer.input_value() == typed

    # The preview and the sending work as before; the page after sending forgets the text.
    page.locator("#preview-send").click()
    page.locator("#reply-preview").wait_for()
    assert ADDED in page.locator("#reply-preview").inner_text()
    page.locator("#confirm-send").click()
    page.wait_for_url("**/?envoye=1")
    assert ADDED in case.replies.get().body
    assert page.evaluate(KEPT_KEYS) == []
    assert proposed != typed


def test_back_to_editing_keeps_the_text_and_the_proposed_text_can_come_back(page, tenants):
    tenant = tenants[0]
    case = _taken_case(tenant)
    sign_in(page, tenant.agent.email)
    page.goto(f"/dossiers/{case.pk}/")
    composer = page.locator("#id_body_reply")
    proposed = composer.input_value()
    typed = _type_in_the_composer(page)
    page.locator("#preview-send").click()
    page.locator("#reply-preview").wait_for()
    page.locator("#back-to-editing").click()
    page.locator("#preview-send").wait_for()
    assert ADDED in composer.input_value()
    page.reload()
    assert composer.input_value() == typed

    page.locator("#composer-restore-proposed").click()
    assert composer.input_value() == proposed
    assert page.locator("#composer-restored").is_hidden()
    assert page.evaluate(KEPT_KEYS) == []
    page.reload()
    assert composer.input_value() == proposed
    assert page.locator("#composer-restored").is_hidden()


def test_using_the_draft_forgets_the_text_it_replaces(page, tenants, vitale_article):
    tenant = tenants[0]
    case = _taken_case(
        tenant,
        subject="Carte Vitale perdue",
        body="Bonjour, j'ai perdu ma carte Vitale. Comment en obtenir une nouvelle ?",
    )
    sign_in(page, tenant.agent.email)
    page.goto(f"/dossiers/{case.pk}/")
    composer = page.locator("#id_body_reply")
    proposed = composer.input_value()
    page.locator("#use-draft").wait_for()
    _type_in_the_composer(page)
    assert page.evaluate(KEPT_KEYS) != []
    page.once("dialog", lambda dialog: dialog.accept())  # "Replace the text you have written?"
    page.locator("#use-draft").click()
    assert "ameli" in composer.input_value()
    assert page.evaluate(KEPT_KEYS) == []
    page.reload()
    assert composer.input_value() == proposed
    assert page.locator("#composer-restored").is_hidden()


def _leave_by_next_case(page) -> list[str]:
    """Click "Next case", dismissing any "Leave the page?" question; the dialogs asked."""
    asked: list[str] = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.locator("#next-case").click()
    page.wait_for_timeout(500)
    page.remove_listener("dialog", answer)
    return asked


def test_leaving_asks_first_only_when_the_text_cannot_be_kept(page, tenants):
    tenant = tenants[0]
    case = _taken_case(tenant)
    sign_in(page, tenant.agent.email)
    detail = f"/dossiers/{case.pk}/"

    # Kept in the tab: nothing to ask, the text comes back.
    page.goto(detail)
    typed = _type_in_the_composer(page)
    assert _leave_by_next_case(page) == []
    page.wait_for_url(lambda url: detail not in url)
    page.goto(detail)
    assert page.locator("#id_body_reply").input_value() == typed

    # A browser that refuses storage: the page works, and leaving with one's text asks first.
    page.add_init_script(NO_STORAGE)
    page.goto(detail)
    page.locator("#composer-restore-proposed").wait_for(state="attached")
    composer = page.locator("#id_body_reply")
    proposed = composer.input_value()
    # Nothing typed yet: nothing to lose, nothing asked.
    assert _leave_by_next_case(page) == []
    page.wait_for_url(lambda url: detail not in url)
    page.goto(detail)
    assert composer.input_value() == proposed
    _type_in_the_composer(page)
    assert _leave_by_next_case(page) == ["beforeunload"]
    assert detail in page.url  # the agent chose to stay: the text is still there
    assert ADDED in composer.input_value()


def test_closing_a_case_nobody_answered_asks_first(page, tenants):
    tenant = tenants[0]
    case = _taken_case(tenant)
    sign_in(page, tenant.agent.email)
    page.goto(f"/dossiers/{case.pk}/")
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.locator('button[data-action="close"]').click()
    assert asked and ("no reply was sent" in asked[0] or "aucune réponse" in asked[0])
    case.refresh_from_db()
    assert case.status != Status.CLOSED
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator('button[data-action="close"]').click()
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_signing_out_forgets_the_replies_kept_in_the_tab(page, tenants):
    """On a shared workstation, the next person signing in in this tab finds nothing."""
    tenant = tenants[0]
    case = _taken_case(tenant)
    sign_in(page, tenant.agent.email)
    page.goto(f"/dossiers/{case.pk}/")
    _type_in_the_composer(page)
    assert page.evaluate(KEPT_KEYS)
    with page.expect_navigation():
        page.locator("form[data-sign-out] button").first.click()
    assert page.evaluate(KEPT_KEYS) == []
