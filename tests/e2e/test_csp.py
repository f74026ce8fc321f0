"""No Content-Security-Policy violation on the main pages, in a real browser: the DSFR, htmx
(the suggestion panel loads through it), the charts and the API documentation page all run
under the policy, with nothing blocked."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import sign_in
from tests.factories import UserFactory, make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Recorded by the page itself, before any of its scripts run.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI + " "
    + (event.sourceFile || "") + ":" + (event.lineNumber || ""));
});
"""


def _watch(page) -> list[str]:
    console: list[str] = []
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return console


def _visit(page, path: str) -> list[str]:
    page.goto(path)
    page.wait_for_load_state("load")
    return [f"{path}: {v}" for v in page.evaluate("window.__violations")]


def test_no_csp_violation_on_the_main_pages(page, tenants, vitale_article):
    tenant = tenants[0]
    case = make_case(
        tenant.administration,
        subject="Carte Vitale perdue",
        body="Bonjour, j'ai perdu ma carte Vitale. Comment en obtenir une nouvelle ?",
    )
    console = _watch(page)
    violations: list[str] = []
    violations += _visit(page, "/compte/connexion/")
    violations += _visit(page, "/compte/mot-de-passe/oubli/")

    sign_in(page, tenant.manager.email)
    for path in ("/", "/dossiers/?box=queue", "/dossiers/tableau-de-bord/", "/compte/profil/"):
        violations += _visit(page, path)
    violations += _visit(page, f"/dossiers/{case.pk}/")
    # htmx ran under the policy: the suggestion panel was fetched and swapped in.
    page.locator("#suggestion-panel").wait_for()
    # The DSFR's JavaScript ran: it marks the document once started.
    assert page.evaluate("document.documentElement.hasAttribute('data-fr-js')")
    # The charts drew (Chart.js under the policy).
    page.goto("/dossiers/tableau-de-bord/")
    page.wait_for_load_state("load")
    violations += [f"dashboard: {v}" for v in page.evaluate("window.__violations")]

    page.context.clear_cookies()
    sign_in(page, tenant.administrator.email)
    for path in ("/compte/membres/", "/compte/jetons/", "/compte/journal/", "/compte/gestion/"):
        violations += _visit(page, path)

    page.context.clear_cookies()
    UserFactory(email="national@guichet.fr", is_superuser=True, is_staff=True)
    sign_in(page, "national@guichet.fr")
    violations += _visit(page, "/api/docs/")
    page.locator(".swagger-ui").first.wait_for()
    violations += [f"api docs: {v}" for v in page.evaluate("window.__violations")]

    assert not violations, "\n".join(violations)
    assert not console, "\n".join(console)
