""" "Mot de passe oublié" must not tell who has an account, by its words nor by its time.

Django's view sends the mail inside the request, to known addresses only: with a real SMTP
server, the answer for an agent's address came an SMTP round trip later than for an unknown
one (tens to hundreds of milliseconds), enough to list the agents of an administration. The
request now writes a follow-up and the worker sends the mail.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.followups.models import FollowUp
from accounts.followups.registry import followup_run
from accounts.tasks import RESET_LINK_MAIL
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RESET = "/compte/mot-de-passe/oubli/"
NEW_PASSWORD = "Nouveau-mot-de-passe-2026"


@pytest.fixture
def agent(db):
    return UserFactory(email="agent@caf.fr", password="Ancien-mot-de-passe-2026")


def _ask(email: str, address: str = "192.0.2.50"):
    return Client().post(RESET, {"email": email}, REMOTE_ADDR=address)


def test_the_request_sends_no_mail_itself_known_address_or_not(
    agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        known = _ask("agent@caf.fr")
        unknown = _ask("personne@caf.fr", address="192.0.2.51")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/compte/mot-de-passe/oubli/envoye/"
    # Nothing left during either request: the mail is the worker's. Both requests did the same
    # work (one follow-up each): the time of the answer tells nothing either.
    assert mail.outbox == []
    assert FollowUp.objects.filter(kind=RESET_LINK_MAIL).count() == 2
    for followup in FollowUp.objects.filter(kind=RESET_LINK_MAIL):
        followup_run(followup_id=followup.pk)
    assert [sent.to for sent in mail.outbox] == [["agent@caf.fr"]]


def test_the_worker_sends_a_link_that_sets_the_password(agent, settings):
    settings.SITE_URL = "https://guichet.example.gouv.fr"
    _ask("Agent@CAF.fr")
    followup = FollowUp.objects.get(kind=RESET_LINK_MAIL)
    assert followup.payload["email"] == "Agent@CAF.fr"
    assert followup_run(followup_id=followup.pk)[0] == "done"
    (sent,) = mail.outbox
    assert sent.to == ["agent@caf.fr"]
    assert "guichet.example.gouv.fr" in sent.subject
    link = re.search(r"https://guichet\.example\.gouv\.fr(/compte/mot-de-passe/\S+)", sent.body)
    assert link, sent.body
    client = Client()
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password(NEW_PASSWORD)


def test_an_account_deactivated_before_the_worker_runs_gets_nothing(agent):
    _ask("agent@caf.fr")
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    followup = FollowUp.objects.get(kind=RESET_LINK_MAIL)
    assert followup_run(followup_id=followup.pk)[0] == "done"
    assert mail.outbox == []


def test_a_forged_host_header_does_not_make_the_link(agent, settings):
    """The link is built on SITE_URL: a Host header an attacker sets (where ALLOWED_HOSTS is
    wide, behind a proxy) cannot send the victim's token to the attacker's site."""
    settings.SITE_URL = "https://guichet.example.gouv.fr"
    settings.ALLOWED_HOSTS = ["*"]
    Client().post(RESET, {"email": "agent@caf.fr"}, REMOTE_ADDR="192.0.2.52", HTTP_HOST="evil.test")
    followup_run(followup_id=FollowUp.objects.get(kind=RESET_LINK_MAIL).pk)
    (sent,) = mail.outbox
    assert "evil.test" not in sent.body and "evil.test" not in sent.subject


def test_the_reset_mail_goes_to_the_mail_queue():
    from config.celery import app

    assert app.amqp.router.route({}, f"followup.{RESET_LINK_MAIL}")["queue"].name == "mail"


def test_the_link_keeps_the_path_guichet_is_served_under(agent, settings):
    settings.SITE_URL = "https://services.example.gouv.fr/guichet/"
    _ask("agent@caf.fr")
    followup_run(followup_id=FollowUp.objects.get(kind=RESET_LINK_MAIL).pk)
    (sent,) = mail.outbox
    assert "https://services.example.gouv.fr/guichet/compte/mot-de-passe/" in sent.body


def test_a_follow_up_written_by_the_previous_version_is_still_sent(agent):
    """Rows queued before an upgrade name the account rather than the address."""
    from accounts.followups.registry import followup_add

    followup = followup_add(kind=RESET_LINK_MAIL, user_id=agent.pk, language="fr")
    assert followup_run(followup_id=followup.pk)[0] == "done"
    assert [sent.to for sent in mail.outbox] == [["agent@caf.fr"]]
