"""A new administration's home page: the administrator is told the first steps, each ticked
from what the data says, until the required ones are done; agents never see them."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

from accounts import services as account_services
from accounts.models import Membership, Role
from drafting.experiment.getting_started import getting_started_steps
from drafting.experiment.services import experiment_start
from drafting.knowledge.services import article_write
from tests.factories import make_administration, make_member, make_volunteer

pytestmark = pytest.mark.django_db


def home(user) -> str:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return unescape(response.content.decode())


def step_state(html: str, key: str) -> str:
    match = re.search(rf'<li[^>]*id="step-{key}".*?</li>', html, flags=re.S)
    assert match, f"step {key} is not listed"
    for state in ("Done", "Optional", "To do"):
        if f">{state}</p>" in match.group(0):
            return state
    raise AssertionError(f"step {key} has no state")


def test_a_new_administrations_first_administrator_is_told_what_to_do_first():
    administration = make_administration("Maison départementale de l'autonomie", code="MDA07")
    administrator = make_member(administration, Role.ADMINISTRATOR)

    html = home(administrator)

    assert 'id="getting-started"' in html
    keys = re.findall(r'id="step-(\w+)"', html)
    assert keys == ["members", "signature", "knowledge", "mailbox", "volunteers", "experiment"]
    assert all(step_state(html, key) == "To do" for key in keys if key != "mailbox")
    assert step_state(html, "mailbox") == "Optional"
    assert 'href="/compte/membres/"' in html and 'href="/brouillons/connaissances/"' in html


def test_each_step_is_ticked_from_the_data_and_the_list_goes_once_the_required_ones_are_done():
    administration = make_administration(code="MDA26")
    administrator = make_member(administration, Role.ADMINISTRATOR)

    agent = make_member(administration, Role.AGENT)
    html = home(administrator)
    assert step_state(html, "members") == "Done"
    assert step_state(html, "signature") == "To do"

    administration.signature = "MDA de la Drôme\n04 75 00 00 00"
    administration.save(update_fields=["signature"])
    article_write(
        actor=administrator,
        administration=administration,
        title="Carte mobilité inclusion",
        body="La carte se demande à la MDPH avec le formulaire Cerfa et un certificat médical.",
    )
    make_volunteer(agent, administration)
    html = home(administrator)
    for key in ("signature", "knowledge", "volunteers"):
        assert step_state(html, key) == "Done", key
    assert step_state(html, "experiment") == "To do"

    # The mailbox is optional: the list goes without it.
    experiment_start(actor=administrator, administration=administration, assisted_share="0.5")
    assert 'id="getting-started"' not in home(administrator)


def test_a_step_undone_later_is_to_do_again():
    administration = make_administration(code="MDA38")
    administrator = make_member(administration, Role.ADMINISTRATOR)
    agent = make_member(administration, Role.AGENT)
    membership = Membership.objects.get(user=agent, administration=administration)
    assert next(s for s in getting_started_steps(administration) if s.key == "members").done

    account_services.membership_set_active(membership=membership, active=False, actor=administrator)

    assert not next(s for s in getting_started_steps(administration) if s.key == "members").done


def test_agents_and_managers_do_not_see_the_first_steps():
    administration = make_administration(code="MDA42")
    make_member(administration, Role.ADMINISTRATOR)
    for role in (Role.AGENT, Role.MANAGER):
        assert 'id="getting-started"' not in home(make_member(administration, role))


def test_national_fiches_are_enough_knowledge_for_the_drafts(vitale_article):
    administration = make_administration(code="MDA69")
    assert next(s for s in getting_started_steps(administration) if s.key == "knowledge").done
