"""Pages read on a phone (375 px wide) and on a laptop (1,280 px): no sideways scrollbar.

The inbox's five columns left the case's subject one letter wide on a phone (a page forty
thousand pixels tall); each row is now a block, with the status and the assignee after their
label, and the table keeps its roles for screen readers. The administration switcher, a wide
table and the audit journal no longer push the page wider than the screen.
"""

from __future__ import annotations

import pytest

from accounts import services as account_services
from accounts.models import Role
from cases import services as case_services
from cases.models import Topic
from tests.e2e.conftest import sign_in
from tests.factories import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBJECT = "Loyers en retard, j'ai peur d'être expulsé"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 375, "height": 800}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_inbox_on_a_phone_shows_each_case_across_the_screen(phone, tenant_a):
    housing = Topic.objects.get(administration=None, slug="logement")
    for _ in range(3):
        make_case(tenant_a.administration, subject=SUBJECT, topic=housing)
    sign_in(phone, tenant_a.agent.email)
    phone.goto("/dossiers/?box=queue")

    width = phone.evaluate("document.documentElement.clientWidth")
    assert phone.evaluate("document.documentElement.scrollWidth") <= width
    link = phone.locator("#inbox-table tbody a").first
    box = link.bounding_box()
    assert box is not None
    # The subject spans most of the screen (it was one letter wide) and holds on two lines.
    assert box["width"] > width * 0.6
    assert box["height"] < 80
    row = phone.locator("#inbox-table tbody tr").first
    status = row.locator("td[data-label]").first
    label = status.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Statut\u00a0: "'
    assert row.get_by_role("button", name="Prendre en charge").is_visible()
    # The table is still a table to assistive technologies.
    assert phone.get_by_role("columnheader", name="Statut").count() == 1
    assert phone.get_by_role("cell", name="Statut\u00a0: Nouveau").count() == 3


def test_the_inbox_on_a_laptop_keeps_its_columns(page, tenant_a):
    make_case(tenant_a.administration, subject=SUBJECT)
    sign_in(page, tenant_a.agent.email)
    page.goto("/dossiers/?box=queue")
    header = page.locator("#inbox-table thead")
    assert header.is_visible()
    status = page.locator("#inbox-table tbody td[data-label]").first
    assert status.evaluate("cell => getComputedStyle(cell).display") == "table-cell"
    assert status.evaluate("cell => getComputedStyle(cell, '::before').content") == "none"


def test_the_administration_switcher_fits_a_phone(phone, tenants):
    first, second = tenants[0], tenants[1]
    account_services.membership_create(
        user=first.agent, administration=second.administration, role=Role.AGENT
    )
    sign_in(phone, first.agent.email)
    width = phone.evaluate("document.documentElement.clientWidth")
    # The switcher's select and button were pushed beyond the screen's right edge.
    assert phone.evaluate("document.documentElement.scrollWidth") <= width
    switcher = phone.locator("#administration-switcher")
    button = phone.get_by_role("button", name="Changer")
    for control in (switcher, button):
        box = control.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert switcher.bounding_box()["width"] > 150
    switcher.select_option(str(second.administration.pk))
    button.click()
    phone.wait_for_load_state()
    assert phone.locator("#administration-switcher").input_value() == str(second.administration.pk)


def test_a_wide_table_scrolls_in_its_region_not_the_page(phone, tenant_a):
    # The members' table is wider than a phone: the visually hidden labels of its buttons
    # (absolutely positioned) stretched the page, which scrolled sideways by 240 px.
    sign_in(phone, tenant_a.administrator.email)
    phone.goto("/compte/membres/")
    region = phone.get_by_role("region", name="Membres")
    assert region.evaluate("r => r.scrollWidth > r.clientWidth")
    assert phone.evaluate("() => { window.scrollTo(1000, 0); return window.scrollX; }") == 0


def test_the_audit_journal_fits_a_laptop_screen(page, tenant_a):
    # Its e-mail addresses did not wrap: the details column was beyond the screen's right
    # edge, behind a sideways scrollbar.
    sign_in(page, tenant_a.administrator.email)
    page.goto("/compte/journal/")
    container = page.locator("#audit-table .fr-table__container")
    assert container.evaluate("c => c.scrollWidth <= c.clientWidth")
    details = page.get_by_role("columnheader", name="Détails").bounding_box()
    assert details is not None
    assert details["x"] + details["width"] <= page.viewport_size["width"]
    category = page.locator("#audit-table tbody td:nth-child(3)").first
    # A word is not broken in the middle ("Membres", "Volontaires" on one line).
    assert category.evaluate("td => td.getClientRects().length") == 1


def test_the_draft_panels_discard_reason_fits_a_phone(phone, tenants, vitale_article):
    # The reason's <select> ended 7 px beyond a 375 px screen (56 px beyond its column: inside
    # a <details> it was content-box, its padding added to its width of 100 %).
    tenant = tenants[0]
    case = make_case(
        tenant.administration,
        subject="Carte Vitale perdue",
        body="Bonjour, j'ai perdu ma carte Vitale. Comment en obtenir une nouvelle ?",
    )
    case_services.case_take(actor=tenant.agent, case=case)
    sign_in(phone, tenant.agent.email)
    phone.goto(f"/dossiers/{case.pk}/")
    phone.locator("#suggestion-panel").wait_for()
    phone.locator("#discard-details summary").click()
    select = phone.locator("#id_discard_reason")
    select.wait_for()
    width = phone.evaluate("document.documentElement.clientWidth")
    box = select.bounding_box()
    assert box is not None
    # Every box around the select, up to the panel, holds it whole.
    overflows = select.evaluate(
        """select => {
            const right = select.getBoundingClientRect().right;
            const out = [];
            for (let el = select.parentElement; el; el = el.parentElement) {
                const inner = el.getBoundingClientRect().right
                    - parseFloat(getComputedStyle(el).borderRightWidth)
                    - parseFloat(getComputedStyle(el).paddingRight);
                if (right > inner + 0.5) out.push([el.id || el.className, right - inner]);
                if (el.id === "suggestion-panel") break;
            }
            return out;
        }"""
    )
    assert overflows == [], overflows
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert phone.evaluate("document.documentElement.scrollWidth") <= width
    # Still usable: a reason can be chosen.
    select.select_option("incomplete")
