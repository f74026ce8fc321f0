"""Guessing passwords: sign-in and password-reset limits per account and per client address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from accounts.followups.models import FollowUp
from accounts.models import Role
from accounts.tasks import RESET_LINK_MAIL
from tests.factories import make_administration, make_member

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-solide-2026"
LOGIN = "/compte/connexion/"
RESET = "/compte/mot-de-passe/oubli/"


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    return settings


@pytest.fixture
def agent(db):
    return make_member(make_administration(), Role.AGENT, email="agent@caf.fr")


def _sign_in(client: Client, email: str, password: str, address: str = "192.0.2.10"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_account_is_locked_after_the_limit_then_unlocked_after_the_cool_off(limits, agent):
    client = Client()
    statuses = [_sign_in(client, "agent@caf.fr", "wrong-password").status_code for _ in range(3)]
    # The failure that reaches the limit is answered with the lockout already.
    assert statuses == [200, 200, 429] and not _signed_in(client)
    # The right password, from another address and in another case, is refused now.
    locked = _sign_in(Client(), "Agent@CAF.fr", PASSWORD, address="198.51.100.7")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert 'id="signin-locked"' in text
    assert "Trop de tentatives de connexion" in text and "15 minutes" in text
    assert int(locked["Retry-After"]) == 15 * 60

    # The cool-off passes (the failures are now older than it): the right password works.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    fresh = Client()
    response = _sign_in(fresh, "agent@caf.fr", PASSWORD, address="198.51.100.7")
    assert response.status_code == 302 and _signed_in(fresh)


def test_an_address_guessing_many_accounts_is_locked(limits, agent):
    client = Client()
    for n in range(3):
        _sign_in(client, f"inconnu{n}@caf.fr", "wrong-password", address="203.0.113.5")
    # A real account from that address is refused, the same account elsewhere is not.
    assert _sign_in(Client(), "agent@caf.fr", PASSWORD, address="203.0.113.5").status_code == 429
    other = Client()
    assert _sign_in(other, "agent@caf.fr", PASSWORD, address="203.0.113.6").status_code == 302
    assert _signed_in(other)


def _locked_in_french(response) -> bool:
    text = response.content.decode()
    return (
        response.status_code == 429
        and 'id="signin-locked"' in text
        and "Trop de tentatives de connexion" in text
        and "15 minutes" in text
    )


def test_the_account_and_the_address_are_counted_separately(settings):
    # Either counter locks: a pair (account, address) would be one nested item.
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_wrong_passwords_on_one_account_from_many_addresses_lock_the_account(limits, agent):
    for n in range(3):  # one failure from each address: no address reaches the limit
        _sign_in(Client(), "agent@caf.fr", "wrong-password", address=f"198.51.100.{n + 1}")
    # The right password, from yet another address, is refused with the French message.
    locked = _sign_in(Client(), "agent@caf.fr", PASSWORD, address="198.51.100.200")
    assert _locked_in_french(locked)
    # The addresses themselves are not locked: another account signs in from them.
    colleague = make_member(make_administration(), Role.AGENT, email="collegue@caf.fr")
    other = Client()
    assert _sign_in(other, colleague.email, PASSWORD, address="198.51.100.1").status_code == 302


def test_one_address_trying_many_accounts_is_locked_for_every_account(limits, agent):
    for n in range(3):  # one failure on each account: no account reaches the limit
        _sign_in(Client(), f"essai{n}@caf.fr", "wrong-password", address="203.0.113.80")
    locked = _sign_in(Client(), "agent@caf.fr", PASSWORD, address="203.0.113.80")
    assert _locked_in_french(locked)
    # The account itself is not locked: from another address it signs in.
    elsewhere = Client()
    assert _sign_in(elsewhere, "agent@caf.fr", PASSWORD, address="203.0.113.81").status_code == 302
    assert _signed_in(elsewhere)


def test_a_locked_unknown_account_answers_like_a_known_one(limits, agent):
    for email in ("agent@caf.fr", "personne@caf.fr"):
        for n in range(3):
            _sign_in(Client(), email, "wrong", address=f"192.0.2.{n + 20}")
    known = _sign_in(Client(), "agent@caf.fr", "wrong", address="192.0.2.99")
    unknown = _sign_in(Client(), "personne@caf.fr", "wrong", address="192.0.2.98")
    assert known.status_code == unknown.status_code == 429


def test_a_success_resets_the_account_counter(limits, agent):
    client = Client()
    for _n in range(2):
        _sign_in(client, "agent@caf.fr", "wrong")
    assert _sign_in(client, "agent@caf.fr", PASSWORD).status_code == 302
    client.logout()
    for _n in range(2):
        assert _sign_in(client, "agent@caf.fr", "wrong").status_code == 200
    assert _sign_in(client, "agent@caf.fr", PASSWORD).status_code == 302


def test_signing_in_to_ones_own_account_does_not_forgive_guesses_on_another(limits, agent):
    """Guess a colleague's password up to the limit, sign in to one's own account from the same
    address, guess again: the colleague's account locks all the same."""
    colleague = make_member(agent.memberships.get().administration, Role.AGENT, email="b@caf.fr")
    address = "192.0.2.50"
    for _n in range(2):
        _sign_in(Client(), colleague.email, "wrong", address=address)
    own = Client()
    assert _sign_in(own, "agent@caf.fr", PASSWORD, address="192.0.2.51").status_code == 302
    assert _sign_in(Client(), "agent@caf.fr", PASSWORD, address=address).status_code == 302
    assert AccessAttempt.objects.filter(username=colleague.email).exists()
    _sign_in(Client(), colleague.email, "wrong", address="192.0.2.52")
    locked = _sign_in(Client(), colleague.email, PASSWORD, address="192.0.2.53")
    assert _locked_in_french(locked)


def test_the_admin_sign_in_is_locked_too(limits, agent):
    client = Client()
    for _n in range(3):
        client.post(
            "/admin/login/",
            {"username": "agent@caf.fr", "password": "wrong"},
            REMOTE_ADDR="192.0.2.50",
        )
    response = client.post(
        "/admin/login/",
        {"username": "agent@caf.fr", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.50",
    )
    assert response.status_code == 429


def test_a_forwarded_address_is_believed_only_from_a_trusted_proxy(limits, agent, settings):
    # Without a trusted proxy, X-Forwarded-For is the client's own writing: changing it does
    # not escape the address lock.
    for n in range(3):
        Client().post(
            LOGIN,
            {"username": f"x{n}@caf.fr", "password": "wrong"},
            REMOTE_ADDR="192.0.2.77",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}",
        )
    spoofed = Client().post(
        LOGIN,
        {"username": "agent@caf.fr", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.77",
        HTTP_X_FORWARDED_FOR="10.9.9.200",
    )
    assert spoofed.status_code == 429
    # Behind a trusted proxy, each client behind it has its own count.
    settings.TRUSTED_PROXIES = ["192.0.2.77/32"]
    behind = Client()
    response = behind.post(
        LOGIN,
        {"username": "agent@caf.fr", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.77",
        HTTP_X_FORWARDED_FOR="10.9.9.200",
    )
    assert response.status_code == 302 and _signed_in(behind)


def test_password_reset_requests_are_limited_per_email_and_per_address(settings, agent):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 2
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 4
    client = Client()
    for _n in range(2):
        response = client.post(RESET, {"email": "agent@caf.fr"}, REMOTE_ADDR="192.0.2.30")
        assert response.status_code == 302
    # Each accepted request leaves its mail to the worker (test_password_reset_mail.py).
    resets = FollowUp.objects.filter(kind=RESET_LINK_MAIL)
    assert resets.count() == 2
    limited = client.post(RESET, {"email": "agent@caf.fr"}, REMOTE_ADDR="192.0.2.31")
    assert limited.status_code == 429
    assert "Trop de demandes de réinitialisation" in limited.content.decode()
    assert resets.count() == 2
    # An unknown address is answered the same way (nothing disclosed by the limit).
    for _n in range(2):
        client.post(RESET, {"email": "personne@caf.fr"}, REMOTE_ADDR="192.0.2.32")
    assert (
        client.post(RESET, {"email": "personne@caf.fr"}, REMOTE_ADDR="192.0.2.33").status_code
        == 429
    )
    # Per address: a fifth request from one address, whatever the e-mail, is refused.
    for n in range(4):
        client.post(RESET, {"email": f"a{n}@caf.fr"}, REMOTE_ADDR="192.0.2.40")
    assert client.post(RESET, {"email": "b@caf.fr"}, REMOTE_ADDR="192.0.2.40").status_code == 429


def test_the_address_is_not_case_sensitive_and_a_failure_says_so_plainly(agent):
    """Addresses are stored lower-case: any case signs in. A failure says which fields, in
    plain French, without Django's claim that they are case-sensitive."""
    failed = _sign_in(Client(), "agent@caf.fr", "wrong-password")
    text = failed.content.decode()
    assert "Adresse électronique ou mot de passe incorrect." in text
    assert "sensible à la casse" not in text
    client = Client()
    assert _sign_in(client, "  Agent@CAF.fr ", PASSWORD).status_code == 302 and _signed_in(client)
