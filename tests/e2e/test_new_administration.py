"""A new administration from nothing, in the browser, as the README's operator runbook says:
national staff create it in the Django admin and invite its first administrator from its
members page; the administrator signs in for the first time, is told the first steps, and
imports fiches of their own (a malformed one refused, naming what is wrong, nothing written)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail

from accounts.models import Administration, Membership, User
from drafting.models import KnowledgeArticle
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Un-mot-de-passe-solide-2026"

FICHE = """<?xml version="1.0" encoding="UTF-8"?>
<Publication xmlns:dc="http://purl.org/dc/elements/1.1/" ID="F9801" type="Fiche pratique"
  spUrl="https://www.service-public.fr/particuliers/vosdroits/F9801">
  <dc:title>Carte mobilité inclusion (CMI)</dc:title>
  <dc:description>Qui peut obtenir la carte et comment la demander.</dc:description>
  <dc:date>modified 2026-10-15</dc:date>
  <Introduction><Texte><Paragraphe>La carte mobilité inclusion facilite les déplacements des
  personnes handicapées.</Paragraphe></Texte></Introduction>
  <Texte>
    <Chapitre>
      <Titre><Paragraphe>Demande</Paragraphe></Titre>
      <Paragraphe>La demande se fait à la MDPH avec un certificat médical de moins d'un an.
      La MDPH a 4 mois pour répondre.</Paragraphe>
    </Chapitre>
  </Texte>
</Publication>
"""


def test_national_staff_create_an_administration_whose_administrator_is_told_what_to_do(
    page, browser, live_server, tmp_path: Path
):
    User.objects.create_superuser(email="national@exemple.gouv.fr", password=PASSWORD)

    # The operator creates the administration in the Django admin.
    page.goto("/admin/")
    page.locator("#id_username").fill("national@exemple.gouv.fr")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.goto("/admin/accounts/administration/add/")
    page.locator("#id_name").fill("Maison départementale des personnes handicapées de la Drôme")
    page.locator("#id_code").fill("MDPH26")
    page.locator("#id_slug").fill("mdph26")
    page.locator("#id_kind").select_option("local_authority")
    page.locator("input[name=_save]").click()
    page.wait_for_url("**/admin/accounts/administration/")
    administration = Administration.objects.get(code="MDPH26")

    # ...then invites its first administrator from its members page, empty so far.
    page.goto("/compte/membres/")
    assert page.locator("#members-empty").count() == 1
    page.locator("#id_email").fill("claire.morel@mdph26.fr")
    page.locator("#id_first_name").fill("Claire")
    page.locator("#id_last_name").fill("Morel")
    page.locator("#id_role").select_option("administrator")
    page.locator("#invite").click()
    page.wait_for_url("**/compte/membres/")
    assert Membership.objects.get(administration=administration).role == "administrator"

    # The administrator follows the e-mailed link, chooses a password and signs in.
    link = re.search(r"http\S+/compte/invitation/\S+/", mail.outbox[-1].body).group(0)
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 1000}
    )
    admin_page = context.new_page()
    admin_page.set_default_timeout(15_000)
    admin_page.goto("/compte/" + link.split("/compte/", 1)[1])
    admin_page.locator("#id_new_password1").fill(PASSWORD)
    admin_page.locator("#id_new_password2").fill(PASSWORD)
    admin_page.locator("#set-password").click()
    admin_page.wait_for_url("**/compte/connexion/")
    sign_in(admin_page, "claire.morel@mdph26.fr", PASSWORD)

    # The first page says what to do first, nothing done yet but the optional mailbox.
    steps = admin_page.locator("#getting-started li")
    assert steps.count() == 6
    assert admin_page.locator("#getting-started .fr-badge--success").count() == 0
    screenshot(admin_page, "first-steps.png")

    # Knowledge: a malformed fiche beside a good one is refused, naming what is wrong.
    good = tmp_path / "F9801.xml"
    good.write_text(FICHE, encoding="utf-8")
    bad = tmp_path / "F9805.xml"
    bad.write_text(FICHE.replace("</Paragraphe>\n    </Chapitre>", "\n    </Chapitre>"))
    admin_page.locator("#step-knowledge a").click()
    admin_page.wait_for_url("**/brouillons/connaissances/")
    admin_page.locator("#id_files").set_input_files([str(good), str(bad)])
    admin_page.get_by_role("button", name="Importer", exact=True).click()
    errors = admin_page.locator("#import-errors").inner_text()
    assert "F9805.xml" in errors and "</Chapitre>" in errors and "F9801.xml" not in errors
    assert not KnowledgeArticle.objects.filter(administration=administration).exists()

    admin_page.locator("#id_files").set_input_files([str(good)])
    admin_page.get_by_role("button", name="Importer", exact=True).click()
    admin_page.wait_for_url("**/brouillons/connaissances/")
    assert KnowledgeArticle.objects.filter(administration=administration).count() == 1

    # Back home, the knowledge step is ticked; the others still wait.
    admin_page.goto("/")
    assert admin_page.locator("#step-knowledge .fr-badge--success").count() == 1
    assert admin_page.locator("#step-members .fr-badge--success").count() == 0
    context.close()
