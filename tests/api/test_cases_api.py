"""The cases API end to end: list with filters and cursor, create, read, assign, transition,
notes, reply, topics, knowledge; one error shape; tenant first."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services as case_services
from cases.models import Case, CaseEvent, Status
from cases.selectors import reply_skeleton
from tests.factories import make_case, make_topic

from .conftest import session_client, token_client

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, *fields: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}
    assert set(body["fields"]) == set(fields)


def test_list_pages_with_a_cursor_in_due_order(tenant_a, tenant_b):
    for n in range(7):
        make_case(tenant_a.administration, subject=f"Demande {n}")
    make_case(tenant_b.administration, subject="Autre administration")
    client = session_client(tenant_a.agent)
    seen = []
    url = "/api/v1/cases/?size=3"
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        seen += body["results"]
        url = body["next"]
        pages += 1
    assert pages == 3
    assert len(seen) == 7
    assert len({row["id"] for row in seen}) == 7
    keys = [(row["due_at"], row["id"]) for row in seen]
    assert keys == sorted(keys)
    assert all(row["reference"].startswith("CAF69-") for row in seen)


def test_list_is_one_query_for_the_rows_whatever_the_page_size(tenant_a):
    topic = make_topic(tenant_a.administration)
    for _n in range(30):
        case = make_case(tenant_a.administration, topic=topic)
    client = session_client(tenant_a.agent)
    client.get("/api/v1/cases/?size=2")  # warm the session and permission caches
    with CaptureQueriesContext(connection) as small:
        assert client.get("/api/v1/cases/?size=2").status_code == 200
    with CaptureQueriesContext(connection) as large:
        assert client.get("/api/v1/cases/?size=30").status_code == 200
    assert len(large) == len(small)
    assert case.pk


def test_list_filters(tenant_a):
    make_case(tenant_a.administration, subject="Carte grise perdue", priority=4)
    make_case(tenant_a.administration, subject="APL en baisse")
    client = session_client(tenant_a.agent)
    rows = client.get("/api/v1/cases/?q=grise").json()["results"]
    assert [r["subject"] for r in rows] == ["Carte grise perdue"]
    rows = client.get("/api/v1/cases/?priority=4").json()["results"]
    assert [r["priority"] for r in rows] == [4]
    assert client.get("/api/v1/cases/?box=mine").json()["results"] == []
    assert len(client.get("/api/v1/cases/?box=queue&status=new").json()["results"]) == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("box=everything", "box"),
        ("size=0", "size"),
        ("size=1000", "size"),
        ("cursor=%%%", "cursor"),
        ("cursor=bm90LWEtY3Vyc29y", "cursor"),
        ("topic=99999999999", "topic"),
        ("q=a%00b", "q"),
    ],
)
def test_bad_list_parameters_name_the_field(query, field, tenant_a):
    response = session_client(tenant_a.agent).get(f"/api/v1/cases/?{query}")
    assert_error(response, 400, field)


def test_create_read_assign_transition_note_reply(tenant_a):
    topic = make_topic(tenant_a.administration)
    agent = session_client(tenant_a.agent)
    response = agent.post(
        "/api/v1/cases/",
        {
            "channel": "email",
            "subject": "Question sur ma retraite",
            "body": "Bonjour, quand vais-je recevoir ma pension ?",
            "usager_email": "dominique@example.org",
            "topic": topic.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["status"] == "new" and case["topic"] == topic.pk
    assert case["reference"].startswith("CAF69-")
    pk = case["id"]

    response = agent.post(
        f"/api/v1/cases/{pk}/assign/", {"assignee": tenant_a.agent.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == tenant_a.agent.pk
    version = response.json()["version"]

    response = agent.post(
        f"/api/v1/cases/{pk}/transition/", {"action": "start", "version": version}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "in_progress"

    response = agent.post(f"/api/v1/cases/{pk}/notes/", {"body": "Appelé la CARSAT."})
    assert response.status_code == 201
    notes = agent.get(f"/api/v1/cases/{pk}/notes/").json()
    assert [n["body"] for n in notes] == ["Appelé la CARSAT."]

    response = agent.post(
        f"/api/v1/cases/{pk}/reply/", {"body": "Votre pension sera versée le 9."}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "answered"
    kinds = [e["kind"] for e in agent.get(f"/api/v1/cases/{pk}/events/").json()]
    assert CaseEvent.Kind.NOTE_ADDED in kinds
    assert Case.objects.get(pk=pk).status == Status.ANSWERED


def test_a_reply_of_courtesy_only_is_a_400_on_body(tenant_a):
    """The composer's starting text alone (greeting, closing, signature) is refused by the API
    too, in the API's error shape, and nothing is sent."""
    case = case_services.case_take(actor=tenant_a.agent, case=make_case(tenant_a.administration))
    agent = session_client(tenant_a.agent)
    response = agent.post(
        f"/api/v1/cases/{case.pk}/reply/", {"body": reply_skeleton(case)}, format="json"
    )
    assert response.status_code == 400
    assert "body" in response.json()["fields"]
    assert not case.replies.exists()


def test_stale_version_is_refused_with_the_field(tenant_a):
    case = make_case(tenant_a.administration)
    manager = session_client(tenant_a.manager)
    response = manager.post(
        f"/api/v1/cases/{case.pk}/assign/",
        {"assignee": tenant_a.agent.pk, "version": case.version + 5},
        format="json",
    )
    assert_error(response, 400, "version")
    assert Case.objects.get(pk=case.pk).assignee_id is None


def test_agent_may_not_assign_to_a_colleague(tenant_a):
    case = make_case(tenant_a.administration)
    response = session_client(tenant_a.agent).post(
        f"/api/v1/cases/{case.pk}/assign/", {"assignee": tenant_a.agent2.pk}, format="json"
    )
    assert_error(response, 403)
    assert Case.objects.get(pk=case.pk).assignee_id is None


def test_assignee_of_another_administration_is_refused(tenant_a, tenant_b):
    case = make_case(tenant_a.administration)
    response = session_client(tenant_a.manager).post(
        f"/api/v1/cases/{case.pk}/assign/", {"assignee": tenant_b.agent.pk}, format="json"
    )
    assert_error(response, 400, "assignee")


def test_create_with_bad_input_names_every_field_and_writes_nothing(tenant_a, tenant_b):
    foreign_topic = make_topic(tenant_b.administration)
    client = session_client(tenant_a.agent)
    response = client.post(
        "/api/v1/cases/",
        {"channel": "pigeon", "subject": "", "usager_email": "pas-une-adresse"},
        format="json",
    )
    assert_error(response, 400, "channel", "subject", "body", "usager_email")
    response = client.post(
        "/api/v1/cases/",
        {"channel": "email", "subject": "x", "body": "y", "topic": foreign_topic.pk},
        format="json",
    )
    assert_error(response, 400, "topic")
    assert not Case.objects.exists()


def test_case_of_another_administration_is_404_like_a_missing_one(tenant_a, tenant_b):
    foreign = make_case(tenant_b.administration)
    client = session_client(tenant_a.administrator)
    for url in (f"/api/v1/cases/{foreign.pk}/", "/api/v1/cases/2147483647/"):
        response = client.get(url)
        assert_error(response, 404)
    response = client.post(f"/api/v1/cases/{foreign.pk}/notes/", {"body": "x"})
    assert_error(response, 404)
    assert not foreign.notes.exists()


def test_token_acts_only_inside_its_administration(tenant_a, tenant_b, principals):
    """Its creator is administrator of A; made member of B too, the token still sees only A."""
    from accounts.services import membership_create

    membership_create(
        user=tenant_a.administrator, administration=tenant_b.administration, role="agent"
    )
    own = make_case(tenant_a.administration)
    foreign = make_case(tenant_b.administration)
    client = principals["token_full"].client
    assert client.get(f"/api/v1/cases/{own.pk}/").status_code == 200
    assert client.get(f"/api/v1/cases/{foreign.pk}/").status_code == 404
    ids = {row["id"] for row in client.get("/api/v1/cases/?box=all").json()["results"]}
    assert ids == {own.pk}


def test_read_token_reads_but_does_not_write(tenant_a, principals):
    case = make_case(tenant_a.administration)
    client = principals["token_read"].client
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    response = client.post(f"/api/v1/cases/{case.pk}/notes/", {"body": "x"})
    assert_error(response, 403)
    assert not case.notes.exists()


def test_intake_token_cannot_read_cases(tenant_a, principals):
    case = make_case(tenant_a.administration)
    assert principals["token_intake"].client.get(f"/api/v1/cases/{case.pk}/").status_code == 403


def test_topics_and_knowledge(tenant_a, tenant_b, vitale_article):
    own = make_topic(tenant_a.administration, name="Stationnement")
    foreign = make_topic(tenant_b.administration, name="Cantine")
    client = session_client(tenant_a.agent)
    topics = {t["id"] for t in client.get("/api/v1/topics/").json()}
    assert own.pk in topics and foreign.pk not in topics
    from drafting.models import KnowledgeArticle

    article = KnowledgeArticle.objects.get(external_id="TEST-VITALE")
    page = client.get("/api/v1/knowledge/articles/?q=vitale").json()
    assert [a["id"] for a in page["results"]] == [article.pk]
    detail = client.get(f"/api/v1/knowledge/articles/{article.pk}/").json()
    assert detail["national"] is True and detail["title"] == "Carte Vitale perdue ou volée"


def test_members_api_for_administrators_only(tenant_a, tenant_b):
    admin = session_client(tenant_a.administrator)
    rows = admin.get("/api/v1/members/").json()
    assert {r["email"] for r in rows} == {
        u.email for u in (tenant_a.agent, tenant_a.agent2, tenant_a.manager, tenant_a.administrator)
    }
    agent_row = next(r for r in rows if r["user"] == tenant_a.agent.pk)
    response = admin.patch(
        f"/api/v1/members/{agent_row['id']}/", {"role": "manager", "team": "Accueil"}, format="json"
    )
    assert response.status_code == 200 and response.json()["role"] == "manager"
    assert session_client(tenant_a.manager).get("/api/v1/members/").status_code == 403
    other = session_client(tenant_b.administrator)
    assert other.patch(f"/api/v1/members/{agent_row['id']}/", {"role": "agent"}).status_code == 404


def test_last_administrator_cannot_be_deactivated_through_the_api(tenant_a):
    admin = session_client(tenant_a.administrator)
    own = next(r for r in admin.get("/api/v1/members/").json() if r["role"] == "administrator")
    response = admin.patch(f"/api/v1/members/{own['id']}/", {"is_active": False}, format="json")
    assert_error(response, 400, "role")


def test_tokens_through_the_api_show_the_key_once(tenant_a):
    admin = session_client(tenant_a.administrator)
    response = admin.post("/api/v1/tokens/", {"name": "CRM", "scope": "read"}, format="json")
    assert response.status_code == 201
    created = response.json()
    key = created["key"]
    listed = admin.get("/api/v1/tokens/").json()
    assert [t["id"] for t in listed] == [created["id"]]
    assert "key" not in listed[0]
    assert token_client(key).get("/api/v1/cases/").status_code == 200
    assert admin.post(f"/api/v1/tokens/{created['id']}/revoke/").status_code == 200
    assert token_client(key).get("/api/v1/cases/").status_code == 401


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/cases/" in paths and "/api/v1/tokens/" in paths
    assert "429" in paths["/api/v1/cases/"]["get"]["responses"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


def test_members_invite_through_the_api(tenant_a, django_capture_on_commit_callbacks):
    from django.core import mail

    from accounts.models import Membership

    admin = session_client(tenant_a.administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/api/v1/members/",
            {"email": "Nouvelle.Recrue@example.gouv.fr", "role": "agent", "team": "Accueil"},
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "nouvelle.recrue@example.gouv.fr" and body["role"] == "agent"
    assert Membership.objects.filter(
        administration=tenant_a.administration, user__email="nouvelle.recrue@example.gouv.fr"
    ).exists()
    assert [m.to for m in mail.outbox] == [["nouvelle.recrue@example.gouv.fr"]]
    # Invited again while it waits: the invitation is updated (and sent again), as for any
    # address; an active member cannot be invited.
    again = admin.post(
        "/api/v1/members/",
        {"email": "nouvelle.recrue@example.gouv.fr", "role": "manager"},
        format="json",
    )
    assert again.status_code == 201 and again.json()["role"] == "manager"
    assert again.json()["pending"] is True
    member = admin.post(
        "/api/v1/members/", {"email": tenant_a.agent.email, "role": "manager"}, format="json"
    )
    assert_error(member, 400, "email")
    response = session_client(tenant_a.manager).post(
        "/api/v1/members/", {"email": "x@example.gouv.fr", "role": "agent"}, format="json"
    )
    assert_error(response, 403)
