"""A session ends when the browser closes and after a while without use: counter computers are
shared by agents and usagers."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.middleware import SessionIdleMiddleware
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def _session(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_the_session_cookie_ends_with_the_browser(settings, tenant_a):
    client = Client()
    client.force_login(tenant_a.agent)
    response = client.get("/dossiers/")
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
    assert cookie is None or not cookie["max-age"]


def test_a_use_moves_the_end_of_the_session_but_an_open_case_page_does_not(tenant_a):
    client = Client()
    client.force_login(tenant_a.agent)
    case = make_case(tenant_a.administration)
    assert client.get("/dossiers/").status_code == 200
    session = client.session
    session["_used_at"] = int(time.time()) - SessionIdleMiddleware.TOUCH_SECONDS - 1
    session.save()
    before = _session(client).expire_date
    time.sleep(1.1)
    # The presence of an open case page, polled every 30 s: not a use.
    assert client.get(f"/dossiers/{case.pk}/presence/").status_code == 200
    assert _session(client).expire_date == before
    # A page the agent opens: the session's end moves.
    assert client.get("/dossiers/").status_code == 200
    after = _session(client).expire_date
    assert after > before
    # Again within five minutes: no write.
    assert client.get("/dossiers/").status_code == 200
    assert _session(client).expire_date == after


def test_an_expired_session_signs_the_member_out(settings, tenant_a):
    client = Client()
    client.force_login(tenant_a.agent)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date="2000-01-01T00:00:00Z"
    )
    response = client.get("/dossiers/")
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
