"""The administration settings page and API: response deadlines, signature and closing
formula, own topics; journaled, scoped to the administration, refused to other roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from accounts.middleware import SESSION_KEY
from accounts.models import AuditEntry
from cases.models import DEFAULT_RESPONSE_DAYS, Channel, ResponseDeadline, Topic
from cases.selectors import topics_for
from drafting.models import Suggestion
from tests.factories import make_case, make_topic

pytestmark = pytest.mark.django_db

PAGE = "/dossiers/parametres/"
API = "/api/v1/administration/settings/"
TOPICS_API = "/api/v1/administration/topics/"


def signed_in(user, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def settings_audit(administration, action=None):
    rows = AuditEntry.objects.filter(
        administration=administration, category=AuditEntry.Category.SETTINGS
    )
    return rows.filter(action=action) if action else rows


def deadlines_post(**days) -> dict:
    return {f"days_{channel}": str(value) for channel, value in days.items()}


# --- the page --------------------------------------------------------------------------------


def test_the_page_shows_deadlines_texts_and_topics(tenant_a):
    own = make_topic(tenant_a.administration, "Accueil CAF")
    response = signed_in(tenant_a.administrator).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    for channel in Channel:
        assert f'name="days_{channel.value}"' in html
    assert 'name="signature"' in html and 'name="closing"' in html
    assert f'data-topic="{own.pk}"' in html
    assert 'id="national-topics"' in html and "Retirement" in html  # the English page: the label


def test_deadlines_are_saved_used_for_new_cases_and_journaled(tenant_a):
    client = signed_in(tenant_a.administrator)
    response = client.post(
        "/dossiers/parametres/delais/", deadlines_post(email=4, phone=1, sp_plus=30)
    )
    assert response.status_code == 302
    saved = dict(
        ResponseDeadline.objects.filter(administration=tenant_a.administration).values_list(
            "channel", "days"
        )
    )
    assert saved == {"email": 4, "phone": 1, "sp_plus": 30}
    case = make_case(tenant_a.administration, channel=Channel.EMAIL)
    assert case.due_at - case.created_at == dt.timedelta(days=4)
    entry = settings_audit(tenant_a.administration, "settings.deadlines_changed").get()
    assert entry.actor == tenant_a.administrator
    assert entry.data["before"]["email"] is None and entry.data["after"]["email"] == 4
    # Emptying a channel brings its default back, and existing cases keep their due date.
    due = case.due_at
    client.post("/dossiers/parametres/delais/", deadlines_post(phone=1, sp_plus=30))
    assert not ResponseDeadline.objects.filter(channel="email").exists()
    case.refresh_from_db()
    assert case.due_at == due
    later = make_case(tenant_a.administration, channel=Channel.EMAIL)
    assert later.due_at - later.created_at == dt.timedelta(
        days=DEFAULT_RESPONSE_DAYS[Channel.EMAIL]
    )


@pytest.mark.parametrize("value", ["0", "366", "-1", "abc", "2.5"])
def test_a_deadline_outside_1_to_365_days_is_refused_and_nothing_is_saved(tenant_a, value):
    response = signed_in(tenant_a.administrator).post(
        "/dossiers/parametres/delais/", {"days_email": "5", "days_phone": value}
    )
    assert response.status_code == 400
    assert 'id="days_phone-error"' in response.content.decode()
    assert not ResponseDeadline.objects.exists()
    assert not settings_audit(tenant_a.administration).exists()


def test_signature_and_closing_are_saved_journaled_and_end_the_drafts(
    tenant_a, vitale_article, settings, django_capture_on_commit_callbacks
):
    settings.DRAFTING_BACKEND = "offline"
    response = signed_in(tenant_a.administrator).post(
        "/dossiers/parametres/textes/",
        {
            "signature": "Le service relations usagers\nCAF du Rhône — 67 boulevard Vivier-Merle",
            "closing": "Bien cordialement,",
        },
    )
    assert response.status_code == 302
    administration = tenant_a.administration
    administration.refresh_from_db()
    assert administration.closing == "Bien cordialement,"
    assert administration.signature.startswith("Le service relations usagers")
    entry = settings_audit(administration, "settings.texts_changed").get()
    assert entry.data["after"]["closing"] == "Bien cordialement,"
    assert entry.data["before"]["closing"].startswith("Nous vous prions")
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(administration, subject="Carte Vitale perdue")
    draft = Suggestion.objects.get(case=case)
    assert draft.status == "ready"
    assert draft.text.rstrip().endswith(
        "Bien cordialement,\n\nLe service relations usagers\n"
        "CAF du Rhône — 67 boulevard Vivier-Merle"
    )


def test_a_closing_too_long_is_refused(tenant_a):
    response = signed_in(tenant_a.administrator).post(
        "/dossiers/parametres/textes/", {"signature": "x", "closing": "y" * 301}
    )
    assert response.status_code == 400
    tenant_a.administration.refresh_from_db()
    assert tenant_a.administration.signature == ""
    assert not settings_audit(tenant_a.administration).exists()


def test_topics_are_created_renamed_retired_and_brought_back(tenant_a):
    client = signed_in(tenant_a.administrator)
    response = client.post("/dossiers/parametres/themes/", {"name": "Rendez-vous en agence"})
    assert response.status_code == 302
    topic = Topic.objects.get(administration=tenant_a.administration)
    assert topic.slug == "rendez-vous-en-agence" and topic.is_active
    case = make_case(tenant_a.administration, topic=topic)
    client.post(f"/dossiers/parametres/themes/{topic.pk}/", {"name": "Rendez-vous"})
    topic.refresh_from_db()
    assert topic.name == "Rendez-vous" and topic.slug == "rendez-vous-en-agence"
    client.post(f"/dossiers/parametres/themes/{topic.pk}/", {"active": "0"})
    topic.refresh_from_db()
    assert not topic.is_active
    assert topic not in topics_for(tenant_a.administration)
    case.refresh_from_db()
    assert case.topic == topic  # the case keeps its topic
    client.post(f"/dossiers/parametres/themes/{topic.pk}/", {"active": "1"})
    topic.refresh_from_db()
    assert topic.is_active
    assert [e.action for e in settings_audit(tenant_a.administration).order_by("pk")] == [
        "settings.topic_created",
        "settings.topic_renamed",
        "settings.topic_retired",
        "settings.topic_reactivated",
    ]


@pytest.mark.parametrize("name", ["", "   ", "Retraite", "retraite", "x" * 121])
def test_a_topic_name_empty_too_long_or_taken_is_refused(tenant_a, name):
    response = signed_in(tenant_a.administrator).post(
        "/dossiers/parametres/themes/", {"name": name}
    )
    assert response.status_code == 400
    assert 'id="topic-name-error"' in response.content.decode()
    assert not Topic.objects.filter(administration=tenant_a.administration).exists()


def test_national_topics_are_read_only(tenant_a):
    national = Topic.objects.get(administration__isnull=True, slug="retraite")
    client = signed_in(tenant_a.administrator)
    assert (
        client.post(f"/dossiers/parametres/themes/{national.pk}/", {"active": "0"}).status_code
        == 403
    )
    assert (
        client.patch(
            f"{TOPICS_API}{national.pk}/", {"is_active": False}, "application/json"
        ).status_code
        == 403
    )
    national.refresh_from_db()
    assert national.is_active


def test_the_references_list_is_on_by_default_turned_off_and_on_and_journaled(tenant_a):
    administration = tenant_a.administration
    assert administration.reply_references is True
    client = signed_in(tenant_a.administrator)
    page = client.get(PAGE).content.decode()
    assert 'id="id_reply_references"' in page and "checked" in page.split('id="references"')[1]
    # An unticked checkbox is absent from the form: the list is turned off.
    response = client.post("/dossiers/parametres/references/", {})
    assert response.status_code == 302
    administration.refresh_from_db()
    assert administration.reply_references is False
    page = client.get(PAGE).content.decode()
    references = page.split('id="references"')[1].split("</section>")[0]
    assert "checked" not in references
    client.post("/dossiers/parametres/references/", {"reply_references": "on"})
    administration.refresh_from_db()
    assert administration.reply_references is True
    # Saving without a change writes no journal row.
    client.post("/dossiers/parametres/references/", {"reply_references": "on"})
    rows = list(settings_audit(administration, "settings.reply_references_changed").order_by("pk"))
    assert [(r.data["before"], r.data["after"]) for r in rows] == [
        ({"reply_references": True}, {"reply_references": False}),
        ({"reply_references": False}, {"reply_references": True}),
    ]
    assert all(r.actor_id == tenant_a.administrator.pk for r in rows)


def test_the_references_list_is_read_and_set_through_the_api(tenant_a):
    client = signed_in(tenant_a.administrator)
    assert client.get(API).json()["reply_references"] is True
    patched = client.patch(API, {"reply_references": False}, "application/json")
    assert patched.status_code == 200 and patched.json()["reply_references"] is False
    tenant_a.administration.refresh_from_db()
    assert tenant_a.administration.reply_references is False
    assert settings_audit(tenant_a.administration, "settings.reply_references_changed").count() == 1
    # A PUT without the field leaves it as it is.
    put = client.put(
        API, {"signature": "S", "closing": "C", "response_deadlines": []}, "application/json"
    )
    assert put.status_code == 200 and put.json()["reply_references"] is False


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_only_administrators_change_the_references_list(tenant_a, role):
    client = signed_in(getattr(tenant_a, role))
    assert client.post("/dossiers/parametres/references/", {}).status_code == 403
    assert client.patch(API, {"reply_references": False}, "application/json").status_code == 403
    tenant_a.administration.refresh_from_db()
    assert tenant_a.administration.reply_references is True
    assert not settings_audit(tenant_a.administration).exists()


# --- roles and tenancy -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_agents_and_managers_get_403_on_the_page_and_the_api(tenant_a, role):
    topic = make_topic(tenant_a.administration, "Accueil")
    client = signed_in(getattr(tenant_a, role))
    assert client.get(PAGE).status_code == 403
    assert client.post("/dossiers/parametres/delais/", {"days_email": "3"}).status_code == 403
    assert client.post("/dossiers/parametres/textes/", {"closing": "x"}).status_code == 403
    assert client.post("/dossiers/parametres/themes/", {"name": "Nouveau"}).status_code == 403
    assert (
        client.post(f"/dossiers/parametres/themes/{topic.pk}/", {"active": "0"}).status_code == 403
    )
    assert client.get(API).status_code == 403
    assert client.put(API, {"closing": "x"}, "application/json").status_code == 403
    assert client.get(TOPICS_API).status_code == 403
    assert client.post(TOPICS_API, {"name": "Nouveau"}, "application/json").status_code == 403
    assert (
        client.patch(
            f"{TOPICS_API}{topic.pk}/", {"is_active": False}, "application/json"
        ).status_code
        == 403
    )
    topic.refresh_from_db()
    assert topic.is_active
    assert not ResponseDeadline.objects.exists()
    assert not settings_audit(tenant_a.administration).exists()


def test_an_administrator_cannot_see_or_change_another_administrations_settings(tenant_a, tenant_b):
    theirs = make_topic(tenant_a.administration, "Accueil CAF")
    tenant_a.administration.signature = "Signature de la CAF"
    tenant_a.administration.save()
    client = signed_in(tenant_b.administrator)
    # Pointing the session at another administration falls back to one's own.
    session = client.session
    session[SESSION_KEY] = tenant_a.administration.pk
    session.save()
    assert "Signature de la CAF" not in client.get(PAGE).content.decode()
    assert client.get(API).json()["signature"] == ""
    assert theirs.pk not in [t["id"] for t in client.get(TOPICS_API).json()]
    assert (
        client.post(f"/dossiers/parametres/themes/{theirs.pk}/", {"active": "0"}).status_code == 404
    )
    assert (
        client.post(f"/dossiers/parametres/themes/{theirs.pk}/", {"name": "X"}).status_code == 404
    )
    assert client.get(f"{TOPICS_API}{theirs.pk}/").status_code == 404
    response = client.patch(f"{TOPICS_API}{theirs.pk}/", {"name": "X"}, "application/json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    client.put(
        API, {"signature": "B", "closing": "B", "response_deadlines": []}, "application/json"
    )
    tenant_a.administration.refresh_from_db()
    theirs.refresh_from_db()
    assert tenant_a.administration.signature == "Signature de la CAF"
    assert theirs.name == "Accueil CAF" and theirs.is_active
    assert not settings_audit(tenant_a.administration).exists()


# --- the API ---------------------------------------------------------------------------------


def test_the_settings_api_reads_and_writes(tenant_a):
    client = signed_in(tenant_a.administrator)
    data = client.get(API).json()
    assert data["administration"] == tenant_a.administration.name
    email = next(row for row in data["response_deadlines"] if row["channel"] == "email")
    assert email == {
        "channel": "email",
        "days": None,
        "default_days": DEFAULT_RESPONSE_DAYS[Channel.EMAIL],
        "effective_days": DEFAULT_RESPONSE_DAYS[Channel.EMAIL],
    }
    response = client.put(
        API,
        {
            "signature": "Le service",
            "closing": "Cordialement,",
            "response_deadlines": [{"channel": "email", "days": 7}],
        },
        "application/json",
    )
    assert response.status_code == 200, response.json()
    email = next(r for r in response.json()["response_deadlines"] if r["channel"] == "email")
    assert email["days"] == 7 and email["effective_days"] == 7
    assert response.json()["closing"] == "Cordialement,"
    patched = client.patch(API, {"closing": "Bien à vous,"}, "application/json")
    assert patched.status_code == 200 and patched.json()["signature"] == "Le service"
    assert settings_audit(tenant_a.administration, "settings.texts_changed").count() == 2
    assert settings_audit(tenant_a.administration, "settings.deadlines_changed").count() == 1


@pytest.mark.parametrize(
    "payload",
    [
        {"response_deadlines": [{"channel": "email", "days": 0}]},
        {"response_deadlines": [{"channel": "email", "days": 366}]},
        {"response_deadlines": [{"channel": "pigeon", "days": 3}]},
        {"response_deadlines": [{"channel": "email", "days": 3}, {"channel": "email", "days": 4}]},
        {"closing": "x" * 301},
        {"closing": "ok", "signature": "ok"},  # PUT: the deadlines are missing
    ],
)
def test_the_settings_api_refuses_bad_input_and_writes_nothing(tenant_a, payload):
    client = signed_in(tenant_a.administrator)
    response = client.put(API, payload, "application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["fields"]
    assert not ResponseDeadline.objects.exists()
    assert not settings_audit(tenant_a.administration).exists()


def test_a_bad_deadline_keeps_the_texts_unwritten_too(tenant_a):
    """Texts and deadlines go together: a refused deadline leaves the texts as they were."""
    client = signed_in(tenant_a.administrator)
    response = client.patch(
        API,
        {"closing": "Nouveau", "response_deadlines": [{"channel": "email", "days": 500}]},
        "application/json",
    )
    assert response.status_code == 400
    tenant_a.administration.refresh_from_db()
    assert tenant_a.administration.closing != "Nouveau"


def test_the_topics_api_lists_creates_renames_and_retires(tenant_a):
    client = signed_in(tenant_a.administrator)
    listed = client.get(TOPICS_API).json()
    assert {t["scope"] for t in listed} == {"national"}
    created = client.post(TOPICS_API, {"name": "Accueil"}, "application/json")
    assert created.status_code == 201 and created.json()["scope"] == "administration"
    pk = created.json()["id"]
    renamed = client.patch(f"{TOPICS_API}{pk}/", {"name": "Accueil et RDV"}, "application/json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Accueil et RDV"
    retired = client.patch(f"{TOPICS_API}{pk}/", {"is_active": False}, "application/json")
    assert retired.json()["is_active"] is False
    duplicate = client.post(TOPICS_API, {"name": "accueil et rdv"}, "application/json")
    assert duplicate.status_code == 400 and "name" in duplicate.json()["fields"]
    assert settings_audit(tenant_a.administration).count() == 3


def test_the_navigation_shows_the_settings_to_administrators_only(tenant_a):
    client = signed_in(tenant_a.administrator)
    assert 'id="nav-administration"' in client.get("/").content.decode()
    html = client.get("/compte/gestion/").content.decode()
    assert 'href="/dossiers/parametres/"' in html and 'href="/brouillons/experience/"' in html
    assert 'href="/brouillons/connaissances/"' in html
    # Every settings page is reached from here: the mailbox and the usagers' data too.
    assert 'href="/dossiers/parametres/courriel/"' in html
    assert 'href="/dossiers/parametres/donnees-usagers/"' in html
    for user in (tenant_a.agent, tenant_a.manager):
        client = signed_in(user)
        assert 'id="nav-administration"' not in client.get("/").content.decode()
        assert client.get("/compte/gestion/").status_code == 403


def test_the_reply_composer_starts_with_the_closing_and_signature(tenant_a):
    from html import unescape

    from cases import services as case_services

    account_texts = {"signature": "Service relations usagers", "closing": "Bien cordialement,"}
    signed_in(tenant_a.administrator).post("/dossiers/parametres/textes/", account_texts)
    case = make_case(tenant_a.administration, usager_name="Jeanne Moreau")
    case_services.case_take(actor=tenant_a.agent, case=case)
    html = signed_in(tenant_a.agent).get(f"/dossiers/{case.pk}/").content.decode()
    composer = unescape(html.split('id="id_body_reply"', 1)[1].split("</textarea>", 1)[0])
    text = composer.split(">", 1)[1]
    assert text.startswith("Bonjour Jeanne Moreau,")
    assert text.endswith("Bien cordialement,\n\nService relations usagers")


def test_the_page_is_labelled_and_its_queries_do_not_grow_with_the_topics(tenant_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.cases.test_accessibility import _check

    client = signed_in(tenant_a.administrator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PAGE)
        assert response.status_code == 200
        _check(response.content.decode())
        return len(captured)

    make_topic(tenant_a.administration, "Accueil")
    queries()  # the first request of a session sets it up
    few = queries()
    for index in range(8):
        topic = make_topic(tenant_a.administration, f"Thème {index}")
        make_case(tenant_a.administration, topic=topic)
    assert queries() == few


def test_a_patch_with_an_incomplete_deadline_row_is_a_400_not_a_crash(tenant_a):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(tenant_a.administrator)
    for row in ({"days": 12}, {"channel": "email"}, {}):
        response = client.patch(
            "/api/v1/administration/settings/", {"response_deadlines": [row]}, format="json"
        )
        assert response.status_code == 400, response.content
        assert "response_deadlines" in response.json()["fields"]
