"""The drafting API: a case's suggestion, a new draft, shown and discard; tenancy and errors."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from cases import services as case_services
from drafting.knowledge import ArticleData
from drafting.knowledge import services as knowledge_services
from drafting.models import Suggestion
from tests.factories import make_case

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"detail", "code", "fields"}


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DRAFTING_BACKEND = "offline"


@pytest.fixture
def knowledge():
    text = (
        "L'aide personnalisée au logement (APL) est recalculée chaque trimestre à partir de vos "
        "ressources. Une baisse de l'APL suit souvent une hausse de vos revenus ou un "
        "changement de situation familiale."
    )
    title = "Aide personnalisée au logement : pourquoi le montant change"
    knowledge_services.article_upsert(
        data=ArticleData(
            external_id="GUI-APL",
            title=title,
            body=text,
            source_format="manual",
            source_url="https://guichet.example.gouv.fr/fiches/GUI-APL",
            passages=[(title, text)],
        ),
        administration=None,
    )


@pytest.fixture
def case(tenant_a, knowledge, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(tenant_a.administration)
    return case_services.case_take(actor=tenant_a.agent, case=case)


@pytest.fixture
def suggestion(case):
    suggestion = Suggestion.objects.get(case=case)
    assert suggestion.status == Suggestion.Status.READY
    return suggestion


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def suggestion_url(case_id: int) -> str:
    return f"/api/v1/cases/{case_id}/suggestion/"


def row(suggestion: Suggestion) -> dict:
    return Suggestion.objects.filter(pk=suggestion.pk).values().get()


def assert_not_found(response) -> None:
    assert response.status_code == 404, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["fields"] == {}
    assert body["code"] == "not_found"


# --- reading --------------------------------------------------------------------------------


def test_an_agent_reads_the_cases_suggestion_with_its_sources(tenant_a, case, suggestion):
    response = client_for(tenant_a.agent).get(suggestion_url(case.pk))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == suggestion.pk
    assert body["case"] == case.pk
    assert body["sequence"] == 1
    assert body["status"] == "ready"
    assert body["text"] == suggestion.text
    assert body["backend"] == "offline"
    assert body["decision"] == ""
    assert body["sources"], "the draft has sources"
    for source in body["sources"]:
        assert set(source) == {"n", "kind", "title", "url", "excerpt", "score"}
    first = body["sources"][0]
    assert first["n"] == 1
    assert first["kind"] == "passage"
    assert first["title"] == "Aide personnalisée au logement : pourquoi le montant change"
    assert first["url"] == "https://guichet.example.gouv.fr/fiches/GUI-APL"
    assert first["excerpt"].startswith("L'aide personnalisée au logement")
    assert isinstance(first["score"], float) and first["score"] > 0


def test_a_session_login_works_as_well(client, tenant_a, case, suggestion):
    client.force_login(tenant_a.agent)
    response = client.get(suggestion_url(case.pk))
    assert response.status_code == 200
    assert response.json()["id"] == suggestion.pk


def test_a_case_of_another_administration_is_not_found(tenant_b, case, suggestion):
    assert_not_found(client_for(tenant_b.agent).get(suggestion_url(case.pk)))
    assert_not_found(client_for(tenant_b.manager).get(suggestion_url(case.pk)))


def test_an_unknown_case_is_not_found(tenant_a, case):
    assert_not_found(client_for(tenant_a.agent).get(suggestion_url(case.pk + 10_000)))


def test_a_case_without_suggestion_answers_404_in_the_error_shape(tenant_a):
    case = make_case(tenant_a.administration)  # its commit callbacks are not run: no draft
    assert_not_found(client_for(tenant_a.agent).get(suggestion_url(case.pk)))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "case"),
        ("post", "case"),
        ("post", "shown"),
        ("post", "discard"),
    ],
)
def test_anonymous_requests_are_refused(case, suggestion, method, path):
    url = {
        "case": suggestion_url(case.pk),
        "shown": f"/api/v1/suggestions/{suggestion.pk}/shown/",
        "discard": f"/api/v1/suggestions/{suggestion.pk}/discard/",
    }[path]
    before = row(suggestion)
    response = getattr(client_for(), method)(url, {"reason": "wrong"}, format="json")
    assert response.status_code in (401, 403)
    assert set(response.json()) == ERROR_KEYS
    assert row(suggestion) == before
    assert Suggestion.objects.filter(case=case).count() == 1


# --- a new draft ----------------------------------------------------------------------------


def test_posting_asks_for_a_new_draft(
    tenant_a, case, suggestion, django_capture_on_commit_callbacks
):
    client = client_for(tenant_a.agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(suggestion_url(case.pk))
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["sequence"] == 2
    assert body["id"] != suggestion.pk
    assert body["status"] in ("pending", "running", "ready")

    current = client.get(suggestion_url(case.pk)).json()
    assert current["id"] == body["id"]
    assert current["status"] == "ready"
    assert Suggestion.objects.filter(case=case).count() == 2
    assert Suggestion.objects.get(pk=suggestion.pk).text == suggestion.text


def test_posting_for_a_case_of_another_administration_creates_nothing(tenant_b, case, suggestion):
    assert_not_found(client_for(tenant_b.agent).post(suggestion_url(case.pk)))
    assert Suggestion.objects.filter(case=case).count() == 1


# --- shown ----------------------------------------------------------------------------------


def test_posting_shown_records_when_the_draft_was_seen(tenant_a, suggestion):
    client = client_for(tenant_a.agent)
    url = f"/api/v1/suggestions/{suggestion.pk}/shown/"
    response = client.post(url)
    assert response.status_code == 200, response.content
    shown_at = response.json()["shown_at"]
    assert shown_at is not None
    again = client.post(url)
    assert again.status_code == 200
    assert again.json()["shown_at"] == shown_at
    assert row(suggestion)["shown_to_id"] == tenant_a.agent.pk


def test_a_colleague_reading_the_draft_does_not_start_the_clock(tenant_a, suggestion):
    """The decision clock measures whoever may decide (the assignee, a manager): a colleague
    who may not reply on the case does not start it."""
    assert suggestion.case.assignee_id == tenant_a.agent.pk
    url = f"/api/v1/suggestions/{suggestion.pk}/shown/"
    response = client_for(tenant_a.agent2).post(url)
    assert response.status_code == 200 and response.json()["shown_at"] is None
    assert row(suggestion)["shown_at"] is None
    assert client_for(tenant_a.manager).post(url).json()["shown_at"] is not None


def test_posting_shown_on_another_administrations_draft_is_not_found(tenant_b, suggestion):
    before = row(suggestion)
    assert_not_found(client_for(tenant_b.agent).post(f"/api/v1/suggestions/{suggestion.pk}/shown/"))
    assert row(suggestion) == before


# --- discard --------------------------------------------------------------------------------


def test_discarding_with_a_reason(tenant_a, suggestion):
    response = client_for(tenant_a.agent).post(
        f"/api/v1/suggestions/{suggestion.pk}/discard/",
        {"reason": "incomplete", "comment": "Il manque le barème."},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["decision"] == "discarded"
    assert body["discard_reason"] == "incomplete"
    assert body["discard_comment"] == "Il manque le barème."


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"reason": "bof"}, "reason"),
        ({"reason": "not_used"}, "reason"),
        ({}, "reason"),
        ({"reason": "other"}, "comment"),
    ],
)
def test_discarding_with_a_bad_reason_is_a_400_naming_the_field(
    tenant_a, suggestion, payload, field
):
    before = row(suggestion)
    response = client_for(tenant_a.agent).post(
        f"/api/v1/suggestions/{suggestion.pk}/discard/", payload, format="json"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == "invalid"
    assert field in body["fields"]
    assert all(isinstance(m, str) for m in body["fields"][field])
    assert row(suggestion) == before


def test_a_colleague_who_does_not_hold_the_case_cannot_discard_or_renew_its_draft(
    tenant_a, case, suggestion, django_capture_on_commit_callbacks
):
    """The rule of replying: the case is tenant_a.agent's, agent2 volunteers too."""
    before = row(suggestion)
    colleague = client_for(tenant_a.agent2)
    response = colleague.post(
        f"/api/v1/suggestions/{suggestion.pk}/discard/", {"reason": "wrong"}, format="json"
    )
    assert response.status_code == 403, response.content
    with django_capture_on_commit_callbacks(execute=True):
        response = colleague.post(suggestion_url(case.pk))
    assert response.status_code == 403, response.content
    assert row(suggestion) == before
    assert Suggestion.objects.filter(case=case).count() == 1


def test_a_manager_may_ask_for_a_new_draft_on_an_agents_case(
    tenant_a, case, suggestion, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(tenant_a.manager).post(suggestion_url(case.pk))
    assert response.status_code == 202, response.content
    assert Suggestion.objects.filter(case=case).count() == 2


def test_a_manager_of_another_administration_cannot_discard(tenant_b, suggestion):
    before = row(suggestion)
    response = client_for(tenant_b.manager).post(
        f"/api/v1/suggestions/{suggestion.pk}/discard/", {"reason": "wrong"}, format="json"
    )
    assert_not_found(response)
    assert row(suggestion) == before


def test_an_administrator_of_another_administration_cannot_discard(tenant_b, suggestion):
    before = row(suggestion)
    response = client_for(tenant_b.administrator).post(
        f"/api/v1/suggestions/{suggestion.pk}/discard/", {"reason": "wrong"}, format="json"
    )
    assert_not_found(response)
    assert row(suggestion) == before
