"""Schemathesis against our own OpenAPI schema, in process (WSGI), with a token of each role
and of each scope: no 5xx and no response outside the schema, over every operation the URL
conf has (operations added later by other modules are fuzzed without any change here).

Path ids are drawn from the fuzzer *or* from real rows of both administrations, so that the
runs reach existing objects (own and foreign), not only 404s.
"""

from __future__ import annotations

import collections

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import ApiToken, Enrolment, Membership
from accounts.tokens import api_token_create
from tests.factories import make_case, make_topic

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

# (role of the token's creator, scope): a token of each role, and of each scope.
FUZZ_PRINCIPALS = [
    ("agent", "full"),
    ("manager", "full"),
    ("administrator", "full"),
    ("administrator", "read"),
    ("administrator", "intake"),
]

KNOWN_IDS: list[int] = []
CALLS: collections.Counter = collections.Counter()


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not path_parameters or not KNOWN_IDS:
        return st.just(path_parameters)
    real = st.fixed_dictionaries({name: st.sampled_from(KNOWN_IDS) for name in path_parameters})
    return st.one_of(st.just(path_parameters), real)


@pytest.fixture
def keep_connection():
    """Like Django's test client: the WSGI handler must not close the test's connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(tenant_a, tenant_b, vitale_article, no_throttle, keep_connection):
    """Rows of both administrations for the fuzzer to hit, and the tokens it uses."""
    from drafting.models import Suggestion

    for tenant in (tenant_a, tenant_b):
        make_topic(tenant.administration)
        for _n in range(3):
            make_case(tenant.administration)
        make_case(tenant.administration, actor=tenant.agent)
    ids = set()
    for model in (Membership, Enrolment, ApiToken, Suggestion):
        ids.update(model.objects.values_list("pk", flat=True))
    from cases.models import Case, Topic
    from drafting.models import KnowledgeArticle

    for model in (Case, Topic, KnowledgeArticle):
        ids.update(model.objects.values_list("pk", flat=True))
    keys = {}
    for role, scope in FUZZ_PRINCIPALS:
        creator = getattr(tenant_a, role)
        # Tokens are created by administrators through the service; the creator's role is
        # what the token may do, so tokens of agents and managers are made directly.
        if role == "administrator":
            token, key = api_token_create(
                actor=creator, administration=tenant_a.administration, name=scope, scope=scope
            )
        else:
            from accounts.tokens import KEY_START, hash_key

            key = f"{KEY_START}{role[:6]:0<12}_fuzzing-key-of-the-{role}"
            token = ApiToken.objects.create(
                administration=tenant_a.administration,
                name=role,
                scope=scope,
                prefix=f"{role[:6]:0<12}",
                key_hash=hash_key(key),
                created_by=creator,
            )
        keys[(role, scope)] = (token, key)
    # The fuzzer's own tokens and memberships stay out of reach, or it would revoke or
    # deactivate itself on the first hit and test 401s only.
    own = {t.pk for t, _k in keys.values()} | set(
        Membership.objects.filter(
            user__in=[tenant_a.agent, tenant_a.manager, tenant_a.administrator],
            administration=tenant_a.administration,
        ).values_list("pk", flat=True)
    )
    KNOWN_IDS[:] = sorted(ids - own)
    yield keys
    KNOWN_IDS.clear()


@schema.parametrize()
@schema.given(principal=st.sampled_from(FUZZ_PRINCIPALS))
@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, principal, world):
    """Each example is sent with a token drawn among all roles and scopes."""
    _token, key = world[principal]
    CALLS[(case.operation.label, principal)] += 1
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)


def test_every_operation_got_at_least_100_examples_with_every_principal():
    """Runs after the fuzzing above (same module, in order; skipped when run alone)."""
    if not CALLS:
        pytest.skip("the fuzzing test did not run in this session")
    per_operation = collections.Counter()
    principals_seen = collections.defaultdict(set)
    for (label, principal), count in CALLS.items():
        per_operation[label] += count
        principals_seen[label].add(principal)
    low = {label: n for label, n in per_operation.items() if n < 100}
    assert not low, low
    partial = {
        label: seen for label, seen in principals_seen.items() if len(seen) < len(FUZZ_PRINCIPALS)
    }
    assert not partial, partial
