"""The administrators' audit journal: page, filters, CSV export, API, isolation, append-only."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape

from accounts import services
from accounts.audit import action_label, describe, details_text
from accounts.journal import is_registered
from accounts.models import AuditEntry, Membership, Role
from tests.factories import UserFactory
from tests.french_csv import french_rows

JOURNAL = "/compte/journal/"
EXPORT = "/compte/journal/export.csv"
API = "/api/v1/audit/"


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def record(
    administration,
    *,
    when=None,
    actor=None,
    category="settings",
    action="settings.changed",
    target="",
    data=None,
) -> AuditEntry:
    """One journal line; ``when`` sets the clock the row is stamped with.

    A declared action goes through the service; any other stands for a row written before its
    app declared it (the service refuses undeclared actions), which must still read right.
    """
    kwargs = dict(
        administration=administration,
        actor=actor,
        category=category,
        action=action,
        target_label=target,
        data=data,
    )
    write = services.audit_record if is_registered(action) else _legacy_row
    if when is None:
        return write(**kwargs)
    with mock.patch("django.utils.timezone.now", return_value=when):
        return write(**kwargs)


def _legacy_row(*, administration, actor, category, action, target_label, data) -> AuditEntry:
    return AuditEntry.objects.create(
        administration=administration,
        actor=actor,
        actor_label=actor.email if actor else "",
        category=category,
        action=action,
        target_label=target_label,
        data=data or {},
    )


def _csv_rows(response) -> list[list[str]]:
    return french_rows(b"".join(response.streaming_content))


def _table(response) -> str:
    html = response.content.decode()
    return html[html.index('id="audit-table"') : html.index("</table>")]


def _ids(response) -> set[int]:
    return {entry.pk for entry in response.context["rows"]}


# --- the page ------------------------------------------------------------------------------


def test_administrator_reads_changes_in_words(client, tenant_a):
    admin = tenant_a.administrator
    membership = Membership.objects.get(
        user=tenant_a.agent2, administration=tenant_a.administration
    )
    services.membership_change_role(membership=membership, role=Role.MANAGER, actor=admin)
    services.membership_set_active(membership=membership, active=False, actor=admin)
    record(
        tenant_a.administration,
        actor=admin,
        action="settings.colour_changed",
        data={"colour": {"before": "bleu", "after": "rouge"}},
    )
    record(tenant_a.administration, actor=admin, category="access", action="widget.frobnicated")

    client.force_login(admin)
    response = client.get(JOURNAL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Journal d’audit" in html or "Journal d'audit" in html
    # Known actions in French, the role change as before → after, in French words.
    assert "Rôle modifié" in html and "Membre désactivé" in html
    assert "<del>Agent</del> → <ins>Responsable</ins>" in html
    assert tenant_a.agent2.email in html and admin.email in html
    # Unknown actions still read as words, never as a crash or a blank.
    assert "Paramètres : colour changed" in html
    assert "<del>bleu</del> → <ins>rouge</ins>" in html
    assert "Frobnicated" in html


def test_navigation_shows_the_journal_to_administrators_only(client, tenant_a):
    client.force_login(tenant_a.administrator)
    assert 'id="nav-administration"' in client.get("/compte/profil/").content.decode()
    assert f'href="{JOURNAL}"' in client.get("/compte/gestion/").content.decode()
    client.force_login(tenant_a.manager)
    assert 'id="nav-administration"' not in client.get("/compte/profil/").content.decode()
    assert client.get("/compte/gestion/").status_code == 403


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_agents_and_managers_get_403_on_page_export_and_api(client, tenant_a, role):
    client.force_login(getattr(tenant_a, role))
    assert client.get(JOURNAL).status_code == 403
    assert client.get(EXPORT).status_code == 403
    response = client.get(API)
    assert response.status_code == 403
    assert set(response.json()) == {"detail", "code", "fields"}
    entry = record(tenant_a.administration)
    assert client.get(f"{API}{entry.pk}/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(JOURNAL).status_code == 302
    # The API challenges for a token (WWW-Authenticate: Bearer), hence 401, not 403.
    assert client.get(API).status_code == 401


def test_another_administrations_journal_is_404_and_never_listed(client, tenant_a, tenant_b):
    theirs = record(tenant_b.administration, actor=tenant_b.administrator, target="secret-b")
    ours = record(tenant_a.administration, actor=tenant_a.administrator, target="ours-a")
    client.force_login(tenant_a.administrator)

    # Addressing it: 404, exactly like an administration that does not exist.
    other = tenant_b.administration.pk
    assert client.get(JOURNAL, {"administration": other}).status_code == 404
    assert client.get(JOURNAL, {"administration": 999_999}).status_code == 404
    assert client.get(EXPORT, {"administration": other}).status_code == 404
    assert client.get(API, {"administration": other}).status_code == 404
    assert client.get(f"{API}{theirs.pk}/").status_code == 404
    assert client.get(f"{API}{ours.pk}/").status_code == 200
    # Their own administration named explicitly is fine.
    assert client.get(JOURNAL, {"administration": tenant_a.administration.pk}).status_code == 200

    # Never in the list, whatever the filters.
    for params in (
        {},
        {"q": "secret-b"},
        {"target": "secret"},
        {"actor": tenant_b.administrator.email},
    ):
        page = client.get(JOURNAL, params)
        assert theirs.pk not in _ids(page) and "secret-b" not in _table(page)
        assert "secret-b" not in "".join(",".join(r) for r in _csv_rows(client.get(EXPORT, params)))
        assert theirs.pk not in {e["id"] for e in client.get(API, params).json()["results"]}
    assert ours.pk in _ids(client.get(JOURNAL))
    administrations = {
        e["administration"] for e in client.get(API, {"page_size": 200}).json()["results"]
    }
    assert administrations == {tenant_a.administration.pk}


def test_an_administrator_reads_the_journal_of_their_current_administration_only(
    client, tenant_a, tenant_b
):
    # Administrator of both: the session says which journal, not a request field.
    both = tenant_a.administrator
    services.membership_create(
        user=both, administration=tenant_b.administration, role=Role.ADMINISTRATOR
    )
    theirs = record(tenant_b.administration, target="in-b")
    client.force_login(both)
    client.post("/compte/administration/", {"administration": tenant_a.administration.pk})
    assert theirs.pk not in _ids(client.get(JOURNAL))
    assert client.get(JOURNAL, {"administration": tenant_b.administration.pk}).status_code == 404
    client.post("/compte/administration/", {"administration": tenant_b.administration.pk})
    assert theirs.pk in _ids(client.get(JOURNAL))


def test_national_staff_read_every_journal_and_can_pick_one(client, tenant_a, tenant_b):
    staff = UserFactory(is_superuser=True, is_staff=True)
    a = record(tenant_a.administration, target="in-a")
    b = record(tenant_b.administration, target="in-b")
    client.force_login(staff)
    page = client.get(JOURNAL)
    assert {a.pk, b.pk} <= _ids(page)
    assert escape(tenant_b.administration.name) in _table(page)
    only_b = client.get(JOURNAL, {"administration": tenant_b.administration.pk})
    assert b.pk in _ids(only_b) and a.pk not in _ids(only_b)
    api = client.get(API, {"administration": tenant_a.administration.pk, "page_size": 200}).json()
    assert {e["administration"] for e in api["results"]} == {tenant_a.administration.pk}
    rows = _csv_rows(client.get(EXPORT, {"administration": tenant_b.administration.pk}))
    assert rows[0][1] == "Administration"
    assert {row[1] for row in rows[1:]} == {tenant_b.administration.name}


# --- filters -------------------------------------------------------------------------------


@pytest.fixture
def baseline(tenant_a) -> set[int]:
    """What the fixtures' own set-up journaled (members added, volunteers approved)."""
    return set(AuditEntry.objects.values_list("pk", flat=True))


@pytest.fixture
def journal(tenant_a, baseline):
    """A varied journal for tenant A, on known days."""
    adm = tenant_a.administration
    admin = tenant_a.administrator
    return {
        "role": record(
            adm,
            when=_at(dt.date(2026, 3, 2)),
            actor=admin,
            category="membership",
            action="membership.role_changed",
            target="claire@example.gouv.fr",
            data={"before": {"role": "agent"}, "after": {"role": "manager"}},
        ),
        "quota": record(
            adm,
            when=_at(dt.date(2026, 3, 10)),
            actor=admin,
            category="enrolment",
            action="enrolment.quota_changed",
            target=adm.name,
            data={"volunteer_quota": {"before": None, "after": 12}},
        ),
        "signature": record(
            adm,
            when=_at(dt.date(2026, 3, 12), hour=23),
            actor=tenant_a.agent,
            category="settings",
            action="settings.changed",
            target=adm.name,
            data={"signature": {"before": "Le service", "after": "La direction"}},
        ),
        "started": record(
            adm,
            when=_at(dt.date(2026, 4, 1)),
            actor=None,
            category="experiment",
            action="experiment.started",
            target="Période 2",
            data={"share": 50},
        ),
    }


def _filtered_all(client, **params) -> set[int]:
    response = client.get(JOURNAL, params)
    assert response.status_code == 200, response.content.decode()[:500]
    return _ids(response)


def test_filters_narrow_the_journal(client, tenant_a, journal, baseline):
    client.force_login(tenant_a.administrator)

    def _filtered(client, **params):
        return _filtered_all(client, **params) - baseline

    j = {k: v.pk for k, v in journal.items()}
    assert _filtered(client, category="enrolment") == {j["quota"]}
    assert _filtered(client, action="experiment.started") == {j["started"]}
    assert _filtered(client, actor=tenant_a.agent.email.upper()) == {j["signature"]}
    assert _filtered(client, actor="@example.gouv") == {j["role"], j["quota"], j["signature"]}
    assert _filtered(client, target="CLAIRE") == {j["role"]}
    # Whole days, in local time: the 12th includes 23:00 on the 12th.
    assert _filtered(client, date_from="2026-03-10", date_to="2026-03-12") == {
        j["quota"],
        j["signature"],
    }
    assert _filtered(client, date_from="2026-03-11", date_to="2026-03-31") == {j["signature"]}
    assert _filtered(client, date_to="2026-03-02") == {j["role"]}
    # Free text: the words on the page, the subject, the details.
    assert _filtered(client, q="rôle modifié") == {j["role"]}
    assert _filtered(client, q="direction") == {j["signature"]}
    assert _filtered(client, q="Période 2") == {j["started"]}
    assert _filtered(client, q="expérimentation", date_from="2026-01-01") == {j["started"]}
    # Combined.
    assert _filtered(client, category="settings", date_from="2026-04-01") == set()


@pytest.mark.parametrize(
    "params, field",
    [
        ({"date_from": "2026-13-45"}, "date_from"),
        ({"date_to": "pas une date"}, "date_to"),
        ({"date_from": "0001-01-01"}, "date_from"),
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"date_from": "2026-03-12", "date_to": "2026-03-01"}, "date_to"),
        ({"category": "nonsense"}, "category"),
    ],
)
def test_bad_filters_get_a_clear_error_never_a_500(client, tenant_a, journal, params, field):
    client.force_login(tenant_a.administrator)
    page = client.get(JOURNAL, params)
    assert page.status_code == 400
    assert page.context["form"].errors[field]
    assert page.context["rows"] == []
    assert "fr-error-text" in page.content.decode()
    # The export does not guess either: it sends back to the page that says what is wrong.
    export = client.get(EXPORT, params)
    assert export.status_code == 302 and export["Location"].startswith(JOURNAL)
    api = client.get(API, params)
    assert api.status_code == 400
    body = api.json()
    assert body["code"] == "invalid" and field in body["fields"]


# --- CSV export ----------------------------------------------------------------------------


def test_export_has_every_matching_row_not_only_the_page(client, tenant_a):
    adm = tenant_a.administration
    for n in range(120):
        record(
            adm,
            actor=tenant_a.administrator,
            category="knowledge",
            action="knowledge.article_edited",
            target=f"Fiche {n:03}",
            data={"title": {"before": f"Ancien {n}", "after": f"Nouveau {n}"}},
        )
    record(adm, category="settings", action="settings.changed", target='=HYPERLINK("x")')
    client.force_login(tenant_a.administrator)

    page = client.get(JOURNAL, {"category": "knowledge"})
    assert len(page.context["rows"]) == 50

    response = client.get(page.context["export_url"])
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0] == ["Date", "Par", "Catégorie", "Action", "Code de l'action", "Objet", "Détails"]
    body = rows[1:]
    assert len(body) == 120
    assert {r[5] for r in body} == {f"Fiche {n:03}" for n in range(120)}
    assert {r[2] for r in body} == {"Base de connaissances"}
    assert {r[3] for r in body} == {"Article modifié"}
    newest = body[0]
    assert newest[1] == tenant_a.administrator.email
    assert newest[6] == "titre : Ancien 119 → Nouveau 119"
    # Newest first, like the page.
    assert [r[5] for r in body] == [f"Fiche {n:03}" for n in reversed(range(120))]

    # The filters of the page apply: a formula-like subject is neutralised, not evaluated.
    settings_rows = _csv_rows(client.get(EXPORT, {"category": "settings"}))[1:]
    assert [r[5] for r in settings_rows] == ['\'=HYPERLINK("x")']


# --- pages and query counts ----------------------------------------------------------------


def test_pages_of_fifty_walk_the_whole_journal(client, tenant_a):
    adm = tenant_a.administration
    start = AuditEntry.objects.filter(administration=adm).count()
    same_instant = timezone.now()
    for n in range(60):  # many rows in the same microsecond: the id breaks the tie
        record(adm, when=same_instant, target=f"same-{n}")
    for n in range(55):
        record(adm, target=f"row-{n}")
    client.force_login(tenant_a.administrator)
    seen: list[int] = []
    url = JOURNAL
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [e.pk for e in response.context["rows"]]
        url = response.context["next_url"]
        pages += 1
    total = start + 115
    assert len(seen) == len(set(seen)) == total
    assert pages == -(-total // 50)
    assert set(seen) == set(
        AuditEntry.objects.filter(administration=adm).values_list("pk", flat=True)
    )


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_rows(client, tenant_a):
    adm = tenant_a.administration
    data = {
        "before": {"role": "agent", "team": ""},
        "after": {"role": "manager", "team": "Accueil"},
    }
    for n in range(3):
        record(
            adm,
            actor=tenant_a.administrator,
            category="membership",
            action="membership.role_changed",
            target=f"a{n}",
            data=data,
        )
    client.force_login(tenant_a.administrator)
    _queries(client, JOURNAL)  # the first request of a session stores the administration
    small_page, small_api = _queries(client, JOURNAL), _queries(client, API)
    for n in range(80):
        record(
            adm,
            actor=tenant_a.administrator,
            category="membership",
            action="membership.role_changed",
            target=f"b{n}",
            data=data,
        )
    assert _queries(client, JOURNAL) == small_page
    assert _queries(client, API) == small_api
    assert _queries(client, API, {"page_size": 200}) == small_api

    staff = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(staff)
    _queries(client, JOURNAL)
    national = _queries(client, JOURNAL)
    record(adm, target="one more")
    assert _queries(client, JOURNAL) == national


# --- API -----------------------------------------------------------------------------------


def test_api_lists_filters_and_pages_with_a_cursor(client, tenant_a, journal):
    client.force_login(tenant_a.administrator)
    body = client.get(API, {"category": "membership", "action": "membership.role_changed"}).json()
    assert [e["id"] for e in body["results"]] == [journal["role"].pk]
    entry = body["results"][0]
    assert entry["action"] == "membership.role_changed"
    assert entry["action_label"] == "Rôle modifié"
    assert entry["category_label"] == "Membres"
    assert entry["actor"] == tenant_a.administrator.email
    assert entry["target"] == "claire@example.gouv.fr"
    assert entry["data"] == {"before": {"role": "agent"}, "after": {"role": "manager"}}
    assert entry["details"] == ["rôle : Agent → Responsable"]
    assert body["next"] is None

    every = set(
        AuditEntry.objects.filter(administration=tenant_a.administration).values_list(
            "pk", flat=True
        )
    )
    seen: list[int] = []
    url, params = API, {"page_size": 3}
    while url:
        page = client.get(url, params).json()
        assert len(page["results"]) <= 3
        seen += [e["id"] for e in page["results"]]
        url, params = page["next"], None
    assert len(seen) == len(set(seen)) and set(seen) == every

    detail = client.get(f"{API}{journal['quota'].pk}/").json()
    assert detail["details"] == ["nombre maximal de volontaires : — → 12"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"cursor": "n'importe quoi"}, "cursor"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "abc"}, "page_size"),
    ],
)
def test_api_refuses_bad_paging_in_the_one_error_shape(client, tenant_a, params, field):
    client.force_login(tenant_a.administrator)
    response = client.get(API, params)
    assert response.status_code == 400
    assert response.json()["fields"].keys() == {field}


def test_api_is_read_only(client, tenant_a):
    client.force_login(tenant_a.administrator)
    entry = record(tenant_a.administration)
    assert client.post(API, {}, content_type="application/json").status_code == 405
    assert client.delete(f"{API}{entry.pk}/").status_code == 405
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


# --- the words -----------------------------------------------------------------------------


def test_words_for_actions_and_details():
    from django.utils import translation

    with translation.override("fr"):
        assert action_label("membership.deactivated") == "Membre désactivé"
        assert action_label("experiment.started") == "Période d'expérimentation démarrée"
        assert action_label("membership.something_new") == "Membres : something new"
        assert action_label("elsewhere.thing_done") == "Thing done"
        assert action_label("bare") == "Bare"
        assert details_text({"role": "administrator", "team": "", "on": True}) == (
            "rôle : Administrateur ; équipe : — ; on : oui"
        )
        assert details_text({"before": {"a": 1, "b": 2}, "after": {"a": 1, "b": 3}}) == "b : 2 → 3"
        assert [d.text for d in describe({"scopes": ["read", "write"], "x": {"y": 1}})] == [
            "portées : read, write",
            "x : y : 1",  # never raw JSON
        ]
        assert describe(None) == [] and describe({}) == []
        assert details_text("free text") == "détails : free text"
    with translation.override("en"):
        assert action_label("membership.role_changed") == "Role changed"
        assert details_text({"role": "manager"}) == "role: Manager"
        # The page leaves database identifiers out (the entry's label names the thing); the
        # export and the API keep them.
        data = {"answer": 12, "topic": 3, "created": 2}
        assert [d.text for d in describe(data, identifiers=False)] == ["created: 2"]
        assert details_text(data).startswith("bank answer number: 12")


def test_the_experiment_s_backend_reads_as_words_and_no_action_code_is_shown(client, tenant_a):
    record(
        tenant_a.administration,
        category="experiment",
        action="experiment.started",
        target="50 % · offline",
        data={
            "before": None,
            "after": {"assisted_share": "0.500", "backend": "offline", "model_name": ""},
        },
    )
    client.force_login(tenant_a.administrator)
    html = client.get(JOURNAL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "drafting backend: <del>—</del> → <ins>Offline drafter of Guichet</ins>" in html
    # The period it is about reads in words too, not by the backend's code its label kept.
    assert "50\u00a0% · Offline drafter of Guichet" in html and "· offline" not in html
    rows = _csv_rows(client.get(EXPORT, HTTP_ACCEPT_LANGUAGE="fr"))
    assert any("50\u00a0% · Rédacteur hors ligne de Guichet" in row for row in rows), rows
    # The machine name of the action was the cell's tooltip: a code, not a word.
    assert 'title="experiment.started"' not in html and ">experiment.started<" not in html
    with translation.override("fr"):
        assert details_text({"backend": "openai"}).endswith(": modèle compatible OpenAI")
    # The filters find the period by the words the page shows, in the reader's language.
    for language, words, shown in (
        ("fr", "hors ligne", "Rédacteur hors ligne de Guichet"),
        ("en", "offline DRAFTER", "Offline drafter of Guichet"),
    ):
        for field in ("target", "q"):
            page = client.get(JOURNAL, {field: words}, HTTP_ACCEPT_LANGUAGE=language)
            assert f"50\u00a0% · {shown}" in page.content.decode(), (language, field)
    html = client.get(JOURNAL, {"target": "compatible OpenAI"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Rédacteur hors ligne" not in html.content.decode()


# --- append-only ---------------------------------------------------------------------------


def test_the_journal_is_append_only_in_the_orm(tenant_a):
    entry = record(tenant_a.administration, target="kept")
    entry.target_label = "rewritten"
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(target_label="rewritten")
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).target_label == "kept"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger test is PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE accounts_auditentry SET target_label = 'rewritten' WHERE id = %s",
        "DELETE FROM accounts_auditentry WHERE id = %s",
    ],
)
def test_the_database_refuses_update_and_delete(tenant_a, sql):
    entry = record(tenant_a.administration, target="kept")
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).target_label == "kept"


def test_a_large_export_is_streamed_in_pieces(client, tenant_a):
    adm, admin = tenant_a.administration, tenant_a.administrator
    AuditEntry.objects.bulk_create(
        AuditEntry(
            administration=adm,
            actor=admin,
            actor_label=admin.email,
            category="membership",
            action="membership.role_changed",
            target_label=f"agent{n}@example.gouv.fr",
            data={"before": {"role": "agent"}, "after": {"role": "manager"}},
        )
        for n in range(1200)
    )
    expected = AuditEntry.objects.filter(administration=adm).count()
    client.force_login(admin)
    response = client.get(EXPORT)
    pieces = list(response.streaming_content)
    # Written as it is read, a few hundred lines at a time, never the whole file in memory.
    assert len(pieces) == expected // 500 + 1
    rows = french_rows(b"".join(pieces))
    assert len(rows) == expected + 1
    assert rows[1][6] == "rôle : Agent → Responsable"


@pytest.mark.parametrize("cursor", ["xyz", "2026-13-01T00:00:00_5", "_", "2026-03-01T00:00:00_abc"])
def test_a_malformed_page_cursor_starts_from_the_first_page(client, tenant_a, cursor):
    newest = record(tenant_a.administration, target="newest")
    client.force_login(tenant_a.administrator)
    response = client.get(JOURNAL, {"apres": cursor})
    assert response.status_code == 200
    assert response.context["rows"][0].pk == newest.pk
