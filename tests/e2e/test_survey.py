"""The usager's survey in a real browser: the form sends, once. A page served with
``Referrer-Policy: no-referrer`` makes the browser send ``Origin: null`` with its form, which
Django's CSRF check refuses (403): every usager's opinion was lost, unseen by the test client."""

from __future__ import annotations

import pytest

from cases.models import SatisfactionResponse
from cases.survey.services import survey_token
from tests.factories import make_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_usager_sends_their_opinion_from_the_browser_once(browser, live_server, tenants):
    case = make_case(tenants[0].administration)
    url = f"/enquete/{survey_token(case.pk)}/"
    # A phone, as most usagers open the link from their mail.
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(url)
        page.locator("label[for=id_rating_4]").click()
        page.locator("label[for=id_answered_0]").click()
        page.locator("#id_comment").fill("Réponse claire, merci 👍")
        with page.expect_navigation():
            page.locator("#survey-submit").click()
        assert page.locator("#survey-thanks").is_visible()
        response = SatisfactionResponse.objects.get(case=case)
        assert (response.rating, response.comment) == (5, "Réponse claire, merci 👍")
        # Opened again from the mail: said, not a second form.
        page.goto(url)
        assert "déjà été remplie" in page.locator("#survey-problem").inner_text()
    finally:
        context.close()
