"""An administrator in the browser: starts the experiment, changes the texts and a deadline,
adds a topic, writes and imports knowledge."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.models import AuditEntry
from drafting.models import ExperimentPeriod, KnowledgeArticle
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_administrator_sets_the_experiment_and_the_settings_up(page, tenants, tmp_path: Path):
    tenant = tenants[0]
    sign_in(page, tenant.administrator.email)

    page.locator("#nav-administration").click()
    page.locator("#tile-experiment a").click()
    page.wait_for_url("**/brouillons/experience/")
    page.locator("#id_assisted_percent").fill("50")
    page.get_by_role("button", name="Démarrer l’expérimentation").click()
    page.locator("#running-share").wait_for()
    assert "50 %" in page.locator("#running-share").inner_text()
    screenshot(page, "experiment.png")
    period = ExperimentPeriod.objects.get(administration=tenant.administration)
    assert period.ended_at is None and period.backend == "offline"

    page.locator("#nav-administration").click()
    page.locator("#tile-settings a").click()
    page.wait_for_url("**/dossiers/parametres/")
    page.locator("#id_closing").fill("Bien cordialement,")
    page.get_by_role("button", name="Enregistrer les textes").click()
    page.wait_for_url("**/dossiers/parametres/")
    page.locator("#id_days_email").fill("6")
    page.get_by_role("button", name="Enregistrer les délais").click()
    page.wait_for_url("**/dossiers/parametres/")
    page.locator("#id_topic_name").fill("Rendez-vous en agence")
    page.get_by_role("button", name="Ajouter le thème").click()
    page.locator("#own-topics").get_by_text("Rendez-vous en agence", exact=False).first.wait_for()
    screenshot(page, "settings.png")
    tenant.administration.refresh_from_db()
    assert tenant.administration.closing == "Bien cordialement,"

    page.locator("#nav-administration").click()
    page.locator("#tile-knowledge a").click()
    page.wait_for_url("**/brouillons/connaissances/")
    good = tmp_path / "horaires.md"
    good.write_text(
        "---\nexternal_id: CAF69-HORAIRES\ntitle: Horaires de l'agence\n---\n"
        "L'agence est ouverte du lundi au vendredi de 8 h 30 à 16 h 30.\n",
        encoding="utf-8",
    )
    bad = tmp_path / "cassé.md"
    bad.write_text("pas d'en-tête\n", encoding="utf-8")
    page.locator("#id_files").set_input_files([str(good), str(bad)])
    page.get_by_role("button", name="Importer", exact=True).click()
    page.locator("#import-errors").wait_for()
    assert "cassé.md" in page.locator("#import-errors").inner_text()
    assert not KnowledgeArticle.objects.filter(administration=tenant.administration).exists()
    page.locator("#id_files").set_input_files([str(good)])
    page.get_by_role("button", name="Importer", exact=True).click()
    page.locator("#articles").get_by_text("Horaires de l'agence").wait_for()
    screenshot(page, "knowledge.png")
    categories = set(
        AuditEntry.objects.filter(administration=tenant.administration).values_list(
            "category", flat=True
        )
    )
    assert {"experiment", "settings", "knowledge"} <= categories
