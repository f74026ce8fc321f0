"""Administrators' member pages: invitation, role, deactivation, CSV import, and their journal."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import services
from accounts.models import AuditEntry, Membership, Role, User
from cases import services as case_services
from cases.models import CaseEvent, Status
from tests.factories import make_case, make_member


def _invite(client, **data):
    payload = {"email": "", "first_name": "", "last_name": "", "role": "agent", "team": ""}
    payload.update(data)
    return client.post("/compte/membres/", payload)


def test_administrator_invites_a_new_person_who_sets_a_password_once(
    client, tenant_a, django_capture_on_commit_callbacks
):
    client.force_login(tenant_a.administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(
            client,
            email=" Nadia.Benali@Example.org ",
            first_name="Nadia",
            last_name="Benali",
            team="Accueil",
        )
    assert response.status_code == 302
    user = User.objects.get(email="nadia.benali@example.org")
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user, administration=tenant_a.administration)
    # It waits for its person, like an invitation to someone with an account elsewhere.
    assert (membership.role, membership.team, membership.is_active) == ("agent", "Accueil", False)
    assert membership.pending
    assert AuditEntry.objects.filter(
        administration=tenant_a.administration,
        action="membership.invited",
        target_label="nadia.benali@example.org",
        actor=tenant_a.administrator,
    ).exists()

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nadia.benali@example.org"]
    # Greeted by the name the administrator typed.
    assert mail.outbox[0].body.startswith("Bonjour Nadia Benali,\n")
    link = re.search(r"https?://\S+/compte/invitation/\S+/", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[-1] if "8000" in link else "/" + link.split("/", 3)[3]

    client.logout()
    form = client.get(path, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url,
        {
            "new_password1": "Un-mot-de-passe-solide-42",
            "new_password2": "Un-mot-de-passe-solide-42",
        },
    )
    assert done.status_code == 302
    assert client.login(email="nadia.benali@example.org", password="Un-mot-de-passe-solide-42")
    # Signing in took the invitation: a member now.
    membership.refresh_from_db()
    assert membership.is_active and not membership.pending
    assert client.get("/dossiers/").status_code == 200
    client.logout()
    # The link works once.
    again = client.get(path, follow=True)
    assert not again.context["validlink"]


def test_inviting_an_active_member_again_is_a_form_error_and_writes_nothing(client, tenant_a):
    client.force_login(tenant_a.administrator)
    before = (User.objects.count(), Membership.objects.count(), AuditEntry.objects.count())
    response = _invite(client, email=tenant_a.agent.email)
    assert response.status_code == 400
    assert (
        "already a member" in response.content.decode()
        or "déjà membre" in response.content.decode()
    )
    assert (User.objects.count(), Membership.objects.count(), AuditEntry.objects.count()) == before


def test_bad_email_and_unknown_role_are_form_errors(client, tenant_a):
    client.force_login(tenant_a.administrator)
    before = Membership.objects.count()
    assert _invite(client, email="pas-un-courriel").status_code == 400
    assert _invite(client, email="ok@example.org", role="chef").status_code == 400
    assert Membership.objects.count() == before


def test_inviting_someone_with_an_account_elsewhere_proposes_the_membership(
    client, tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    """A pending membership they accept from their session (tests/security/test_invitations)."""
    client.force_login(tenant_a.administrator)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, email=tenant_b.agent.email, role="manager")
    membership = Membership.objects.get(user=tenant_b.agent, administration=tenant_a.administration)
    assert membership.role == "manager"
    assert membership.pending and not membership.is_active
    assert "/compte/invitations/" in mail.outbox[-1].body


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_agents_and_managers_cannot_use_member_pages(client, tenant_a, role):
    user = tenant_a.agent if role == "agent" else tenant_a.manager
    membership = Membership.objects.get(
        user=tenant_a.agent2, administration=tenant_a.administration
    )
    client.force_login(user)
    assert client.get("/compte/membres/").status_code == 403
    assert _invite(client, email="x@example.org").status_code == 403
    assert client.get("/compte/membres/import/").status_code == 403
    assert (
        client.post(f"/compte/membres/{membership.pk}/", {"role": "administrator"}).status_code
        == 403
    )
    assert (
        client.post(
            f"/compte/membres/{membership.pk}/activation/", {"active": "0", "confirm": "1"}
        ).status_code
        == 403
    )
    membership.refresh_from_db()
    assert membership.role == "agent" and membership.is_active
    assert not User.objects.filter(email="x@example.org").exists()


def test_administrator_of_another_administration_gets_404_and_changes_nothing(
    client, tenant_a, tenant_b
):
    membership = Membership.objects.get(user=tenant_a.agent, administration=tenant_a.administration)
    client.force_login(tenant_b.administrator)
    assert client.get(f"/compte/membres/{membership.pk}/").status_code == 404
    assert (
        client.post(f"/compte/membres/{membership.pk}/", {"role": "administrator"}).status_code
        == 404
    )
    assert (
        client.post(
            f"/compte/membres/{membership.pk}/activation/", {"active": "0", "confirm": "1"}
        ).status_code
        == 404
    )
    membership.refresh_from_db()
    assert membership.role == "agent" and membership.is_active
    listing = client.get("/compte/membres/").content.decode()
    assert tenant_a.agent.email not in listing and tenant_b.agent.email in listing


def test_role_change_is_journaled_and_the_last_administrator_cannot_be_demoted(client, tenant_a):
    client.force_login(tenant_a.administrator)
    agent = Membership.objects.get(user=tenant_a.agent, administration=tenant_a.administration)
    assert (
        client.post(
            f"/compte/membres/{agent.pk}/", {"role": "manager", "team": "Pôle B"}
        ).status_code
        == 302
    )
    agent.refresh_from_db()
    assert (agent.role, agent.team) == ("manager", "Pôle B")
    entry = AuditEntry.objects.get(
        action="membership.role_changed", target_label=tenant_a.agent.email
    )
    assert entry.data == {
        "before": {"role": "agent", "team": ""},
        "after": {"role": "manager", "team": "Pôle B"},
    }

    own = Membership.objects.get(
        user=tenant_a.administrator, administration=tenant_a.administration
    )
    response = client.post(f"/compte/membres/{own.pk}/", {"role": "agent", "team": ""})
    assert response.status_code == 400
    own.refresh_from_db()
    assert own.role == "administrator"
    client.post(f"/compte/membres/{own.pk}/activation/", {"active": "0", "confirm": "1"})
    own.refresh_from_db()
    assert own.is_active


def test_deactivation_ends_the_session_and_puts_cases_back_in_the_queue(client, tenant_a):
    administration = tenant_a.administration
    working = make_case(administration)
    case_services.case_take(actor=tenant_a.agent, case=working)
    answered = make_case(administration)
    case_services.case_take(actor=tenant_a.agent, case=answered)
    case_services.case_send_reply(
        actor=tenant_a.agent, case=answered, body="Bonjour, voici la réponse."
    )

    from django.test import Client

    agent_client = Client()
    agent_client.force_login(tenant_a.agent)
    assert agent_client.get("/dossiers/").status_code == 200

    membership = Membership.objects.get(user=tenant_a.agent, administration=administration)
    client.force_login(tenant_a.administrator)
    assert (
        client.post(
            f"/compte/membres/{membership.pk}/activation/", {"active": "0", "confirm": "1"}
        ).status_code
        == 302
    )

    # The agent's next request is signed out.
    response = agent_client.get("/dossiers/")
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
    assert "_auth_user_id" not in agent_client.session

    working.refresh_from_db()
    assert working.status == Status.NEW and working.assignee is None
    event = CaseEvent.objects.filter(case=working).latest("id")
    assert event.kind == "released" and event.actor == tenant_a.administrator
    assert event.data["reason"] == "member_deactivated"
    answered.refresh_from_db()
    assert answered.status == Status.ANSWERED and answered.assignee == tenant_a.agent
    assert AuditEntry.objects.filter(
        action="membership.deactivated", target_label=tenant_a.agent.email
    ).exists()

    client.post(f"/compte/membres/{membership.pk}/activation/", {"active": "1"})
    membership.refresh_from_db()
    assert membership.is_active
    agent_client.force_login(tenant_a.agent)
    assert agent_client.get("/dossiers/").status_code == 200


def test_reactivating_from_the_filtered_list_comes_back_to_it(client, tenant_a):
    membership = Membership.objects.get(user=tenant_a.agent, administration=tenant_a.administration)
    services.membership_set_active(
        membership=membership, active=False, actor=tenant_a.administrator
    )
    client.force_login(tenant_a.administrator)
    url = f"/compte/membres/{membership.pk}/activation/"
    back = "/compte/membres/?state=inactive"
    response = client.post(url, {"active": "1", "back": back})
    assert response.status_code == 302 and response["Location"] == back
    membership.refresh_from_db()
    assert membership.is_active
    # Anywhere else is not followed.
    services.membership_set_active(
        membership=membership, active=False, actor=tenant_a.administrator
    )
    response = client.post(url, {"active": "1", "back": "https://evil.example/compte/membres/?x"})
    assert response["Location"] == "/compte/membres/"


def test_member_of_several_administrations_keeps_the_others(client, tenant_a, tenant_b):
    services.membership_create(
        user=tenant_a.agent, administration=tenant_b.administration, role=Role.AGENT
    )
    membership = Membership.objects.get(user=tenant_a.agent, administration=tenant_a.administration)
    services.membership_set_active(
        membership=membership, active=False, actor=tenant_a.administrator
    )
    client.force_login(tenant_a.agent)
    response = client.get("/dossiers/")
    assert response.status_code == 200
    assert response.wsgi_request.administration == tenant_b.administration


# --- CSV import -------------------------------------------------------------------------------

GOOD = (
    "E-mail;Prénom;Nom;Rôle;Équipe\n"
    "lea.roux@example.org;Léa;Roux;agent;Accueil\n"
    "marc.petit@example.org;Marc;Petit;Responsable;Pôle familles\n"
)


def _upload(client, text: str, encoding: str = "utf-8"):
    return client.post(
        "/compte/membres/import/",
        {"file": SimpleUploadedFile("membres.csv", text.encode(encoding), content_type="text/csv")},
    )


def test_csv_import_previews_then_invites_everyone(
    client, tenant_a, django_capture_on_commit_callbacks
):
    client.force_login(tenant_a.administrator)
    preview = _upload(client, GOOD)
    assert preview.status_code == 200 and preview.context["preview"].ok
    assert not User.objects.filter(email="lea.roux@example.org").exists()  # preview writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/compte/membres/import/", {"confirm": "1"})
    assert done.status_code == 302
    lea = Membership.objects.get(
        user__email="lea.roux@example.org", administration=tenant_a.administration
    )
    marc = Membership.objects.get(
        user__email="marc.petit@example.org", administration=tenant_a.administration
    )
    assert (lea.role, lea.team, lea.shown_names[0]) == ("agent", "Accueil", "Léa")
    assert (marc.role, marc.team) == ("manager", "Pôle familles")
    assert len(mail.outbox) == 2
    assert AuditEntry.objects.filter(action="membership.imported", data__count=2).exists()


@pytest.mark.parametrize(
    ("language", "message", "label"),
    [
        ("en", "1 member was invited.", "1 member"),
        ("fr", "1 membre a été invité.", "1 membre"),
    ],
)
def test_one_imported_member_is_said_in_the_singular(
    client, tenant_a, django_capture_on_commit_callbacks, language, message, label
):
    client.force_login(tenant_a.administrator)
    client.cookies["django_language"] = language
    _upload(client, "E-mail;Prénom;Nom;Rôle;Équipe\nlea.roux@example.org;Léa;Roux;agent;\n")
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/compte/membres/import/", {"confirm": "1"}, follow=True)
    assert [str(m) for m in done.context["messages"]] == [message]
    entry = AuditEntry.objects.get(action="membership.imported", data__count=1)
    assert entry.target_label == label


def test_csv_import_with_bad_rows_names_each_row_and_writes_nothing(client, tenant_a):
    client.force_login(tenant_a.administrator)
    text = (
        "email,first name,last name,role,team\n"
        "ok@example.org,Ok,Ok,agent,\n"
        "pas-un-courriel,A,B,agent,\n"
        "c@example.org,C,D,chef,\n"
        "ok@example.org,Ok,Bis,agent,\n"
        f"{tenant_a.agent.email},X,Y,agent,\n"
    )
    before = (User.objects.count(), Membership.objects.count(), AuditEntry.objects.count())
    response = _upload(client, text)
    assert response.status_code == 400
    preview = response.context["preview"]
    errors = {row.line: " ".join(row.errors) for row in preview.error_rows}
    assert set(errors) == {3, 4, 5, 6}
    assert "pas-un-courriel" in errors[3]
    assert "chef" in errors[4]
    assert "2" in errors[5]  # duplicate of line 2
    assert errors[6]
    # No confirmation is possible, and a forced one is refused.
    assert "confirm-import" not in response.content.decode()
    assert client.post("/compte/membres/import/", {"confirm": "1"}).status_code == 302
    assert (User.objects.count(), Membership.objects.count(), AuditEntry.objects.count()) == before


def test_a_file_that_is_not_csv_or_lacks_columns_is_said_in_the_pages_words(client, tenant_a):
    client.force_login(tenant_a.administrator)
    png = "\x89PNG\r\n\x1a\n\x02IHDR\x01\x03binary"
    response = _upload(client, png, encoding="latin-1")
    assert response.status_code == 400
    assert response.context["preview"].file_errors == ["Le fichier n'est pas un fichier texte CSV."]
    response = _upload(client, "nom;prénom;équipe\nDupont;Ana;Accueil\n")
    (error,) = response.context["preview"].file_errors
    assert "manquantes : adresse électronique, rôle" in error or "courriel, rôle" in error
    assert "email" not in error.split("(")[0]


def test_import_service_is_all_or_nothing(tenant_a):
    text = GOOD + "bad-row;X;Y;agent;\n"
    before = (User.objects.count(), Membership.objects.count())
    with pytest.raises(Exception) as excinfo:
        services.members_import(
            actor=tenant_a.administrator, administration=tenant_a.administration, text=text
        )
    assert "4" in " ".join(excinfo.value.messages)
    assert (User.objects.count(), Membership.objects.count()) == before


def test_a_row_that_became_invalid_between_preview_and_confirm_imports_nothing(client, tenant_a):
    client.force_login(tenant_a.administrator)
    assert _upload(client, GOOD).context["preview"].ok
    make_member(tenant_a.administration, email="marc.petit@example.org")
    response = client.post("/compte/membres/import/", {"confirm": "1"})
    assert response.status_code == 400
    assert not User.objects.filter(email="lea.roux@example.org").exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        ("nom;prénom\nA;B\n".encode(), "missing"),
        (b"\x00\x01\x02binary", "CSV"),
        (b"email;role\n", "no member row"),
    ],
)
def test_unusable_files_get_a_clear_error(client, tenant_a, content, message):
    client.force_login(tenant_a.administrator)
    response = client.post(
        "/compte/membres/import/",
        {"file": SimpleUploadedFile("m.csv", content, content_type="text/csv")},
    )
    assert response.status_code == 400
    with_errors = response.context["form"].errors or response.context["preview"].file_errors
    assert with_errors


def test_windows_1252_files_are_read(client, tenant_a):
    client.force_login(tenant_a.administrator)
    response = _upload(client, GOOD, encoding="cp1252")
    assert response.context["preview"].ok
    assert response.context["preview"].rows[0].first_name == "Léa"


def test_django_admin_membership_changes_go_through_the_services(client, tenant_a):
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_superuser(email="national@example.org", password="x")
    client.force_login(staff)
    administration = tenant_a.administration
    url = f"/admin/accounts/administration/{administration.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    formset = page.context["inline_admin_formsets"][0].formset
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and not isinstance(value, list | dict)
    }
    data.update(
        {
            "name": administration.name,
            "slug": administration.slug,
            "code": administration.code,
            "kind": administration.kind,
            "siret": administration.siret,
            "signature": administration.signature,
            "closing": administration.closing,
        }
    )
    prefix = formset.prefix
    data[f"{prefix}-TOTAL_FORMS"] = len(formset.forms)
    data[f"{prefix}-INITIAL_FORMS"] = len(formset.forms)
    target = None
    for i, form in enumerate(formset.forms):
        membership = form.instance
        data[f"{prefix}-{i}-id"] = membership.pk
        data[f"{prefix}-{i}-administration"] = administration.pk
        data[f"{prefix}-{i}-user"] = membership.user_id
        data[f"{prefix}-{i}-role"] = membership.role
        data[f"{prefix}-{i}-team"] = membership.team
        if membership.is_active:
            data[f"{prefix}-{i}-is_active"] = "on"
        if membership.user_id == tenant_a.agent.pk:
            target = i
    # Deactivate the agent through the admin: journaled, like on the members page.
    data.pop(f"{prefix}-{target}-is_active")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user=tenant_a.agent, administration=administration)
    assert not membership.is_active
    assert AuditEntry.objects.filter(action="membership.deactivated", actor=staff).exists()
    # Demoting the only administrator is refused with a message, not a crash.
    for i, form in enumerate(formset.forms):
        if form.instance.role == Role.ADMINISTRATOR:
            data[f"{prefix}-{i}-role"] = Role.AGENT
    response = client.post(url, data)
    assert response.status_code == 200
    assert Membership.objects.filter(
        administration=administration, role=Role.ADMINISTRATOR, is_active=True
    ).exists()
