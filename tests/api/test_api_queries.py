"""The case list and detail in database queries, by session and by token: the user's
permissions come with the row the middleware (session) or the token's query already reads, so
the API makes no query of its own beyond the rows it shows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from accounts.models import Administration, Membership, User
from accounts.permissions import (
    VIEW_AUDIT,
    administration_perms,
    administration_perms_column,
    quoted_column,
)
from accounts.tokens import api_token_create
from cases import services
from tests.factories import make_case, make_topic

from .conftest import session_client, token_client

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> list[str]:
    assert client.get(url).status_code == 200  # the session's and the token's first writes
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_list_and_detail_queries_by_session_and_by_token(tenant_a, no_throttle):
    topic = make_topic(tenant_a.administration)
    quiet = make_case(tenant_a.administration, topic=topic)
    answered = make_case(tenant_a.administration)
    services.case_take(actor=tenant_a.agent, case=answered)
    services.case_send_reply(actor=tenant_a.agent, case=answered, body="Voici la réponse.")
    _token, key = api_token_create(
        actor=tenant_a.administrator,
        administration=tenant_a.administration,
        name="Lecture",
        scope="read",
    )
    session, token = session_client(tenant_a.agent), token_client(key)
    # Session: the session, the user, the administration with the permissions; then the rows.
    assert len(_queries(session, "/api/v1/cases/?box=all")) == 4
    # Token: the token with its administration, creator and permissions; then the rows.
    assert len(_queries(token, "/api/v1/cases/?box=all")) == 2
    # Detail: the case, its replies (none: one query; some: their files too).
    assert len(_queries(session, f"/api/v1/cases/{quiet.pk}/")) == 5
    assert len(_queries(session, f"/api/v1/cases/{answered.pk}/")) == 6
    assert len(_queries(token, f"/api/v1/cases/{quiet.pk}/")) == 3
    queries = _queries(token, f"/api/v1/cases/{answered.pk}/")
    assert len(queries) == 4
    assert not any("guardian" in sql for sql in queries[1:])  # no permission query of its own


def test_the_permissions_column_answers_what_the_permission_query_answers(
    tenant_a, tenant_b, tenants
):
    tenant_c = tenants[2]
    # A permission granted to the user directly (guardian's other table), and a member who
    # left (no group any more).
    assign_perm(f"accounts.{VIEW_AUDIT}", tenant_a.agent, tenant_a.administration)
    leaver = tenant_b.agent2
    Membership.objects.filter(user=leaver).update(is_active=False)
    leaver.groups.clear()
    users = [
        tenant_a.agent,
        tenant_a.manager,
        tenant_a.administrator,
        tenant_b.administrator,
        leaver,
        tenant_c.agent,
    ]
    administrations = list(Administration.objects.order_by("pk"))
    checked = 0
    for user in users:
        column = administration_perms_column(
            user=user.pk, administration=quoted_column(Administration, "id")
        )
        assert column is not None
        held = dict(
            Administration.objects.annotate(held=column).values_list("pk", "held").order_by("pk")
        )
        for administration in administrations:
            expected = administration_perms(User.objects.get(pk=user.pk), administration)
            value = held[administration.pk]
            assert (frozenset(value.split(",")) if value else frozenset()) == expected
            checked += bool(expected)
    assert checked >= 4
    agent_perms = administration_perms(
        User.objects.get(pk=tenant_a.agent.pk), tenant_a.administration
    )
    assert VIEW_AUDIT in agent_perms
