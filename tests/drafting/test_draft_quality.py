"""Drafts worth sending (issue 12): answer the question, cite only what supports it, abstain.

Through the real pipeline (retrieval, composer, model, citation check), offline and against the
local OpenAI-compatible test server.
"""

from __future__ import annotations

import pytest

from drafting.answers import services as bank_services
from drafting.knowledge import ArticleData
from drafting.knowledge.services import article_upsert
from drafting.models import Suggestion
from drafting.suggestions import compose as composer
from drafting.suggestions.compose import ComposeSource, compose
from tests.drafting.openai_server import FakeOpenAI
from tests.factories import make_case

IDENTITY_LIST = (
    "La demande se fait en mairie sur rendez-vous. Le jour du rendez-vous, apportez :\n"
    "- le numéro de pré-demande ;\n"
    "- une photo d'identité de moins de 6 mois ;\n"
    "- un justificatif de domicile récent ;\n"
    "- un timbre fiscal de 25 € en cas de perte."
)


@pytest.fixture
def identity_article(db):
    return article_upsert(
        data=ArticleData(
            external_id="TEST-CNI",
            title="Carte d'identité : perte ou vol",
            body="",
            source_format="markdown",
            source_url="https://www.service-public.fr/particuliers/vosdroits/F1341",
            topic_slug="identite",
            passages=[
                (
                    "Carte d'identité : perte ou vol",
                    "Une carte perdue ou volée doit être déclarée. En cas de vol, la déclaration "
                    "se fait au commissariat ou à la gendarmerie.",
                ),
                ("Carte d'identité : perte ou vol › Pièces à fournir", IDENTITY_LIST),
                (
                    "Carte d'identité : perte ou vol › Délai",
                    "Le délai de fabrication est de trois semaines en moyenne.",
                ),
            ],
        ),
        administration=None,
    )


def _draft(tenant, capture, subject, body, **kwargs):
    with capture(execute=True):
        case = make_case(tenant.administration, subject=subject, body=body, **kwargs)
    return Suggestion.objects.get(case=case)


# --- the composer -------------------------------------------------------------------------


def _source(n, title, text, **kwargs):
    return ComposeSource(n=n, kind="fiche", title=title, url="", text=text, **kwargs)


def test_a_list_of_documents_is_kept_whole_and_comes_first():
    sources = [
        _source(1, "Carte d'identité", "La carte d'identité est gratuite sauf en cas de perte."),
        _source(2, "Carte d'identité › Pièces à fournir", IDENTITY_LIST),
    ]
    result = compose("j'ai perdu ma carte d'identité, quels papiers je dois amener ?", sources)
    assert not result.abstained
    first = result.body[0]
    for item in ("pré-demande", "photo d'identité", "justificatif de domicile", "timbre fiscal"):
        assert item in first
    assert first.endswith("[2]")


def test_a_table_reads_as_a_list_of_rows():
    table = (
        "Exemples pour une personne seule :\n"
        "Salaire net mensuel | Prime estimée\n"
        "700 € | environ 250 €\n"
        "1 200 € | environ 190 €"
    )
    result = compose(
        "je gagne 700 euros combien de prime je vais toucher",
        [_source(1, "Prime d'activité › Montants", table)],
    )
    assert "- 700 € : environ 250 €" in result.body[0]
    assert "|" not in result.body[0]


def test_one_shared_word_is_no_confident_draft():
    sources = [
        _source(1, "Carte d'identité › Délai", "Le délai de fabrication est de trois semaines.")
    ]
    result = compose("quel est le délai pour obtenir un permis de pêche au lac ?", sources)
    assert result.abstained and result.reason == "not_covered"
    assert result.confidence < composer.LOW_CONFIDENCE


def test_thanks_and_tests_ask_for_nothing():
    sources = [_source(1, "Carte d'identité", "La carte est gratuite.")]
    for message in ("Merci beaucoup pour votre réponse, c'est très clair !", "test", "ok"):
        result = compose(message, sources)
        assert result.abstained and result.reason == "no_request", message


def test_a_bank_answer_is_reused_only_for_a_close_question():
    bank = ComposeSource(
        n=1,
        kind="reponse_type",
        title="Réponse type",
        url="",
        text="La réponse validée.",
        similarity=0.9,
    )
    fiche = _source(2, "Carte d'identité › Délai", "Le délai de fabrication est de trois semaines.")
    assert compose("délai carte d'identité ?", [bank, fiche]).reused == 1
    far = ComposeSource(**{**bank.__dict__, "similarity": 0.3})
    assert compose("délai carte d'identité ?", [far, fiche]).reused is None


# --- through the pipeline -----------------------------------------------------------------


def test_an_uncovered_question_gets_a_low_confidence_draft_that_says_so(
    tenant_a, identity_article, django_capture_on_commit_callbacks
):
    suggestion = _draft(
        tenant_a,
        django_capture_on_commit_callbacks,
        "Question",
        "Bonjour, où puis-je acheter une carte de pêche pour le canal cet été ?",
    )
    assert suggestion.status == Suggestion.Status.READY
    assert suggestion.abstained
    assert suggestion.confidence < composer.LOW_CONFIDENCE
    assert "ne suffisent pas pour vous répondre" in suggestion.text
    assert "[" not in suggestion.text


def test_a_covered_question_gets_a_confident_cited_draft_that_leads_with_the_answer(
    tenant_a, identity_article, django_capture_on_commit_callbacks
):
    suggestion = _draft(
        tenant_a,
        django_capture_on_commit_callbacks,
        "Appel : carte perdue",
        "jai perdu ma carte d'identité, qu'est ce que je dois amener à la mairie ?",
        usager_name="Louise Martin",
    )
    assert not suggestion.abstained
    assert suggestion.confidence >= composer.LOW_CONFIDENCE
    lines = suggestion.text.split("\n\n")
    assert lines[0] == "Bonjour Louise Martin,"
    assert "photo d'identité" in lines[2] and "timbre fiscal de 25 €" in lines[2]
    assert suggestion.verification["unsupported"] == 0
    assert suggestion.verification["supported"] >= 1
    # The subject is an internal label: never quoted back.
    assert "Appel" not in suggestion.text


def test_a_remote_draft_citing_the_wrong_source_is_flagged(
    tenant_a, identity_article, settings, fast_retries, django_capture_on_commit_callbacks
):
    server = FakeOpenAI().start()
    try:
        settings.DRAFTING_BACKEND = "openai"
        settings.DRAFTING_OPENAI_BASE_URL = server.base_url
        settings.DRAFTING_OPENAI_MODEL = "albert-large"
        settings.DRAFTING_OPENAI_API_KEY = "test-key"
        # Source [3] is the delay; the sentence states the documents of source [2], with a
        # figure source [3] does not have.
        server.reply_text = (
            "Bonjour,\n\nPour refaire votre carte, apportez une photo d'identité, un justificatif "
            "de domicile et un timbre fiscal de 25 € [3]. Le délai de fabrication est de trois "
            "semaines en moyenne [3].\n\nCordialement,\n\nLa mairie"
        )
        suggestion = _draft(
            tenant_a,
            django_capture_on_commit_callbacks,
            "Carte perdue",
            "J'ai perdu ma carte d'identité, que dois-je apporter et combien de temps ça prend ?",
        )
    finally:
        server.stop()
    assert suggestion.backend == "openai"
    verification = suggestion.verification
    assert verification["unsupported"] == 1 and verification["supported"] == 1
    flagged = verification["flagged"][0]
    assert "timbre fiscal" in flagged["text"] and flagged["cited"] == [3]
    assert suggestion.confidence < composer.LOW_CONFIDENCE


def test_a_model_answer_of_the_bank_is_reused_for_the_same_need_only(
    tenant_a, identity_article, django_capture_on_commit_callbacks
):
    answer = bank_services.bank_answer_create(
        actor=tenant_a.manager,
        administration=tenant_a.administration,
        question="J'ai perdu ma carte vitale, comment en obtenir une nouvelle ?",
        answer=(
            "Déclarez la perte sur votre compte ameli, puis commandez une nouvelle carte Vitale "
            "avec une photo d'identité et la copie d'une pièce d'identité."
        ),
    )
    same = _draft(
        tenant_a,
        django_capture_on_commit_callbacks,
        "Carte vitale",
        "ma carte vitale est perdue, comment j'en obtiens une nouvelle svp",
    )
    assert same.reused_answer_id == answer.pk
    assert "compte ameli" in same.text
    other = _draft(
        tenant_a,
        django_capture_on_commit_callbacks,
        "Carte d'identité",
        "j'ai perdu ma carte d'identité, comment en obtenir une nouvelle ?",
    )
    assert other.reused_answer_id is None
    answer.refresh_from_db()
    assert answer.uses == 1
