"""The suggestion panel as the agent reads it (issue 12): confidence in plain words, sentences
to check, model answers; the text "Use this reply" inserts (no [n] markers, the references list
when the administration keeps it); the decision recorded against that text; the answer bank in
daily use (menu, picker, "Mark as model answer")."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from cases import services as case_services
from cases.models import Case, Reply
from drafting.answers import services as answer_services
from drafting.answers.models import BankAnswer
from drafting.knowledge import ArticleData
from drafting.knowledge import services as knowledge_services
from drafting.models import Suggestion
from drafting.suggestions import services
from drafting.suggestions.usable import usable_text
from tests.factories import make_case

pytestmark = pytest.mark.django_db

URL = "https://www.service-public.fr/particuliers/vosdroits/F12006"
APL = (
    "L'aide personnalisée au logement (APL) est recalculée chaque trimestre à partir de vos "
    "ressources des douze derniers mois. Une baisse de l'APL suit souvent une hausse de vos "
    "revenus ou un changement de situation familiale. Le détail du calcul figure dans votre "
    "espace personnel, rubrique Mes paiements."
)
MARKER_RE = re.compile(r"\[\d+(?:\s*[,;-]\s*\d+)*\]")


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DRAFTING_BACKEND = "offline"


@pytest.fixture
def knowledge():
    knowledge_services.article_upsert(
        data=ArticleData(
            external_id="F12006",
            title="Aide personnalisée au logement : pourquoi le montant change",
            body=APL,
            source_format="manual",
            source_url=URL,
            passages=[("Aide personnalisée au logement : pourquoi le montant change", APL)],
        ),
        administration=None,
    )


@pytest.fixture
def ready(tenant_a, knowledge, django_capture_on_commit_callbacks):
    """A case of A taken by its agent, with a ready draft citing the APL fiche."""
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(
            tenant_a.administration,
            subject="Baisse de mon APL",
            body="Bonjour, mon APL a baissé ce mois-ci sans explication. Pourquoi ?",
        )
    case = case_services.case_take(actor=tenant_a.agent, case=case)
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.status == Suggestion.Status.READY
    assert MARKER_RE.search(suggestion.text), suggestion.text
    return case, suggestion


def signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def panel(client: Client, case: Case) -> str:
    response = client.get(reverse("drafting:panel", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def usable_in(page: str, suggestion: Suggestion) -> str:
    found = re.search(rf'<template id="draft-usable-{suggestion.pk}">(.*?)</template>', page, re.S)
    assert found, "the panel carries the text of 'Use this reply'"
    return html.unescape(found.group(1))


# --- confidence and sentences to check ------------------------------------------------------


def test_a_supported_draft_reads_reliable_with_its_counts(tenant_a, ready):
    case, suggestion = ready
    Suggestion.objects.filter(pk=suggestion.pk).update(
        confidence=0.9,
        verification={"supported": 2, "unsupported": 0, "uncited": 1, "flagged": []},
    )
    page = panel(signed_in(tenant_a.agent), case)
    assert 'data-level="reliable"' in page and "Reliable draft" in page
    assert "2 sentences found in their source" in page
    assert 'id="draft-flagged"' not in page
    assert "assembles your knowledge base and past replies" not in page


def _source(n: int) -> dict:
    return {"n": n, "kind": "passage", "title": f"Fiche {n}", "url": "", "excerpt": f"Texte {n}."}


def test_the_cited_sources_come_first_the_others_are_folded_away(tenant_a, ready):
    case, suggestion = ready
    Suggestion.objects.filter(pk=suggestion.pk).update(
        text="Madame,\n\nVotre APL dépend de vos ressources [3]. Elle change en janvier [1, 3].",
        sources=[_source(n) for n in range(1, 6)],
    )
    page = panel(signed_in(tenant_a.agent), case)
    cited = page.split('id="draft-sources"')[1].split("</ul>")[0]
    assert re.findall(r"\[(\d+)\] Fiche", cited) == ["1", "3"]
    other = page.split('id="draft-other-sources"')[1].split("</details>\n        </details>")[0]
    assert "3 other passages given to the drafter, not cited" in other
    assert re.findall(r"\[(\d+)\] Fiche", other) == ["2", "4", "5"]
    # A draft that cites nothing (an abstention) lists no cited source.
    Suggestion.objects.filter(pk=suggestion.pk).update(text="Madame,\n\nNous revenons vers vous.")
    page = panel(signed_in(tenant_a.agent), case)
    assert 'id="draft-sources"' not in page
    assert "5 other passages given to the drafter, not cited" in page


def test_an_abstained_draft_says_the_documentation_does_not_cover_the_question(tenant_a, ready):
    case, suggestion = ready
    Suggestion.objects.filter(pk=suggestion.pk).update(
        abstained=True,
        confidence=0.1,
        text="Bonjour,\n\nNotre documentation ne répond pas à votre question.\n\nCordialement,",
        sources=[],
        verification={"supported": 0, "unsupported": 0, "uncited": 0, "flagged": []},
    )
    page = panel(signed_in(tenant_a.agent), case)
    assert 'data-level="abstained"' in page
    assert "The documentation does not cover this question" in page
    assert "Reliable draft" not in page


def test_unsupported_sentences_are_listed_with_the_source_they_cite(tenant_a, ready):
    case, suggestion = ready
    flagged = {
        "text": "Une baisse de l'APL est versée sous 5 jours.",
        "cited": [1],
        "missing_terms": ["vers"],
        "missing_figures": ["5"],
        "wrong_sources": [],
    }
    Suggestion.objects.filter(pk=suggestion.pk).update(
        confidence=0.7,
        verification={"supported": 1, "unsupported": 1, "uncited": 0, "flagged": [flagged]},
    )
    page = panel(signed_in(tenant_a.agent), case)
    assert 'data-level="check"' in page and "Draft to check" in page
    box = page.split('id="draft-flagged"')[1].split("</div>")[0]
    assert "Sentences to check" in box
    assert html.escape(flagged["text"]) in box
    assert "[1] Aide personnalisée au logement" in html.unescape(box)
    assert "figures not in the source: 5" in box
    assert "1 to check" in page


def test_a_low_confidence_draft_reads_to_check(tenant_a, ready):
    case, suggestion = ready
    Suggestion.objects.filter(pk=suggestion.pk).update(confidence=0.3)
    page = panel(signed_in(tenant_a.agent), case)
    assert 'data-level="check"' in page
    assert "may not answer this exact question" in page


def test_model_answer_sources_are_labelled_and_a_reused_answer_is_linked(tenant_a, ready):
    case, suggestion = ready
    answer = answer_services.bank_answer_create(
        actor=tenant_a.agent,
        administration=tenant_a.administration,
        question="Pourquoi mon APL a-t-elle baissé ?",
        answer="Votre APL est recalculée chaque trimestre selon vos ressources.",
    )
    Suggestion.objects.filter(pk=suggestion.pk).update(
        reused_answer=answer,
        sources=[
            {
                "n": 1,
                "kind": "answer",
                "title": f"Réponse type : {answer.question}",
                "url": "",
                "excerpt": answer.answer,
                "bank_answer_id": answer.pk,
            }
        ],
    )
    agent_page = panel(signed_in(tenant_a.agent), case)
    sources = agent_page.split('id="draft-sources"')[1]
    assert "Model answer" in sources and "Past reply" not in sources
    assert 'id="draft-reused"' in agent_page
    assert reverse("drafting:answers:list") in agent_page.split('id="draft-reused"')[1]
    manager_page = panel(signed_in(tenant_a.manager), case)
    assert reverse("drafting:answers:edit", args=[answer.pk]) in manager_page


# --- "Use this reply" and the decision ----------------------------------------------------------


def test_the_usable_text_has_no_markers_and_ends_with_the_fiches_links(tenant_a, ready):
    case, suggestion = ready
    text = usable_in(panel(signed_in(tenant_a.agent), case), suggestion)
    assert not MARKER_RE.search(text)
    assert (
        "Pour en savoir plus :\n- Aide personnalisée au logement : pourquoi le montant "
        f"change : {URL}" in text
    )
    # The list comes before the closing formula and the signature.
    closing = tenant_a.administration.closing
    assert text.index("Pour en savoir plus") < text.index(closing)
    assert text.rstrip().endswith(tenant_a.administration.name)


def test_without_the_setting_the_usable_text_has_no_references(tenant_a, ready):
    case, suggestion = ready
    tenant_a.administration.reply_references = False
    tenant_a.administration.save(update_fields=["reply_references"])
    text = usable_in(panel(signed_in(tenant_a.agent), case), suggestion)
    assert not MARKER_RE.search(text)
    assert "Pour en savoir plus" not in text and URL not in text


def test_sending_the_usable_text_unchanged_is_accepted(
    tenant_a, ready, django_capture_on_commit_callbacks
):
    case, suggestion = ready
    services.suggestion_mark_shown(actor=tenant_a.agent, suggestion=suggestion)
    suggestion.refresh_from_db()
    body = usable_text(suggestion)
    assert "Pour en savoir plus" in body
    with django_capture_on_commit_callbacks(execute=True):
        reply = case_services.case_send_reply(actor=tenant_a.agent, case=case, body=body)
    suggestion.refresh_from_db()
    assert suggestion.decision == Suggestion.Decision.ACCEPTED
    assert suggestion.similarity == 1.0 and suggestion.reply_id == reply.pk


def test_sending_the_marked_draft_is_accepted_too_and_stored_without_markers(
    tenant_a, ready, django_capture_on_commit_callbacks
):
    case, suggestion = ready
    services.suggestion_mark_shown(actor=tenant_a.agent, suggestion=suggestion)
    with django_capture_on_commit_callbacks(execute=True):
        reply = case_services.case_send_reply(actor=tenant_a.agent, case=case, body=suggestion.text)
    reply.refresh_from_db()
    assert not MARKER_RE.search(reply.body)
    suggestion.refresh_from_db()
    assert suggestion.decision == Suggestion.Decision.ACCEPTED


# --- the answer bank in daily use ----------------------------------------------------------------


def _model(tenant, question: str, answer: str) -> BankAnswer:
    return answer_services.bank_answer_create(
        actor=tenant.agent, administration=tenant.administration, question=question, answer=answer
    )


def test_the_menu_offers_the_model_answers_to_people_who_work_cases(tenant_a):
    for user in (tenant_a.agent, tenant_a.manager, tenant_a.administrator):
        page = signed_in(user).get(reverse("cases:inbox")).content.decode()
        assert 'id="nav-answers"' in page and reverse("drafting:answers:list") in page
    listing = signed_in(tenant_a.agent).get(reverse("drafting:answers:list")).content.decode()
    assert 'id="nav-answers" href="/brouillons/reponses-types/" aria-current="page"' in listing


def test_the_picker_offers_only_the_current_administrations_active_model_answers(
    tenant_a, tenant_b
):
    ours = _model(
        tenant_a,
        "Ma carte Vitale est perdue, que faire ?",
        "Déclarez la perte de votre carte Vitale sur votre compte ameli.",
    )
    retired = _model(
        tenant_a,
        "J'ai égaré ma carte Vitale",
        "Ancienne consigne sur la carte Vitale perdue.",
    )
    answer_services.bank_answer_retire(actor=tenant_a.manager, bank_answer=retired)
    theirs = _model(
        tenant_b,
        "Ma carte Vitale est perdue, que faire ?",
        "Consigne de l'autre caisse pour la carte Vitale perdue.",
    )
    picker = reverse("drafting:answers:picker")
    for query in ("carte Vitale perdue", ""):
        page = signed_in(tenant_a.agent).get(picker, {"q": query}).content.decode()
        assert f'data-insert-answer="{ours.pk}"' in page
        assert f'data-insert-answer="{retired.pk}"' not in page
        assert f'data-insert-answer="{theirs.pk}"' not in page
        assert "autre caisse" not in page


def test_the_case_page_has_the_picker_and_mark_as_model_answer(
    tenant_a, tenant_b, ready, django_capture_on_commit_callbacks
):
    case, _suggestion = ready
    client = signed_in(tenant_a.agent)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="answer-picker"' in page and reverse("drafting:answers:picker") in page
    with django_capture_on_commit_callbacks(execute=True):
        reply = case_services.case_send_reply(
            actor=tenant_a.agent,
            case=case,
            body="Bonjour,\n\nVotre APL est recalculée chaque trimestre selon vos ressources "
            "des douze derniers mois.\n\nCordialement,",
        )
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    mark = reverse("drafting:answers:from_reply", args=[reply.pk])
    assert f'action="{mark}"' in page and f'data-mark-answer="{reply.pk}"' in page
    response = client.post(mark)
    assert response.status_code == 302 and response["Location"].endswith(
        reverse("cases:detail", args=[case.pk])
    )
    answer = BankAnswer.objects.get(source_reply=reply)
    assert answer.kind == BankAnswer.Kind.MODEL and answer.administration == tenant_a.administration
    # Another administration's staff: the reply is not there.
    for outsider in (tenant_b.agent, tenant_b.manager):
        assert signed_in(outsider).post(mark).status_code == 404
    assert not BankAnswer.objects.filter(administration=tenant_b.administration).exists()


def test_inserting_a_model_answer_counts_a_use_of_ones_own_only(tenant_a, tenant_b):
    ours = _model(tenant_a, "Carte Vitale perdue", "Déclarez la perte sur ameli.")
    used = reverse("drafting:answers:used", args=[ours.pk])
    assert signed_in(tenant_b.agent).post(used).status_code == 404
    assert signed_in(tenant_a.agent).post(used).status_code == 204
    ours.refresh_from_db()
    assert ours.uses == 1 and ours.last_used_at is not None


def test_administrators_see_the_mark_button_too(
    tenant_a, ready, django_capture_on_commit_callbacks
):
    case, _suggestion = ready
    with django_capture_on_commit_callbacks(execute=True):
        reply = case_services.case_send_reply(
            actor=tenant_a.agent, case=case, body="Bonjour,\n\nRéponse.\n\nCordialement,"
        )
    assert Reply.objects.filter(pk=reply.pk).exists()
    # The administrator of A did not volunteer, but works cases: the button shows for them too.
    page = signed_in(tenant_a.administrator).get(reverse("cases:detail", args=[case.pk]))
    assert f'data-mark-answer="{reply.pk}"' in page.content.decode()


def test_flagged_sentences_are_highlighted_where_they_stand_in_the_draft(tenant_a, ready):
    case, suggestion = ready
    sentence = "Une baisse de l'APL est versée sous 5 jours [1]."
    text = f"Bonjour,\n\n{sentence}\n\nCordialement."
    Suggestion.objects.filter(pk=suggestion.pk).update(
        text=text,
        confidence=0.7,
        verification={
            "supported": 0,
            "unsupported": 2,
            "uncited": 0,
            # The second one is no longer in the text (a stale verification): nothing marked.
            # Stored as the verifier stores it: without its marker.
            "flagged": [
                {"text": "Une baisse de l'APL est versée sous 5 jours.", "cited": [1]},
                {"text": "Absente.", "cited": [1]},
            ],
        },
    )
    page = panel(signed_in(tenant_a.agent), case)
    draft = page.split(f'id="draft-text-{suggestion.pk}">')[1].split("</p>")[0]
    marks = re.findall(r'<mark class="guichet-flagged">(.*?)<span', draft)
    assert [html.unescape(mark) for mark in marks] == [sentence]
    # Nothing of the text is lost around the mark.
    assert html.unescape(re.sub(r"<span.*?</span>|<[^>]+>", "", draft)) == text


def test_draft_parts_cut_the_text_around_each_flagged_sentence_once():
    from drafting.suggestions.selectors import draft_parts

    text = "Alpha un. Beta deux [1]. Alpha un. Gamma trois [2][3]. Alphabet."
    parts = draft_parts(text, ["Alpha un.", "Alpha un.", "Gamma trois.", "", "Beta"])
    assert "".join(part["text"] for part in parts) == text
    assert [part["text"] for part in parts if part["flagged"]] == [
        "Alpha un.",
        "Beta",
        "Alpha un.",
        "Gamma trois [2][3].",
    ]
    assert draft_parts("", []) == [{"text": "", "flagged": False}]


def test_a_new_draft_identical_to_the_previous_one_says_so(
    tenant_a, ready, django_capture_on_commit_callbacks
):
    case, suggestion = ready
    client = signed_in(tenant_a.agent)
    assert 'id="draft-same-as-previous"' not in panel(client, case)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("drafting:request", args=[case.pk]))
    assert response.status_code == 200
    latest = Suggestion.objects.filter(case=case).order_by("-pk").first()
    assert latest.pk != suggestion.pk and latest.status == Suggestion.Status.READY
    assert latest.text == suggestion.text  # the same sources, the same offline drafter
    assert 'id="draft-same-as-previous"' in panel(client, case)
    Suggestion.objects.filter(pk=latest.pk).update(text=latest.text + "\n\nAutre chose.")
    assert 'id="draft-same-as-previous"' not in panel(client, case)
