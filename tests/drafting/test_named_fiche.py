"""A question that names the thing a fiche is about ("ma carte de sécurité sociale", "ma carte
de résident") is answered from that fiche first, even when another ranks first on the words
and the meaning of the rest of the question (``retrieval.named_first``)."""

from __future__ import annotations

import pytest

from drafting.knowledge import ArticleData
from drafting.knowledge.retrieval import knowledge_snapshot, named_first, retrieve_fiches
from drafting.knowledge.services import article_upsert
from drafting.models import KnowledgeArticle


def _fiche(external_id, title, passages):
    article_upsert(
        data=ArticleData(
            external_id=external_id,
            title=title,
            body="",
            source_format="markdown",
            source_url="",
            topic_slug="papiers",
            passages=passages,
        ),
        administration=None,
    )
    return KnowledgeArticle.objects.get(external_id=external_id, administration=None).pk


@pytest.fixture
def fiches(db):
    cni = _fiche(
        "T-CNI",
        "Carte d'identité perdue ou volée : démarches",
        [
            (
                "Carte d'identité perdue ou volée : démarches",
                "Si votre sac a été volé avec votre carte d'identité, déclarez le vol au "
                "commissariat puis demandez une nouvelle carte en mairie.",
            )
        ],
    )
    vitale = _fiche(
        "T-VITALE",
        "Carte Vitale : que faire en cas de perte ou de vol ?",
        [
            (
                "Carte Vitale : que faire en cas de perte ou de vol ?",
                "Déclarez la perte sur votre compte ameli et commandez une nouvelle carte.",
            )
        ],
    )
    sejour = _fiche(
        "T-SEJOUR",
        "Titre de séjour : demander son renouvellement",
        [
            (
                "Titre de séjour : demander son renouvellement",
                "Demandez le renouvellement dans les quatre mois avant l'expiration.",
            )
        ],
    )
    actualisation = _fiche(
        "T-ACTU",
        "France Travail : l'actualisation mensuelle",
        [("France Travail : l'actualisation mensuelle", "Actualisez-vous chaque mois.")],
    )
    return cni, vitale, sejour, actualisation


def test_the_fiche_a_question_names_comes_first(tenant_a, fiches):
    cni, vitale, sejour, _actualisation = fiches
    snapshot = knowledge_snapshot(tenant_a.administration.pk)
    stolen = "on m'a volé mon sac avec ma carte de sécurité sociale dedans, que faire ?"
    assert named_first(stolen, [cni, sejour], snapshot)[:2] == [vitale, cni]
    # Not ranked at all, the named fiche is found by its title, and retrieval returns it.
    found = retrieve_fiches(stolen, administration_id=tenant_a.administration.pk, articles=2)
    assert found[0].article_id == vitale
    assert named_first("ma carte de résident expire en juin", [cni, sejour], snapshot)[0] == sejour


def test_a_question_that_names_the_first_fiche_or_two_things_keeps_the_ranking(tenant_a, fiches):
    cni, vitale, sejour, actualisation = fiches
    snapshot = knowledge_snapshot(tenant_a.administration.pk)
    # The first fiche's own thing.
    assert named_first(
        "j'ai perdu ma carte d'identité et ma carte vitale", [cni, vitale], snapshot
    ) == [
        cni,
        vitale,
    ]
    # Two things named, neither first: no guess.
    both = "ma carte vitale et mon titre de séjour sont dans le sac volé"
    assert named_first(both, [actualisation, cni], snapshot) == [actualisation, cni]
    # A word of the first fiche's title no other title has names it ("actualisation").
    question = "j'étais en arrêt, je le mets où dans l'actualisation, ma carte vitale ?"
    assert named_first(question, [actualisation, vitale], snapshot) == [actualisation, vitale]
    # Nothing named: the ranking stands.
    assert named_first("comment faire ?", [sejour, cni], snapshot) == [sejour, cni]
