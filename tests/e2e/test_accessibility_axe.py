"""axe-core in the browser on every page people use all day, and on the public-service pages:
0 violations of the WCAG 2.1 A/AA rules axe checks. axe-core is vendored
(tests/e2e/vendor/axe.min.js, MPL-2.0) and injected by Playwright: nothing is fetched."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case
from drafting.experiment import services as experiment_services
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']}); return r.violations.map(v => ({id: v.id, impact: v.impact,"
        " help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})); }",
        TAGS,
    )
    return result


@pytest.fixture
def wide_page(browser, live_server):
    # axe-core is injected as an inline script: the test's browser lets it past the page's
    # Content-Security-Policy (which tests/e2e/test_csp.py checks on its own).
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def _world(tenant) -> Case:
    now = timezone.now()
    experiment_services.experiment_configure(
        actor=tenant.administrator,
        administration=tenant.administration,
        assisted_percent=50,
        backend="offline",
        model_name="",
    )
    case = None
    for index in range(6):
        case = make_case(tenant.administration, subject=f"Demande n°{index}")
        if index % 2:
            case = services.case_take(actor=tenant.agent, case=case)
        if index == 3:
            services.case_send_reply(actor=tenant.agent, case=case, body="Madame, Monsieur, voici.")
            Case.objects.filter(pk=case.pk).update(answered_at=now - dt.timedelta(hours=1))
    open_case = make_case(tenant.administration, subject="Question sur mes aides au logement")
    return services.case_take(actor=tenant.agent, case=open_case) or case


PAGES_OF = {
    "agent": [("inbox", "/dossiers/"), ("case", "{case}")],
    "administrator": [
        # Its administration's first steps are not all done: the home page lists them.
        ("home-first-steps", "/"),
        ("dashboard", "/dossiers/tableau-de-bord/"),
        ("impact", "/brouillons/impact/"),
        ("journal", "/compte/journal/"),
        ("members", "/compte/membres/"),
        ("volunteers", "/compte/volontaires/"),
        ("experiment", "/brouillons/experience/"),
        ("settings", "/dossiers/parametres/"),
        ("knowledge", "/brouillons/connaissances/"),
        ("tokens", "/compte/jetons/"),
    ],
    None: [
        ("accessibility", "/accessibilite/"),
        ("legal-notice", "/mentions-legales/"),
        ("personal-data", "/donnees-personnelles/"),
    ],
}


def test_every_page_has_no_axe_violation(wide_page, tenants):
    tenant = tenants[0]
    case = _world(tenant)
    page = wide_page
    failures: dict[str, list[dict]] = {}
    checked = []
    for role, pages in PAGES_OF.items():
        page.context.clear_cookies()
        if role is not None:
            sign_in(page, getattr(tenant, role).email)
        for name, url in pages:
            path = url.format(case=f"/dossiers/{case.pk}/")
            page.goto(path)
            page.wait_for_load_state("networkidle")
            assert page.url.endswith(path), (name, page.url)  # the page itself, not a sign-in
            violations = _violations(page)
            checked.append(name)
            if violations:
                failures[name] = violations
    assert len(checked) == 15
    # axe does report: a field without a label and an image without an alternative.
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<input type="text" id="axe-probe"><img src="/x.png">\')'
    )
    assert {"label", "image-alt"} <= {v["id"] for v in _violations(page)}
    assert not failures, json.dumps(failures, indent=1, ensure_ascii=False)


def test_public_pages_are_linked_from_the_footer_and_the_display_settings_open(wide_page, tenants):
    page = wide_page
    page.goto("/compte/connexion/")
    for link_id, title in (
        ("footer-accessibility", "Déclaration d’accessibilité"),
        ("footer-legal", "Mentions légales"),
        ("footer-personal-data", "Données personnelles"),
    ):
        page.locator(f"#{link_id}").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == title
        if link_id == "footer-accessibility":
            screenshot(page, "accessibility-statement.png")
    assert "non conforme" in page.locator("#footer-accessibility").inner_text()
    page.locator("#footer-display").click()
    modal = page.locator("#fr-theme-modal")
    modal.wait_for(state="visible")
    page.locator("label[for='fr-radios-theme-dark']").click()
    page.wait_for_function("document.documentElement.getAttribute('data-fr-theme') === 'dark'")
