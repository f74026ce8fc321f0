"""The OpenAI-compatible backend against a local server speaking the protocol (no mock)."""

from __future__ import annotations

import pytest

from drafting.models import Suggestion
from drafting.suggestions.judgement import LOW_CONFIDENCE
from drafting.suggestions.pipeline import split_not_covered
from drafting.suggestions.prompts import NOT_COVERED_MARK, SYSTEM
from drafting.suggestions.selectors import draft_review
from tests.drafting.openai_server import FakeOpenAI
from tests.factories import make_case

NAME = "Marie-Hélène Dupont-Martin"
EMAIL = "mh.dupont-martin@laposte.net"
PHONE = "06 12 34 56 78"
NIR = "2 85 05 78 006 084 36"
IBAN = "FR76 3000 6000 0112 3456 7890 189"


@pytest.fixture
def server():
    fake = FakeOpenAI().start()
    yield fake
    fake.stop()


@pytest.fixture
def openai_settings(settings, server, fast_retries):
    settings.DRAFTING_BACKEND = "openai"
    settings.DRAFTING_OPENAI_BASE_URL = server.base_url
    settings.DRAFTING_OPENAI_MODEL = "albert-large"
    settings.DRAFTING_OPENAI_API_KEY = "test-key"
    # Long enough that a loaded CI machine never times out an answer the server gives at
    # once (a read timeout is retried, and the tests count requests); the timeout test
    # shortens it.
    settings.DRAFTING_OPENAI_TIMEOUT = 10
    settings.DRAFTING_OPENAI_MAX_RETRIES = 2
    return settings


def _case(tenant, capture):
    with capture(execute=True):
        return make_case(
            tenant.administration,
            subject="Carte Vitale perdue",
            body=(
                f"Bonjour, je suis {NAME}. J'ai perdu ma carte Vitale. Mon numéro de sécu est "
                f"{NIR}, mon IBAN {IBAN} pour les remboursements. Vous pouvez me joindre au "
                f"{PHONE} ou par mail {EMAIL}."
            ),
            usager_name=NAME,
            usager_email=EMAIL,
            usager_phone=PHONE,
        )


def test_normal_answer_is_stored_reidentified_with_tokens(
    tenant_a, vitale_article, openai_settings, server, django_capture_on_commit_callbacks
):
    case = _case(tenant_a, django_capture_on_commit_callbacks)
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.status == "ready"
    assert suggestion.backend == "openai"
    assert suggestion.model_name == "albert-large"
    assert not suggestion.fell_back and suggestion.error == ""
    assert suggestion.prompt_tokens == 321 and suggestion.completion_tokens == 87
    assert suggestion.text.startswith(f"Bonjour {NAME},")
    request = server.requests[0]
    assert request["path"].endswith("/chat/completions")
    assert request["body"]["model"] == "albert-large"
    # Length bounded in the field every OpenAI-compatible server honours.
    assert request["body"]["max_tokens"] == openai_settings.DRAFTING_MAX_TOKENS
    assert request["headers"]["authorization"] == "Bearer test-key"


def test_prompts_sent_contain_no_personal_data(
    tenant_a, vitale_article, openai_settings, server, django_capture_on_commit_callbacks
):
    _case(tenant_a, django_capture_on_commit_callbacks)
    assert server.requests
    sent = " ".join(m["content"] for r in server.requests for m in r["body"]["messages"])
    for value in (
        NAME,
        "Dupont",
        "Marie-Hélène",
        EMAIL,
        PHONE,
        "0612345678",
        NIR,
        IBAN,
        "30006000011234567890189",
    ):
        assert value not in sent, value
    assert "[NOM_1]" in sent and "[EMAIL_1]" in sent and "[TEL_1]" in sent
    assert "[NIR_1]" in sent and "[IBAN_1]" in sent


def test_timeout_retries_then_falls_back_to_offline(
    tenant_a, vitale_article, openai_settings, server, django_capture_on_commit_callbacks
):
    openai_settings.DRAFTING_OPENAI_TIMEOUT = 0.5
    server.default = "hang"
    server.hang_seconds = 1.5
    case = _case(tenant_a, django_capture_on_commit_callbacks)
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.status == "ready"
    assert suggestion.fell_back
    assert suggestion.backend == "offline" and suggestion.model_name == "guichet-offline-1"
    assert "Timeout" in suggestion.error
    assert len(server.requests) == 3  # one try and two retries
    assert suggestion.text.startswith(f"Bonjour {NAME},")


def test_429_then_success(
    tenant_a, vitale_article, openai_settings, server, django_capture_on_commit_callbacks
):
    server.behaviours.extend(["429"])
    case = _case(tenant_a, django_capture_on_commit_callbacks)
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.backend == "openai" and not suggestion.fell_back
    assert len(server.requests) == 2


def test_server_errors_exhaust_retries_and_fall_back(
    tenant_a, vitale_article, openai_settings, server, django_capture_on_commit_callbacks
):
    server.default = "500"
    suggestion = Suggestion.objects.get(case=_case(tenant_a, django_capture_on_commit_callbacks))
    assert suggestion.fell_back and suggestion.backend == "offline"
    assert "InternalServerError" in suggestion.error or "500" in suggestion.error


@pytest.mark.parametrize("behaviour", ["malformed", "garbage"])
def test_malformed_answer_is_refused_and_falls_back(
    behaviour,
    tenant_a,
    vitale_article,
    openai_settings,
    server,
    django_capture_on_commit_callbacks,
):
    server.default = behaviour
    suggestion = Suggestion.objects.get(case=_case(tenant_a, django_capture_on_commit_callbacks))
    assert suggestion.status == "ready"
    assert suggestion.fell_back and suggestion.backend == "offline"
    assert suggestion.error
    assert "[99]" not in suggestion.text


def test_malformed_once_then_valid_is_kept(
    tenant_a, vitale_article, openai_settings, server, django_capture_on_commit_callbacks
):
    server.behaviours.extend(["malformed"])
    suggestion = Suggestion.objects.get(case=_case(tenant_a, django_capture_on_commit_callbacks))
    assert suggestion.backend == "openai" and not suggestion.fell_back
    assert len(server.requests) == 2


NOT_COVERED_REPLY = (
    "{mark}\nBonjour {greeting_name},\n\nNous avons bien reçu votre message. Les informations dont "
    "nous disposons ne permettent pas de répondre à votre question. Pourriez-vous nous préciser "
    "votre situation et la démarche concernée ?\n\nNous vous prions d'agréer nos salutations "
    "distinguées.\n\nLe service"
)


@pytest.mark.parametrize("mark", ["[NON_COUVERT]", "**[non couvert]**"])
def test_a_model_saying_the_sources_do_not_answer_is_an_abstention(
    tenant_a, vitale_article, openai_settings, server, django_capture_on_commit_callbacks, mark
):
    """Rule 4 of the prompt: the model marks its reply and cites nothing. That is the model's
    judgement that the documentation does not cover the question, shown to the agent as such;
    not a malformed draft to retry and replace by the offline drafter's."""
    server.reply_text = NOT_COVERED_REPLY.replace("{mark}", mark)
    case = _case(tenant_a, django_capture_on_commit_callbacks)
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.status == "ready"
    assert suggestion.backend == "openai" and not suggestion.fell_back
    assert len(server.requests) == 1  # no retry
    assert suggestion.abstained
    assert suggestion.confidence is not None and suggestion.confidence < LOW_CONFIDENCE
    assert "couvert" not in suggestion.text.lower()
    assert suggestion.text.startswith(f"Bonjour {NAME},")
    assert draft_review(suggestion)["level"] == "abstained"


def test_a_reply_without_citation_nor_mark_is_still_refused(
    tenant_a, vitale_article, openai_settings, server, django_capture_on_commit_callbacks
):
    server.reply_text = NOT_COVERED_REPLY.replace("{mark}\n", "")
    case = _case(tenant_a, django_capture_on_commit_callbacks)
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.fell_back and suggestion.backend == "offline"
    assert "cites none" in suggestion.error
    assert len(server.requests) == 1 + openai_settings.DRAFTING_OPENAI_MAX_RETRIES


def test_the_prompt_asks_for_the_mark_the_pipeline_removes():
    assert NOT_COVERED_MARK in SYSTEM
    assert split_not_covered(f"{NOT_COVERED_MARK}\nBonjour,\nTexte.") == ("Bonjour,\nTexte.", True)
    assert split_not_covered("[non couvert] Bonjour,\nTexte.") == ("Bonjour,\nTexte.", True)
    # Further down (say, because the usager's message asked for it), the mark is removed but
    # makes no abstention: the reply must cite its sources like any other.
    assert split_not_covered("Bonjour, [Non_Couvert] texte.") == ("Bonjour, texte.", False)
    assert split_not_covered("Bonjour,\nTexte [1].") == ("Bonjour,\nTexte [1].", False)


def test_a_long_reply_under_the_mark_is_refused(
    tenant_a, vitale_article, openai_settings, server, django_capture_on_commit_callbacks
):
    """The mark lifts the citation rule for a short abstention only: a long uncited text under
    it (an answer made up, or one the usager's message dictated) is refused like any uncited
    draft, retried, then replaced by the offline drafter's."""
    server.reply_text = NOT_COVERED_REPLY.replace("{mark}", "[NON_COUVERT]").replace(
        "Pourriez-vous", "Voici la procédure. " * 100 + "Pourriez-vous"
    )
    case = _case(tenant_a, django_capture_on_commit_callbacks)
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.fell_back and suggestion.backend == "offline"
    assert "abstention of" in suggestion.error
    assert "couvert" not in suggestion.text.lower()
