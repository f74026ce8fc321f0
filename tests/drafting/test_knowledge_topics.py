"""The topic an imported fiche is filed under."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from cases.models import Topic
from drafting.models import KnowledgeArticle
from tests.drafting.test_knowledge import markdown, write
from tests.factories import make_administration

pytestmark = pytest.mark.django_db


def _import(folder, administration):
    call_command("import_knowledge", str(folder), "--administration", administration.slug)
    return KnowledgeArticle.objects.get(administration=administration)


def test_the_administrations_own_topic_named_in_the_title_wins_over_the_guess(tmp_path):
    administration = make_administration("MDPH de la Drôme", code="MDPH26")
    own = Topic.objects.create(
        administration=administration, name="Carte mobilité inclusion", slug="cmi"
    )
    # The words of the fiche ("santé", "handicap") suggest a national topic.
    write(
        tmp_path,
        "cmi.md",
        markdown("GUI-C001", "Carte mobilite inclusion (CMI) : stationnement", topic="sante"),
    )
    assert _import(tmp_path, administration).topic == own


def test_a_topic_whose_name_is_only_part_of_a_word_is_not_taken(tmp_path):
    administration = make_administration("MDPH de la Drôme", code="MDPH26")
    Topic.objects.create(administration=administration, name="Aide", slug="aide")
    write(tmp_path, "a.md", markdown("GUI-C002", "Aides au logement", topic="logement"))
    article = _import(tmp_path, administration)
    assert article.topic is None or article.topic.slug == "logement"


def test_a_reimport_keeps_the_topic_an_administrator_chose(tmp_path):
    administration = make_administration("MDPH de la Drôme", code="MDPH26")
    chosen = Topic.objects.create(administration=administration, name="Accueil", slug="accueil")
    path = write(tmp_path, "a.md", markdown("GUI-C003", "Allocation de rentrée scolaire"))
    article = _import(tmp_path, administration)
    article.topic = chosen
    article.save(update_fields=["topic"])
    path.write_text(
        markdown("GUI-C003", "Allocation de rentrée scolaire", "Un texte mis à jour.\n"),
        encoding="utf-8",
    )
    article = _import(tmp_path, administration)
    assert "mis à jour" in article.body
    assert article.topic == chosen
