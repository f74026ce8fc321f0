from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from drafting.knowledge import ArticleData
from drafting.services import article_upsert


@pytest.fixture
def vitale_article(db):
    """A national fiche the drafts can cite."""
    return article_upsert(
        data=ArticleData(
            external_id="TEST-VITALE",
            title="Carte Vitale perdue ou volée",
            body="",
            source_format="markdown",
            source_url="https://guichet.example.gouv.fr/fiches/TEST-VITALE",
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


@pytest.fixture
def fast_retries(settings):
    settings.DRAFTING_RETRY_INITIAL_WAIT = 0.01
    settings.DRAFTING_RETRY_MAX_WAIT = 0.02
    return settings


assert django_settings.configured
