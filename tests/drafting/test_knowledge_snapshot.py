"""The index snapshot: what retrieval keeps per process is current after every knowledge change
(the answer bank's best fiches included), costs one statement per draft, and matches the words
usagers write (other forms of a word, typos, their expressions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cases.models import Case
from drafting.answers.models import BankAnswer
from drafting.knowledge import ArticleData
from drafting.knowledge import services as knowledge_services
from drafting.knowledge import snapshot as snapshots
from drafting.knowledge.embeddings import _question_text
from drafting.knowledge.retrieval import (
    fiche_vocabulary,
    knowledge_snapshot,
    query_weights,
    retrieve_fiches,
)
from drafting.knowledge.text import query_terms
from drafting.models import KnowledgeArticle
from drafting.suggestions.sources import _answer_fiche

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _offline(settings):
    settings.DRAFTING_BACKEND = "offline"
    settings.DRAFTING_EMBEDDINGS = ""
    snapshots.clear()
    yield
    snapshots.clear()


def fiche(external_id: str, title: str, text: str, administration=None) -> KnowledgeArticle:
    data = ArticleData(
        external_id=external_id,
        title=title,
        body=text,
        source_format="manual",
        passages=[(title, text)],
    )
    knowledge_services.article_upsert(data=data, administration=administration)
    return KnowledgeArticle.objects.get(administration=administration, external_id=external_id)


def base() -> tuple[KnowledgeArticle, KnowledgeArticle]:
    vitale = fiche(
        "T-VIT",
        "Carte Vitale perdue",
        "Déclarez la perte de votre carte Vitale sur votre compte ameli, puis commandez une "
        "nouvelle carte Vitale gratuite.",
    )
    passport = fiche(
        "T-PAS",
        "Passeport",
        "Le passeport se demande en mairie sur rendez-vous, avec un timbre fiscal.",
    )
    return vitale, passport


def best_fiche(question: str, administration) -> int | None:
    case = Case(administration=administration)
    return _answer_fiche(BankAnswer(question=question), case, knowledge_snapshot(administration.pk))


def test_the_bank_best_fiche_follows_every_knowledge_change(tenant_a, tmp_path):
    administration = tenant_a.administration
    vitale, _ = base()
    question = "J'ai perdu ma carte Vitale, comment en avoir une nouvelle ?"
    assert best_fiche(question, administration) == vitale.pk
    unchanged = knowledge_snapshot(administration.pk)
    assert unchanged.derived["bank_best_fiche"][1][question] == vitale.pk  # kept, not recomputed

    # Retired: the cached best fiche is not used any more.
    knowledge_services.article_set_active(article=vitale, active=False)
    assert knowledge_snapshot(administration.pk).stamp != unchanged.stamp
    assert best_fiche(question, administration) != vitale.pk
    # Brought back.
    knowledge_services.article_set_active(article=vitale, active=True)
    assert best_fiche(question, administration) == vitale.pk

    # A fiche added that answers better (the administration's own, written in Guichet).
    better = knowledge_services.article_write(
        actor=tenant_a.administrator,
        administration=administration,
        title="Carte Vitale perdue : en avoir une nouvelle",
        body="Carte Vitale perdue : pour en avoir une nouvelle, déclarez la perte de la carte "
        "Vitale perdue et commandez une nouvelle carte Vitale.",
    )
    assert best_fiche(question, administration) == better.pk
    # Edited so that it no longer speaks of it.
    knowledge_services.article_write(
        actor=tenant_a.administrator,
        administration=administration,
        article=better,
        title="Horaires d'accueil",
        body="L'accueil est ouvert du lundi au vendredi.",
    )
    assert best_fiche(question, administration) == vitale.pk

    # An import that changes the national fiche's wording.
    folder = tmp_path / "fiches"
    folder.mkdir()
    (folder / "T-VIT.md").write_text(
        "---\nexternal_id: T-VIT\ntitle: Horaires des caisses\n---\n\n## Accueil\n\n"
        "Les caisses reçoivent du lundi au vendredi.\n",
        encoding="utf-8",
    )
    knowledge_services.knowledge_import(path=Path(folder))
    assert best_fiche(question, administration) != vitale.pk


def test_a_draft_reads_the_index_once_and_fiches_once(tenant_a, django_assert_num_queries):
    administration = tenant_a.administration
    vitale, _ = base()
    snapshot = knowledge_snapshot(administration.pk)
    retrieve_fiches("carte vitale perdue", administration_id=administration.pk, snapshot=snapshot)
    # Once the snapshot is read and the fiche cached: the BM25 statement alone.
    with django_assert_num_queries(1):
        found = retrieve_fiches(
            "ma carte vitale est perdue", administration_id=administration.pk, snapshot=snapshot
        )
    assert found[0].article_id == vitale.pk
    assert fiche_vocabulary(administration.pk, snapshot=snapshot)[0] == 2
    # Reading a current snapshot is one statement; nothing is rebuilt.
    with django_assert_num_queries(1):
        assert knowledge_snapshot(administration.pk) is snapshot


def test_other_forms_and_typos_meet_the_words_of_the_fiches(tenant_a):
    administration = tenant_a.administration
    _, passport = base()
    cmi = fiche(
        "T-CMI",
        "Carte mobilité inclusion",
        "La mention priorité donne accès aux places assises et dans les files d'attente.",
    )
    snapshot = knowledge_snapshot(administration.pk)
    # "passport" (a typo) and "prioritaire" (another form than "priorité": another stem).
    assert "passeport" in query_weights("mon passport", snapshot)
    assert set(query_weights("une carte prioritaire", snapshot)) >= {"priorit"}
    assert retrieve_fiches("mon passport", administration_id=administration.pk)[0].article_id == (
        passport.pk
    )
    assert (
        retrieve_fiches(
            "je suis en fauteuil roulant, comment avoir la carte prioritaire pour ne pas faire la "
            "queue ?",
            administration_id=administration.pk,
        )[0].article_id
        == cmi.pk
    )
    # A word the index knows is not stretched to its neighbours.
    assert query_weights("passeport", snapshot).keys() == {"passeport"}


def test_usager_expressions_add_the_fiches_words():
    assert "vital" in query_terms("ma carte de sécurité sociale a disparu")
    assert {"titr", "sejour"} <= set(query_terms("ma carte de résident expire"))
    assert {"temp", "partiel"} <= set(query_terms("je bosse à mi-temps"))
    assert "combien" in query_terms("cb de tps pour la carte ?")


def test_the_embedded_question_leaves_out_courtesy_and_stays_short():
    text = (
        "Carte vitale\nBonjour,\n\nJ'ai perdu ma carte vitale. Comment faire ?\n\n"
        "Merci d'avance.\n\nCordialement,"
    )
    assert _question_text(text) == "Carte vitale J'ai perdu ma carte vitale. Comment faire ?"
    long = "Je vous écris au sujet de mon dossier. " * 20 + "Quand vais-je être payé ?"
    embedded = _question_text(long)
    assert len(embedded) <= 300 and embedded.endswith("Quand vais-je être payé ?")


def test_the_bank_best_fiche_is_recomputed_when_the_vectors_change(tenant_a):
    """The embeddings of an edited fiche arrive after its reindex (same index stamp): a best
    fiche found meanwhile is not kept once they are there."""
    administration = tenant_a.administration
    vitale, _ = base()
    question = "J'ai perdu ma carte Vitale, comment en avoir une nouvelle ?"
    assert best_fiche(question, administration) == vitale.pk
    snapshot = knowledge_snapshot(administration.pk)
    _vectors, found = snapshot.derived["bank_best_fiche"]
    found[question] = -1  # as if found by words alone, before the vectors arrived
    assert best_fiche(question, administration) == -1  # the same vectors: kept
    # Found under other vectors (another model, or before an edited fiche's vectors arrived).
    snapshot.derived["bank_best_fiche"] = (("another-model", frozenset()), {question: -1})
    assert best_fiche(question, administration) == vitale.pk


def test_the_bank_version_changes_with_any_edit_whatever_the_commit_order(tenant_a):
    """Count and newest update alone miss an edit stamped earlier than the newest one."""
    import datetime as dt

    from django.utils import timezone

    from drafting.answers.selectors import bank_version

    administration = tenant_a.administration
    for n in range(2):
        BankAnswer.objects.create(
            administration=administration,
            kind=BankAnswer.Kind.MODEL,
            question=f"question {n}",
            answer=f"réponse {n}",
        )
    first, second = BankAnswer.objects.filter(administration=administration).order_by("pk")
    now = timezone.now()
    BankAnswer.objects.filter(pk=second.pk).update(updated_at=now)
    BankAnswer.objects.filter(pk=first.pk).update(updated_at=now - dt.timedelta(minutes=5))
    before = bank_version(administration.pk)
    # An edit saved before the newest one but committed after it.
    BankAnswer.objects.filter(pk=first.pk).update(updated_at=now - dt.timedelta(minutes=1))
    after = bank_version(administration.pk)
    assert before[:2] == after[:2]  # what the version used to be: unchanged
    assert before != after
