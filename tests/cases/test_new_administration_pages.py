"""Pages as a brand-new administration meets them: the first one on Guichet, nobody in it yet,
an agent invited to the experiment who lands on the home page."""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client

from accounts import services as account_services
from accounts.models import Membership, Role
from tests.factories import make_administration, make_case, make_member

pytestmark = pytest.mark.django_db


def page(user, url: str) -> str:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_the_only_administration_on_guichet_says_a_case_cannot_be_transferred():
    administration = make_administration(code="MDPH26")
    agent = make_member(administration, Role.AGENT)
    case = make_case(administration)
    client = Client(headers={"accept-language": "en"})
    client.force_login(agent)
    client.post(f"/dossiers/{case.pk}/prendre/")

    html = page(agent, f"/dossiers/{case.pk}/")

    assert 'id="transfer-none"' in html
    assert "No other administration works on Guichet yet" in html
    assert 'name="target"' not in html


def test_the_transfer_form_comes_back_once_another_administration_exists():
    administration = make_administration(code="MDPH26")
    agent = make_member(administration, Role.AGENT)
    case = make_case(administration)
    client = Client(headers={"accept-language": "en"})
    client.force_login(agent)
    client.post(f"/dossiers/{case.pk}/prendre/")
    make_administration("Caisse d'allocations familiales de la Drôme", code="CAF26")

    html = page(agent, f"/dossiers/{case.pk}/")

    assert 'id="transfer-none"' not in html
    assert "Caisse d'allocations familiales de la Drôme" in html and 'name="target"' in html


def test_an_agent_invited_to_the_experiment_is_told_on_the_home_page():
    administration = make_administration(code="MDPH26")
    administrator = make_member(administration, Role.ADMINISTRATOR)
    agent = make_member(administration, Role.AGENT)
    account_services.consent_publish(administration=administration, text="J'accepte.")
    assert 'id="volunteer-invitation"' not in page(agent, "/")

    account_services.enrolment_invite(
        actor=administrator,
        membership=Membership.objects.get(user=agent, administration=administration),
        cohort="vague 1",
    )

    html = page(agent, "/")
    assert 'id="volunteer-invitation"' in html
    assert 'href="/compte/profil/#experiment-title"' in html


def test_an_empty_member_list_says_to_invite_not_that_nothing_matches():
    administration = make_administration(code="MDPH26")
    superuser = make_member(administration, Role.ADMINISTRATOR)
    # National staff set up a new administration before anyone is in it.
    Membership.objects.filter(user=superuser).delete()
    superuser.is_superuser = True
    superuser.is_staff = True
    superuser.save(update_fields=["is_superuser", "is_staff"])

    html = page(superuser, "/compte/membres/")
    assert 'id="members-empty"' in html and "Nobody is a member yet" in html

    html = page(superuser, "/compte/membres/?q=nobody")
    assert "No member matches." in html
