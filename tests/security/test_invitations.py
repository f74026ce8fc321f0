"""Inviting the e-mail of someone who has an account in another administration: a pending
membership they accept from their own session; the inviting side learns nothing about them."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from accounts.middleware import SESSION_KEY
from accounts.models import AuditEntry, Membership, Role
from accounts.services import member_invite, membership_set_active
from tests.factories import make_administration, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(db):
    return make_member(
        make_administration("CPAM des Landes", code="CPAM40"),
        Role.AGENT,
        email="claire.dupont@cpam40.fr",
        first_name="Ysolde",
        # Names no factory draws: a colleague of the same name would be on the page anyway.
        # Not in the e-mail: a search by the e-mail the administrator typed finds the row.
        last_name="Vasquelle",
    )


def _invite_on_page(tenant, email: str):
    client = Client()
    client.force_login(tenant.administrator)
    response = client.post(
        "/compte/membres/", {"email": email, "role": Role.AGENT, "first_name": "", "last_name": ""}
    )
    return client, response


def test_the_answer_is_the_same_as_for_an_unknown_address(tenant_a, other):
    client, known = _invite_on_page(tenant_a, "claire.dupont@cpam40.fr")
    _client, unknown = _invite_on_page(tenant_a, "inconnu@exemple.fr")
    assert known.status_code == unknown.status_code == 302
    first = [str(m) for m in client.get("/compte/membres/").context["messages"]]
    assert "claire.dupont@cpam40.fr est invité" in " ".join(first) or first  # same wording
    page = client.get("/compte/membres/").content.decode()
    assert "Ysolde" not in page and "Vasquelle" not in page
    # Neither a search by name nor the member's own page tells it either.
    assert "cpam40" not in client.get("/compte/membres/?q=Vasquelle").content.decode()
    pending = Membership.objects.get(user=other, administration=tenant_a.administration)
    detail = client.get(f"/compte/membres/{pending.pk}/").content.decode()
    assert "Ysolde" not in detail and "Vasquelle" not in detail
    # Nothing in the journal of the inviting administration tells an account existed.
    entries = AuditEntry.objects.filter(
        administration=tenant_a.administration, action="membership.invited"
    )
    data = {e.target_label: e.data for e in entries}
    assert data["claire.dupont@cpam40.fr"] == data["inconnu@exemple.fr"]
    # No access yet: the membership is pending, inactive.
    membership = Membership.objects.get(user=other, administration=tenant_a.administration)
    assert membership.pending and not membership.is_active


def test_the_api_answer_discloses_nothing(tenant_a, other):
    client = APIClient()
    client.force_login(tenant_a.administrator)
    known = client.post(
        "/api/v1/members/", {"email": "claire.dupont@cpam40.fr", "role": "agent"}, format="json"
    )
    assert known.status_code == 201
    assert known.json()["first_name"] == "" and known.json()["last_name"] == ""


def test_the_person_accepts_from_their_session_and_gets_access(
    tenant_a, other, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member_invite(
            actor=tenant_a.administrator,
            administration=tenant_a.administration,
            email="Claire.Dupont@cpam40.fr",
            role=Role.AGENT,
        )
    assert mail.outbox and "/compte/invitations/" in mail.outbox[-1].body
    client = Client()
    client.force_login(other)
    # Before accepting: the administration is not among theirs.
    switch = client.post("/compte/administration/", {"administration": tenant_a.administration.pk})
    assert switch.status_code == 302
    assert client.session.get(SESSION_KEY) != tenant_a.administration.pk
    page = client.get("/compte/invitations/")
    assert f'data-invitation="{Membership.objects.get(user=other, pending=True).pk}"' in (
        page.content.decode()
    )
    membership = Membership.objects.get(user=other, administration=tenant_a.administration)
    response = client.post(f"/compte/invitations/{membership.pk}/reponse/", {"answer": "accept"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.is_active and not membership.pending
    assert AuditEntry.objects.filter(
        administration=tenant_a.administration, action="membership.accepted"
    ).exists()
    # Now a member: their work there is open to them.
    from accounts.permissions import VIEW_CASES, has_administration_perm

    assert has_administration_perm(other, VIEW_CASES, tenant_a.administration)


def test_someone_else_cannot_accept_and_a_decline_removes_it(tenant_a, tenant_b, other):
    member_invite(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        email=other.email,
        role=Role.MANAGER,
    )
    membership = Membership.objects.get(user=other, administration=tenant_a.administration)
    intruder = Client()
    intruder.force_login(tenant_b.agent)
    answer = intruder.post(f"/compte/invitations/{membership.pk}/reponse/", {"answer": "accept"})
    assert answer.status_code == 404
    # The inviting administrator cannot activate it in the person's place.
    with pytest.raises(ValidationError):
        membership_set_active(membership=membership, active=True, actor=tenant_a.administrator)
    client = Client()
    client.force_login(other)
    client.post(f"/compte/invitations/{membership.pk}/reponse/", {"answer": "decline"})
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_new_address_gets_its_account_and_joins_at_its_first_sign_in(tenant_a, tenant_b):
    membership = member_invite(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        email="nouvelle@caf69.fr",
        role=Role.AGENT,
        first_name="Nora",
        last_name="Velle",
    )
    user = membership.user
    # The names typed are the membership's, not the account's: another administration inviting
    # the same address must not read them.
    assert not user.has_usable_password() and (user.first_name, user.last_name) == ("", "")
    assert membership.shown_names == ("Nora", "Velle")
    # Waiting for its person, like any invitation: no access yet.
    assert membership.pending and membership.joins_at_sign_in and not membership.is_active
    # Another administration invites the same address before the person ever signed in.
    second = member_invite(
        actor=tenant_b.administrator,
        administration=tenant_b.administration,
        email="nouvelle@caf69.fr",
        role=Role.MANAGER,
    )
    assert second.pending and second.joins_at_sign_in
    user.set_password("Un-mot-de-passe-solide-42")
    user.save()
    client = Client()
    assert client.login(email="nouvelle@caf69.fr", password="Un-mot-de-passe-solide-42")
    for joined in (membership, second):
        joined.refresh_from_db()
        assert joined.is_active and not joined.pending
        assert AuditEntry.objects.filter(
            administration=joined.administration,
            action="membership.accepted",
            target_label="nouvelle@caf69.fr",
            actor=user,
        ).exists()
    from accounts.permissions import VIEW_CASES, has_administration_perm

    assert has_administration_perm(user, VIEW_CASES, tenant_a.administration)
    assert client.get("/dossiers/").status_code == 200
    # Signing in again changes nothing more.
    entries = AuditEntry.objects.count()
    client.logout()
    assert client.login(email="nouvelle@caf69.fr", password="Un-mot-de-passe-solide-42")
    assert AuditEntry.objects.count() == entries
    # Two administrations brought them: each still reads only the names it typed.
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("", "")
    membership.refresh_from_db()
    second.refresh_from_db()
    assert membership.shown_names == ("Nora", "Velle") and second.shown_names == ("", "")


def test_the_names_typed_by_the_one_administration_that_brought_a_newcomer_become_theirs(
    tenant_a,
):
    membership = member_invite(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        email="nouveau@caf69.fr",
        role=Role.AGENT,
        first_name="Yann",
        last_name="Morvan",
    )
    user = membership.user
    user.set_password("Un-mot-de-passe-solide-42")
    user.save()
    assert Client().login(email="nouveau@caf69.fr", password="Un-mot-de-passe-solide-42")
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Yann", "Morvan")


def _invite_through_api(tenant, email: str, **names) -> dict:
    client = APIClient()
    client.force_login(tenant.administrator)
    response = client.post(
        "/api/v1/members/", {"email": email, "role": "agent", **names}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_typed_names_do_not_tell_a_known_address_from_a_new_one(tenant_a, other):
    """With names typed in the form, as an administrator does, the two answers still match."""
    answers = [
        _invite_through_api(tenant_a, email, first_name="Ysolde", last_name="Vasquelle")
        for email in ("claire.dupont@cpam40.fr", "inconnue@exemple.fr")
    ]
    known, unknown = (
        {k: v for k, v in a.items() if k not in ("id", "email", "created_at")} for a in answers
    )
    assert known == unknown
    assert known["pending"] is True and known["is_active"] is False and known["user"] is None


def test_the_members_page_and_journal_read_alike_and_the_account_keeps_its_names(tenant_a, other):
    typed = {"first_name": "Clara", "last_name": "Dupont-Typée"}
    _invite_through_api(tenant_a, "claire.dupont@cpam40.fr", **typed)
    _invite_through_api(tenant_a, "inconnue@exemple.fr", **typed)
    client = Client()
    client.force_login(tenant_a.administrator)
    page = client.get("/compte/membres/").content.decode()

    def row(email: str) -> str:
        found = re.search(rf'<tr data-member="{re.escape(email)}">(.*?)</tr>', page, re.S)
        assert found, email
        return re.sub(r"/\d+/", "/ID/", found.group(1).replace(email, "EMAIL"))

    assert row("claire.dupont@cpam40.fr") == row("inconnue@exemple.fr")
    assert "Clara Dupont-Typée" in row("inconnue@exemple.fr")
    assert "Ysolde" not in page and "Vasquelle" not in page
    # Filters and search treat them alike too.
    for query in ("state=inactive", "state=active", "q=Dupont-Typ", "q=Vasquelle"):
        listed = client.get(f"/compte/membres/?{query}").content.decode()
        assert ("claire.dupont@cpam40.fr" in listed) == ("inconnue@exemple.fr" in listed), query
    export = client.get("/compte/membres/export/?format=csv").content.decode("utf-8-sig")
    lines = {
        line.split(";")[2]: line.split(";")[:2] + line.split(";")[3:]
        for line in export.splitlines()[1:]
    }
    assert lines["claire.dupont@cpam40.fr"] == lines["inconnue@exemple.fr"]
    entries = AuditEntry.objects.filter(
        administration=tenant_a.administration,
        target_label__in=["claire.dupont@cpam40.fr", "inconnue@exemple.fr"],
    )
    by_target: dict[str, list] = {}
    for entry in entries:
        by_target.setdefault(entry.target_label, []).append((entry.action, entry.data))
    assert by_target["claire.dupont@cpam40.fr"] == by_target["inconnue@exemple.fr"]
    # What another administration typed never becomes the person's own names.
    other.refresh_from_db()
    assert (other.first_name, other.last_name) == ("Ysolde", "Vasquelle")
    # Once they accept, the administration knows them by their own names.
    membership = Membership.objects.get(user=other, administration=tenant_a.administration)
    person = Client()
    person.force_login(other)
    person.post(f"/compte/invitations/{membership.pk}/reponse/", {"answer": "accept"})
    assert "Ysolde Vasquelle" in client.get("/compte/membres/").content.decode()


def test_an_invitation_is_withdrawn_alike_whether_the_address_had_an_account(tenant_a, other):
    client = Client()
    client.force_login(tenant_a.administrator)
    for email in ("claire.dupont@cpam40.fr", "inconnue@exemple.fr"):
        membership = Membership.objects.get(
            pk=_invite_through_api(tenant_a, email, first_name="Clara")["id"]
        )
        url = f"/compte/membres/{membership.pk}/activation/"
        confirm = client.get(url)
        assert confirm.status_code == 200
        assert 'id="confirm-withdraw"' in confirm.content.decode()
        done = client.post(url, {"active": "0", "confirm": "1"})
        assert done.status_code == 302
        assert not Membership.objects.filter(pk=membership.pk).exists()
        assert AuditEntry.objects.filter(
            administration=tenant_a.administration,
            action="membership.removed",
            target_label=email,
        ).exists()
    # The person's own account elsewhere is untouched.
    assert Membership.objects.get(user=other).is_active


def test_someone_who_already_uses_guichet_accepts_an_invitation_themselves_not_by_signing_in(
    tenant_a,
):
    """A person with a password whose other membership was deleted is no newcomer: an
    invitation (as administrator, say) waits for their own acceptance; signing in does not
    take it."""
    elsewhere = make_administration()
    person = make_member(elsewhere, "agent")
    person.set_password("un-mot-de-passe-solide-42")
    person.save()
    Membership.objects.filter(user=person).delete()
    membership = member_invite(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        email=person.email,
        role="administrator",
        notify=False,
    )
    assert membership.pending and not membership.joins_at_sign_in
    assert Client().login(username=person.email, password="un-mot-de-passe-solide-42")
    membership.refresh_from_db()
    assert membership.pending and not membership.is_active


def test_a_withdrawn_invitation_leaves_no_account_of_a_person_who_never_joined(tenant_a, other):
    """The account an invitation made for a new address kept that address once the invitation
    was withdrawn (by the page's withdrawal, or by deleting the membership)."""
    from accounts.models import User
    from accounts.services import membership_delete

    client = Client()
    client.force_login(tenant_a.administrator)
    first = _invite_through_api(tenant_a, "nouvelle@exemple.fr")
    client.post(f"/compte/membres/{first['id']}/activation/", {"active": "0", "confirm": "1"})
    assert not User.objects.filter(email="nouvelle@exemple.fr").exists()
    second = _invite_through_api(tenant_a, "nouvelle@exemple.fr")
    membership_delete(
        membership=Membership.objects.get(pk=second["id"]), actor=tenant_a.administrator
    )
    assert not User.objects.filter(email="nouvelle@exemple.fr").exists()
    # A third invitation works as the first did: a new account, a new link.
    _invite_through_api(tenant_a, "nouvelle@exemple.fr")
    assert User.objects.filter(email="nouvelle@exemple.fr").exists()
    # The person with an account elsewhere keeps it, and the withdrawal stays in the journal.
    known = _invite_through_api(tenant_a, other.email)
    client.post(f"/compte/membres/{known['id']}/activation/", {"active": "0", "confirm": "1"})
    assert User.objects.filter(pk=other.pk).exists()
    assert (
        AuditEntry.objects.filter(
            administration=tenant_a.administration,
            action="membership.removed",
            target_label="nouvelle@exemple.fr",
        ).count()
        == 2
    )


def test_an_account_waiting_on_another_invitation_or_already_used_is_kept(tenant_a, tenant_b):
    from accounts.models import User

    client = Client()
    client.force_login(tenant_a.administrator)
    mine = _invite_through_api(tenant_a, "deux@exemple.fr")
    _invite_through_api(tenant_b, "deux@exemple.fr")
    client.post(f"/compte/membres/{mine['id']}/activation/", {"active": "0", "confirm": "1"})
    # tenant_b's invitation still waits for the person: their account and link with it.
    assert Membership.objects.filter(user__email="deux@exemple.fr", pending=True).count() == 1
    # Someone who chose a password (the invitation's link) keeps their account.
    again = _invite_through_api(tenant_a, "trois@exemple.fr")
    person = User.objects.get(email="trois@exemple.fr")
    person.set_password("un-mot-de-passe-solide-42")
    person.save()
    client.post(f"/compte/membres/{again['id']}/activation/", {"active": "0", "confirm": "1"})
    assert User.objects.filter(pk=person.pk).exists()


def test_an_account_other_rows_refer_to_is_kept_and_they_with_it(tenant_a, tenant_b):
    """An old member who never signed in (made active before invitations waited) can hold an
    enrolment elsewhere: removing their last membership must not delete it with the account."""
    from accounts.models import Enrolment, User
    from accounts.services import membership_delete

    person = User.objects.create(email="ancien@exemple.fr")
    person.set_unusable_password()
    person.save()
    mine = Membership.objects.create(
        user=person, administration=tenant_a.administration, role=Role.AGENT, is_active=True
    )
    Enrolment.objects.create(user=person, administration=tenant_b.administration)
    membership_delete(membership=mine, actor=tenant_a.administrator)
    assert User.objects.filter(pk=person.pk).exists()
    assert Enrolment.objects.filter(user=person).count() == 1


def test_a_password_chosen_after_the_invitation_is_withdrawn_does_not_bring_the_account_back(
    tenant_a,
):
    """Withdrawn between the form's display and its submission: the link no longer works and
    no account comes back. (Withdrawn in the instant between the link's check and the save, the
    view's lock on the account keeps the save from inserting it again: not timed here.)"""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from accounts.models import User

    invited = _invite_through_api(tenant_a, "retiree@exemple.fr")
    person = User.objects.get(email="retiree@exemple.fr")
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    client = Client()
    form_url = client.get(f"/compte/invitation/{uid}/{token}/", follow=True).redirect_chain[-1][0]
    # Withdrawn between the form's display and its submission.
    admin = Client()
    admin.force_login(tenant_a.administrator)
    admin.post(f"/compte/membres/{invited['id']}/activation/", {"active": "0", "confirm": "1"})
    assert not User.objects.filter(pk=person.pk).exists()
    password = "un-mot-de-passe-solide-42"
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code in (200, 302)
    assert not User.objects.filter(email="retiree@exemple.fr").exists()


def test_withdrawing_a_waiting_invitation_through_the_api_answers_204(tenant_a):
    """The API answered 500: it read the membership back after the withdrawal deleted it."""
    from accounts.models import User

    invited = _invite_through_api(tenant_a, "api-retrait@exemple.fr")
    client = APIClient()
    client.force_login(tenant_a.administrator)
    response = client.patch(f"/api/v1/members/{invited['id']}/", {"is_active": False}, "json")
    assert response.status_code == 204, response.content
    assert not Membership.objects.filter(pk=invited["id"]).exists()
    assert not User.objects.filter(email="api-retrait@exemple.fr").exists()
    assert client.get(f"/api/v1/members/{invited['id']}/").status_code == 404
