"""The agent's minute per case (issue 15), measured in the browser on a laptop screen
(1,280 × 800): actions and key presses per case, the keyboard-only journey, the layout, the
errors shown where the agent is, Back after sending, and the administration named by the URL.

Before this work (main at 27e17fc, same journeys, 3 cases): 6 actions from the queue to a sent
draft (8 with the way back to the queue), 5.45 s per case; 76 key presses from the queue to a
sent draft by keyboard (99 with the way back), 7.09 s per case. The numbers after are printed
by the journeys below (pytest -s)."""

from __future__ import annotations

import json
import re

import pytest

from accounts.models import Role
from accounts.services import membership_create
from cases import services as case_services
from cases.models import Case, Reply, Status
from drafting.models import Suggestion
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.meter import FULLY_IN_VIEW, IN_VIEW, Meter, laptop  # noqa: F401
from tests.factories import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(laptop):  # noqa: F811
    """A laptop screen (1,280 × 800)."""
    return laptop


CASES = 3
LONG_SUBJECT = (
    "Carte Vitale perdue lors d'un déplacement à l'étranger, demande de remplacement urgente "
    "et attestation de droits"
)


def _queue(tenant, count: int = CASES) -> list[Case]:
    cases = [
        make_case(
            tenant.administration,
            subject=f"{LONG_SUBJECT} ({index + 1})",
            body="Bonjour, j'ai perdu ma carte Vitale. Comment en obtenir une nouvelle ?",
            usager_name="Jeanne Moreau",
        )
        for index in range(count)
    ]
    assert all(Suggestion.objects.get(case=case).status == "ready" for case in cases)
    return cases


def _in_view(page, selector: str) -> bool:
    return page.locator(selector).first.evaluate(IN_VIEW)


def _focused(page, selector: str) -> bool:
    return page.evaluate(
        "s => !!document.activeElement && document.activeElement.matches(s)", selector
    )


def _wait_focus(page, selector: str) -> None:
    page.wait_for_function(
        "s => !!document.activeElement && document.activeElement.matches(s)", arg=selector
    )


def test_the_inbox_fits_a_laptop_screen(page, tenants, vitale_article):
    tenant = tenants[0]
    cases = _queue(tenant)
    sign_in(page, tenant.agent.email)
    page.goto("/dossiers/?box=queue")
    widths = page.evaluate(
        """() => { const table = document.querySelector('#inbox-table table');
        const wrapper = document.querySelector('#inbox-table .fr-table__wrapper');
        return [table.scrollWidth, wrapper.clientWidth,
                document.documentElement.scrollWidth, window.innerWidth]; }"""
    )
    table, wrapper, document_width, window_width = widths
    assert table <= wrapper, widths  # no horizontal scrollbar under the list
    assert document_width <= window_width, widths
    row = page.locator(f"tr[data-case='{cases[0].pk}']")
    # Status, assignee and "Prendre en charge" are on screen without scrolling sideways.
    for cell in (row.locator("td").nth(2), row.locator("td").nth(3), row.get_by_role("button")):
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, box
    assert "Prendre en charge" in row.get_by_role("button").inner_text()
    screenshot(page, "inbox.png")


def test_a_draft_used_as_is_takes_four_actions(page, tenants, vitale_article):
    tenant = tenants[0]
    cases = _queue(tenant)
    sign_in(page, tenant.agent.email)
    page.goto("/dossiers/?box=queue")
    meter = Meter(page)
    to_sent = []
    for index, case in enumerate(cases):
        start = meter.actions
        if index == 0:
            meter.click(page.locator(f"tr[data-case='{case.pk}'] button"))  # Prendre en charge
        else:
            with page.expect_navigation():
                meter.click(page.locator("#take-case"))
        page.wait_for_url(f"**/dossiers/{case.pk}/")
        # The question, the draft and the composer are on screen together.
        page.locator("#use-draft").wait_for()
        for selector in ("#case-body", "[id^=draft-text-]", "#id_body_reply"):
            assert _in_view(page, selector), selector
        if index == 0:
            screenshot(page, "case-with-draft.png")
        meter.click(page.locator("#use-draft"))
        for selector in ("#case-body", "[id^=draft-text-]", "#id_body_reply"):
            assert _in_view(page, selector), f"{selector} after using the draft"
        meter.click(page.locator("#preview-send"))
        page.locator("#reply-preview").wait_for()
        # The preview comes where the agent is, the focus on "Confirmer et envoyer".
        _wait_focus(page, "#confirm-send")
        assert page.locator("#confirm-send").evaluate(FULLY_IN_VIEW)
        assert _in_view(page, "#reply-preview")
        if index == 0:
            screenshot(page, "case-preview.png")
        meter.click(page.locator("#confirm-send"))
        page.wait_for_url(f"**/dossiers/{case.pk}/?envoye=1")
        to_sent.append(meter.actions - start)
        if index < len(cases) - 1:
            # Suivant: the next case of the queue, without going back to the list.
            meter.click(page.locator("#next-case"))
            page.wait_for_url(f"**/dossiers/{cases[index + 1].pk}/")
    assert all(Case.objects.get(pk=c.pk).status == Status.ANSWERED for c in cases)
    print("AFTER mouse", json.dumps({**meter.summary(CASES), "to_sent": to_sent}))
    assert max(to_sent) <= 4, to_sent
    for case in cases:
        suggestion = Suggestion.objects.get(case=case)
        assert suggestion.decision == Suggestion.Decision.ACCEPTED


def test_a_case_by_keyboard_alone_takes_at_most_fifteen_key_presses(page, tenants, vitale_article):
    tenant = tenants[0]
    cases = _queue(tenant)
    sign_in(page, tenant.agent.email)
    page.goto("/dossiers/?box=queue")
    meter = Meter(page)
    meter.press("s")  # the first case of the box
    per_case = []
    for index, case in enumerate(cases):
        page.wait_for_url(f"**/dossiers/{case.pk}/")
        start = meter.keys
        _wait_focus(page, "#take-case")
        with page.expect_navigation():
            meter.press("p")  # prendre en charge
        page.wait_for_url(f"**/dossiers/{case.pk}/")
        page.locator("#use-draft").wait_for()
        meter.press("u")  # utiliser le brouillon: the focus goes to the reply
        _wait_focus(page, "#id_body_reply")
        meter.press("Control+Enter")  # vérifier
        _wait_focus(page, "#confirm-send")
        meter.press("Enter")  # confirmer et envoyer
        page.wait_for_url(f"**/dossiers/{case.pk}/?envoye=1")
        _wait_focus(page, "#next-case")
        assert page.get_by_text("Réponse envoyée à l'usager").is_visible()
        assert page.locator("#already-answered").is_visible()
        if index < len(cases) - 1:
            meter.press("Enter")  # suivant
        per_case.append(meter.keys - start)
    assert all(Case.objects.get(pk=c.pk).status == Status.ANSWERED for c in cases)
    print("AFTER keyboard", json.dumps({**meter.summary(CASES), "per_case": per_case}))
    assert max(per_case) <= 15, per_case


def test_the_shortcuts_help_and_no_shortcut_while_typing(page, tenants, vitale_article):
    tenant = tenants[0]
    case = case_services.case_take(actor=tenant.agent, case=_queue(tenant, 1)[0])
    sign_in(page, tenant.agent.email)
    page.goto(f"/dossiers/{case.pk}/")
    page.locator("#use-draft").wait_for()
    page.keyboard.press("?")
    help_dialog = page.locator("#shortcuts-modal")
    help_dialog.get_by_role("heading", name="Raccourcis clavier").wait_for()
    assert help_dialog.is_visible()
    assert "Dossier suivant de la file" in help_dialog.inner_text() or "suivant" in (
        help_dialog.inner_text().lower()
    )
    screenshot(page, "shortcuts-help.png")
    page.keyboard.press("Escape")
    help_dialog.wait_for(state="hidden")
    # Typing in the reply: letters are text, not shortcuts.
    composer = page.locator("#id_body_reply")
    composer.click()
    page.keyboard.type("supu")
    assert "supu" in composer.input_value()
    assert page.url.endswith(f"/dossiers/{case.pk}/")
    assert not page.locator("#reply-preview").count()
    # Escape leaves the field; the letters are shortcuts again.
    page.keyboard.press("Escape")
    page.keyboard.press("v")
    page.locator("#reply-preview").wait_for()


def test_errors_are_shown_where_the_agent_is(page, tenants, vitale_article):
    tenant = tenants[0]
    case = case_services.case_take(actor=tenant.agent, case=_queue(tenant, 1)[0])
    sign_in(page, tenant.agent.email)
    page.goto(f"/dossiers/{case.pk}/")
    page.locator("#use-draft").wait_for()
    # A reply over the length limit: the error is in view, the focus in the field.
    page.locator("#id_body_reply").fill("x" * 50_001)
    page.locator("#preview-send").click()
    error = page.locator("#reply-body-error")
    error.wait_for()
    assert error.evaluate(IN_VIEW)
    assert _focused(page, "#id_body_reply")
    assert not Reply.objects.filter(case=case).exists()
    # Discarding the draft without a reason: the panel says so, in view, focus on the reason.
    page.locator("#discard-details summary").click()
    page.locator("#discard-draft").click()
    reason_error = page.locator("#discard-reason-error")
    reason_error.wait_for()
    assert reason_error.evaluate(IN_VIEW)
    assert "motif" in reason_error.inner_text().lower()
    _wait_focus(page, "#id_discard_reason")
    assert Suggestion.objects.get(case=case).decision == ""


def test_back_after_sending_then_confirm_is_no_dead_end(page, tenants, vitale_article):
    tenant = tenants[0]
    case = case_services.case_take(actor=tenant.agent, case=_queue(tenant, 1)[0])
    sign_in(page, tenant.agent.email)
    page.goto(f"/dossiers/{case.pk}/")
    page.locator("#use-draft").click()
    page.locator("#preview-send").click()
    page.locator("#confirm-send").click()
    page.wait_for_url("**?envoye=1")
    page.go_back()
    page.wait_for_url(re.compile(rf"/dossiers/{case.pk}/$"))
    if page.locator("#confirm-send").count():
        # The browser kept the preview: confirming again says it was sent, and goes on.
        page.locator("#confirm-send").click()
        page.wait_for_url("**?envoye=1")
        assert "déjà été envoyée" in page.locator(".fr-alert--info").inner_text()
    else:
        # The page is never cached: Back shows the case as it is now, answered, and says so.
        assert page.locator("#composer").count() == 0
        assert "Une réponse a été envoyée" in page.locator("#already-answered").inner_text()
    assert page.locator("#next-case").is_visible()
    assert Reply.objects.filter(case=case).count() == 1


def test_a_case_url_of_my_other_administration_switches_the_header_and_says_so(
    page, tenants, vitale_article
):
    first, second = tenants[0], tenants[1]
    membership_create(user=first.agent, administration=second.administration, role=Role.AGENT)
    case = make_case(second.administration, subject="Question de l'autre caisse")
    sign_in(page, first.agent.email)
    page.goto("/dossiers/")
    switcher = page.locator("#administration-switcher")
    assert switcher.input_value() == str(first.administration.pk)
    page.goto(f"/dossiers/{case.pk}/")
    assert switcher.input_value() == str(second.administration.pk)
    notice = page.locator(".fr-alert--info").first
    assert second.administration.name in notice.inner_text()
    assert "vous travaillez maintenant" in notice.inner_text()
