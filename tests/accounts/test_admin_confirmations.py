"""Administrators' pages that cannot be misused by one click or one reload: irreversible actions
ask first, the token key is shown once through POST/redirect/GET, the members import preview is
in the words people typed."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import ApiToken, AuditEntry, Membership
from accounts.views.tokens import NEW_KEY_SESSION
from drafting.experiment import services as experiment_services
from drafting.experiment.selectors import running_period

TOKENS = "/compte/jetons/"


def test_creating_a_token_redirects_and_a_reload_creates_no_second_one(client, tenant_a):
    client.force_login(tenant_a.administrator)
    response = client.post(TOKENS, {"name": "Portail usagers", "scope": "read"})
    assert response.status_code == 302 and response["Location"] == TOKENS
    assert ApiToken.objects.filter(administration=tenant_a.administration).count() == 1

    shown = client.get(TOKENS)
    key = shown.context["new_key"]
    assert key and key.startswith("gch_") and key in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    assert 'id="copy-key"' in shown.content.decode()  # the copy button, by static JS
    # A reload (GET again) shows the key no more and creates nothing.
    again = client.get(TOKENS)
    assert again.context["new_key"] is None and key not in again.content.decode()
    assert NEW_KEY_SESSION not in client.session
    assert ApiToken.objects.filter(administration=tenant_a.administration).count() == 1
    assert AuditEntry.objects.filter(action="token.created").count() == 1


def test_an_invalid_token_form_is_shown_again_with_its_error(client, tenant_a):
    client.force_login(tenant_a.administrator)
    response = client.post(TOKENS, {"name": "", "scope": "read"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_key_of_one_administration_is_not_shown_in_another(client, tenants):
    a, b, _c = tenants
    from tests.factories import make_member

    make_member(b.administration, "administrator", email=a.administrator.email + ".b")
    client.force_login(a.administrator)
    client.post(TOKENS, {"name": "Portail", "scope": "read"})
    session = client.session
    session[NEW_KEY_SESSION]["administration"] = b.administration.pk
    session.save()
    assert client.get(TOKENS).context["new_key"] is None


def test_revoking_a_token_needs_the_confirmation(client, tenant_a):
    client.force_login(tenant_a.administrator)
    client.post(TOKENS, {"name": "Portail", "scope": "read"})
    token = ApiToken.objects.get()
    url = f"/compte/jetons/{token.pk}/revocation/"
    page = client.get(url)
    assert page.status_code == 200 and 'id="confirm-revoke"' in page.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    # A POST without the confirmation (an old form, a script) revokes nothing.
    refused = client.post(url)
    assert refused.status_code == 400
    token.refresh_from_db()
    assert token.revoked_at is None
    done = client.post(url, {"confirm": "1"})
    assert done.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_deactivating_a_member_needs_the_confirmation(client, tenant_a):
    client.force_login(tenant_a.administrator)
    membership = Membership.objects.get(user=tenant_a.agent, administration=tenant_a.administration)
    url = f"/compte/membres/{membership.pk}/activation/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'id="confirm-deactivate"' in page.content.decode()
    assert client.post(url, {"active": "0"}).status_code == 400
    membership.refresh_from_db()
    assert membership.is_active
    assert client.post(url, {"active": "0", "confirm": "1"}).status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active
    # Reactivating is reversible: one click.
    assert client.post(url, {"active": "1"}).status_code == 302
    membership.refresh_from_db()
    assert membership.is_active


def test_stopping_the_experiment_needs_the_confirmation(client, tenant_a):
    administration = tenant_a.administration
    experiment_services.experiment_configure(
        actor=tenant_a.administrator,
        administration=administration,
        assisted_percent=50,
        backend="offline",
        model_name="",
    )
    client.force_login(tenant_a.administrator)
    url = "/brouillons/experience/arret/"
    page = client.get(url)
    assert page.status_code == 200 and 'id="confirm-stop"' in page.content.decode()
    assert client.post(url).status_code == 400
    assert running_period(administration.pk) is not None
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert running_period(administration.pk) is None


def test_the_import_preview_shows_roles_in_words(client, tenant_a):
    client.force_login(tenant_a.administrator)
    csv = "courriel;prénom;nom;rôle;équipe\nn.b@example.org;Nadia;Benali;responsable;Accueil\n"
    csv += "x.y@example.org;Xavier;Y;chef;\n"
    response = client.post(
        "/compte/membres/import/",
        {"file": SimpleUploadedFile("m.csv", csv.encode(), content_type="text/csv")},
    )
    html = response.content.decode()
    rows = {row.line: row for row in response.context["preview"].rows}
    assert rows[2].role_label == "Responsable"
    assert "<td>Responsable</td>" in html and "<td>manager</td>" not in html
    assert rows[3].role_label == "chef"  # not a role: the text typed, with its error
