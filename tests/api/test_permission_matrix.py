"""The permission matrix of the API, generated from the URL conf.

Every pattern under /api/v1/ × every method its view answers × every principal (anonymous,
agent, manager, administrator of the administration, administrator of another
administration, a token of each scope) × {an object of the principal's administration, an
object of another administration}: the expected status each time, 404 across
administrations, and the tables unchanged after every refused write.

An endpoint added to the URL conf without a rule in RULES fails
``test_every_api_endpoint_has_a_rule``: write its rule here (who may call it, a valid payload,
how to make an object of each administration).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import SAFE_METHODS

from accounts.models import ApiToken, AuditEntry, Membership
from accounts.services import consent_publish, enrolment_request
from accounts.tokens import api_token_create
from cases import services as case_services
from drafting.answers.models import BankAnswer
from drafting.knowledge import ArticleData
from drafting.knowledge.services import article_upsert
from drafting.models import Suggestion
from tests.factories import make_case, make_member, make_topic

from .conftest import PRINCIPALS, make_principals

pytestmark = pytest.mark.django_db

API_PREFIX = "api/v1/"
AGENT_UP = frozenset({"agent", "manager", "administrator"})
MANAGER_UP = frozenset({"manager", "administrator"})
ADMINISTRATOR = frozenset({"administrator"})


# --- the endpoints, from the URL conf ----------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    route: str  # e.g. "api/v1/cases/<int:pk>/notes/"
    name: str
    view_class: type
    methods: tuple[str, ...]


def _walk(patterns, prefix: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def api_endpoints() -> list[Endpoint]:
    endpoints = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith(API_PREFIX):
            continue
        view_class = getattr(pattern.callback, "view_class", None) or getattr(
            pattern.callback, "cls", None
        )
        methods = tuple(
            m
            for m in ("get", "post", "put", "patch", "delete")
            if view_class is not None and hasattr(view_class, m)
        )
        endpoints.append(Endpoint(route, pattern.name or route, view_class, methods))
    return endpoints


# --- the expectations -------------------------------------------------------------------------


@dataclass
class Rule:
    """Who may call one endpoint with one method, and how to call it well.

    ``roles``: the roles (of the session user, or of the token's creator) that succeed on an
    object of their own administration; the others get 403. ``status``: the success status.
    ``role_status``: a different answer for some allowed-looking roles (e.g. drafts are only
    shown to volunteers). ``obj``: builds the URL kwargs of an object of a given tenant (None
    for collection endpoints). ``payload``: a valid body, given the world and the acting user.
    """

    roles: frozenset[str]
    status: int = 200
    obj: Callable[[Any, str], dict] | None = None
    payload: Callable[[Any, Any], dict] | None = None
    role_status: dict[str, int] = field(default_factory=dict)
    # Channel intake: tokens only; signed-in people get 403 whatever their role.
    tokens_only: bool = False
    # Creating tokens, inviting and changing members: signed-in people only; a token gets 403
    # whatever its scope.
    sessions_only: bool = False


def _case(attr):
    return lambda world, side: {"pk": getattr(world[side], attr).pk}


def _case_id(attr):
    return lambda world, side: {"case_id": getattr(world[side], attr).pk}


def _attr(attr):
    return lambda world, side: {"pk": getattr(world[side], attr).pk}


RULES: dict[tuple[str, str], Rule] = {
    # cases
    ("api-cases", "get"): Rule(AGENT_UP),
    ("api-cases", "post"): Rule(
        AGENT_UP,
        201,
        payload=lambda w, u: {"channel": "email", "subject": "Permis", "body": "Bonjour"},
    ),
    ("api-case", "get"): Rule(AGENT_UP, obj=_case("queued")),
    ("api-case-events", "get"): Rule(AGENT_UP, obj=_case("queued")),
    # Taking an unassigned case (your own id): any role that works cases.
    ("api-case-assign", "post"): Rule(
        AGENT_UP, obj=_case("queued"), payload=lambda w, u: {"assignee": u.pk if u else 1}
    ),
    # Closing a case nobody has taken is for managers.
    ("api-case-transition", "post"): Rule(
        MANAGER_UP, obj=_case("queued"), payload=lambda w, u: {"action": "close"}
    ),
    ("api-case-notes", "get"): Rule(AGENT_UP, obj=_case("queued")),
    ("api-case-notes", "post"): Rule(
        AGENT_UP, 201, obj=_case("queued"), payload=lambda w, u: {"body": "Rappeler lundi."}
    ),
    # The case is the agent's: the agent, and roles that act on colleagues' cases.
    ("api-case-reply", "post"): Rule(
        AGENT_UP, obj=_case("drafted"), payload=lambda w, u: {"body": "Voici la réponse."}
    ),
    # The answer given at the counter or on the phone: the reply's rule (same service).
    ("api-case-answer-given", "post"): Rule(
        AGENT_UP,
        obj=_case("drafted"),
        payload=lambda w, u: {"body": "Réponse donnée au guichet.", "given": "counter"},
    ),
    ("api-topics", "get"): Rule(AGENT_UP),
    # drafting
    ("api-case-suggestion", "get"): Rule(
        AGENT_UP, obj=_case_id("drafted"), role_status={"administrator": 404}
    ),
    # Drafts are written for volunteers only (the administrator is not one): refused, 403.
    ("api-case-suggestion", "post"): Rule(
        AGENT_UP, 202, obj=_case_id("drafted"), role_status={"administrator": 403}
    ),
    ("api-suggestion-shown", "post"): Rule(
        AGENT_UP, obj=_attr("suggestion"), role_status={"administrator": 403}
    ),
    ("api-suggestion-discard", "post"): Rule(
        AGENT_UP,
        obj=_attr("suggestion"),
        payload=lambda w, u: {"reason": "wrong"},
        role_status={"administrator": 403},
    ),
    ("api-articles", "get"): Rule(AGENT_UP),
    ("api-article", "get"): Rule(AGENT_UP, obj=_attr("article")),
    # administration
    ("api-members", "get"): Rule(ADMINISTRATOR),
    # Members, like tokens, are granted by a person signed in (a revoked key leaves none).
    ("api-members", "post"): Rule(
        ADMINISTRATOR,
        201,
        payload=lambda w, u: {"email": "nouvelle.recrue@example.gouv.fr", "role": "agent"},
        sessions_only=True,
    ),
    ("api-member", "get"): Rule(ADMINISTRATOR, obj=_attr("membership")),
    ("api-member", "patch"): Rule(
        ADMINISTRATOR,
        obj=_attr("membership"),
        payload=lambda w, u: {"team": "Accueil"},
        sessions_only=True,
    ),
    ("api-enrolments", "get"): Rule(ADMINISTRATOR),
    ("api-enrolment-decision", "post"): Rule(
        ADMINISTRATOR, obj=_attr("enrolment"), payload=lambda w, u: {"approve": False}
    ),
    ("api-tokens", "get"): Rule(ADMINISTRATOR),
    ("api-tokens", "post"): Rule(
        ADMINISTRATOR,
        201,
        payload=lambda w, u: {"name": "CRM", "scope": "read"},
        sessions_only=True,
    ),
    ("api-token-revoke", "post"): Rule(ADMINISTRATOR, obj=_attr("token")),
    ("api-audit", "get"): Rule(ADMINISTRATOR),
    ("api-audit-entry", "get"): Rule(ADMINISTRATOR, obj=_attr("audit_entry")),
}

# Managers' figures (issue 6).
RULES.update(
    {
        ("api-dashboard-workload", "get"): Rule(MANAGER_UP),
        ("api-impact", "get"): Rule(MANAGER_UP),
        # Administrators' settings, topics, experiment and knowledge (issue 5).
        ("api-administration-settings", "get"): Rule(ADMINISTRATOR),
        ("api-administration-settings", "put"): Rule(
            ADMINISTRATOR,
            payload=lambda w, u: {
                "signature": "Le service",
                "closing": "Cordialement,",
                "response_deadlines": [{"channel": "email", "days": 9}],
            },
        ),
        ("api-administration-settings", "patch"): Rule(
            ADMINISTRATOR, payload=lambda w, u: {"closing": "Bien cordialement,"}
        ),
        ("api-administration-topics", "get"): Rule(ADMINISTRATOR),
        ("api-administration-topics", "post"): Rule(
            ADMINISTRATOR, 201, payload=lambda w, u: {"name": "Rendez-vous"}
        ),
        ("api-administration-topic", "get"): Rule(ADMINISTRATOR, obj=_attr("topic")),
        ("api-administration-topic", "patch"): Rule(
            ADMINISTRATOR, obj=_attr("topic"), payload=lambda w, u: {"name": "Accueil (RDV)"}
        ),
        ("api-experiment", "get"): Rule(ADMINISTRATOR),
        ("api-experiment", "post"): Rule(
            ADMINISTRATOR, 201, payload=lambda w, u: {"assisted_percent": 40, "backend": "offline"}
        ),
        # Nothing is running in the world: stopping is refused with a 400 even when allowed.
        ("api-experiment-stop", "post"): Rule(ADMINISTRATOR, 400),
        ("api-knowledge-articles", "get"): Rule(ADMINISTRATOR),
        ("api-knowledge-articles", "post"): Rule(
            ADMINISTRATOR,
            201,
            payload=lambda w, u: {"title": "Horaires", "body": "Ouvert du lundi au vendredi."},
        ),
        ("api-knowledge-article", "get"): Rule(ADMINISTRATOR, obj=_attr("article")),
        ("api-knowledge-article", "patch"): Rule(
            ADMINISTRATOR, obj=_attr("article"), payload=lambda w, u: {"title": "Horaires (été)"}
        ),
        # The import takes multipart files: a JSON body is refused with a 415 even when allowed
        # (nothing written).
        ("api-knowledge-import", "post"): Rule(ADMINISTRATOR, 415),
        # The answer bank (drafting/answers/api.py).
        ("api-answers", "get"): Rule(AGENT_UP),
        ("api-answers", "post"): Rule(
            AGENT_UP,
            201,
            payload=lambda w, u: {"question": "Horaires ?", "answer": "De 9 h à 17 h."},
        ),
        ("api-answer", "get"): Rule(AGENT_UP, obj=_attr("bank_answer")),
        ("api-answer", "patch"): Rule(
            MANAGER_UP, obj=_attr("bank_answer"), payload=lambda w, u: {"answer": "De 8 h à 18 h."}
        ),
        ("api-answer", "delete"): Rule(MANAGER_UP, obj=_attr("bank_answer")),
    }
)

# Channel intake (cases/intake/api.py): tokens of scope intake or full; the payload's id is
# the idempotency key when the header is absent.
_INTAKE_PAYLOADS = {
    "intake-services-publics-plus": {
        "id": "exp-1",
        "title": "Accueil",
        "description": "Très bon accueil.",
        "structure": {"name": "CAF"},
        "author": {"first_name": "Léa", "last_name": "Durand", "email": "lea@example.org"},
    },
    "intake-service-public": {
        "id": "q-1",
        "subject": "Carte d'identité",
        "question": "Dois-je prendre rendez-vous ?",
        "usager": {"last_name": "Durand", "email": "lea@example.org"},
    },
    "intake-france-services": {
        "id": "fs-1",
        "site": {"name": "France Services de Guéret"},
        "conseiller": {"last_name": "Bernard"},
        "usager": {"last_name": "Petit"},
        "demarche": {"label": "Retraite"},
        "notes": "Pas de réponse depuis mars.",
        "consent": True,
    },
}
for _name, _payload in _INTAKE_PAYLOADS.items():
    RULES[(_name, "post")] = Rule(
        ADMINISTRATOR, 201, payload=lambda w, u, p=_payload: p, tokens_only=True
    )


# --- the world: two administrations with one object of each kind -------------------------------


@dataclass
class Side:
    administration: Any
    queued: Any  # a new case nobody has taken
    drafted: Any  # a case assigned to the agent, with a ready draft
    suggestion: Any
    article: Any
    membership: Any
    enrolment: Any
    token: Any
    topic: Any
    audit_entry: Any
    bank_answer: Any


def _side(tenant, code: str, capture) -> Side:
    administration = tenant.administration
    queued = make_case(administration, subject="Dans la file")
    with capture(execute=True):  # the draft is made after the case's commit
        drafted = make_case(administration)
    drafted = case_services.case_take(actor=tenant.agent, case=drafted)
    suggestion = Suggestion.objects.filter(case=drafted).order_by("-sequence").first()
    assert suggestion is not None and suggestion.status == Suggestion.Status.READY
    article_upsert(
        data=ArticleData(
            external_id=f"LOCAL-{code}",
            title=f"Fiche locale {code}",
            body="Horaires d'ouverture de l'accueil.",
            source_format="manual",
            passages=[(f"Fiche locale {code}", "Horaires d'ouverture de l'accueil.")],
        ),
        administration=administration,
    )
    from drafting.models import KnowledgeArticle

    candidate = make_member(administration, "agent")
    consent = consent_publish(administration=administration, text="J'accepte.")
    enrolment = enrolment_request(actor=candidate, administration=administration, consent=consent)
    token, _key = api_token_create(
        actor=tenant.administrator, administration=administration, name="Autre", scope="read"
    )
    return Side(
        administration=administration,
        queued=queued,
        drafted=drafted,
        suggestion=suggestion,
        article=KnowledgeArticle.objects.get(administration=administration),
        membership=Membership.objects.get(user=tenant.agent2, administration=administration),
        enrolment=enrolment,
        token=token,
        topic=make_topic(administration, name=f"Thème {code}"),
        audit_entry=AuditEntry.objects.filter(administration=administration).latest("pk"),
        bank_answer=BankAnswer.objects.create(
            administration=administration, kind="model", question="Horaires ?", answer="9 h."
        ),
    )


@pytest.fixture
def world(tenant_a, tenant_b, vitale_article, no_throttle, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    return {"A": _side(tenant_a, "A", capture), "B": _side(tenant_b, "B", capture)}


# --- table snapshots --------------------------------------------------------------------------

# Columns a refused request may still write: a token's last use is recorded on authentication.
_VOLATILE = {("accounts", "apitoken"): {"last_used_at"}, ("accounts", "user"): {"last_login"}}


def _tables():
    """(label, table, columns, order) of every table of our apps, their M2M tables included."""
    from django.db import connection

    quote = connection.ops.quote_name
    for app in ("accounts", "cases", "drafting", "auth", "guardian"):
        for model in apps.get_app_config(app).get_models():
            models = [model] + [
                m2m.remote_field.through
                for m2m in model._meta.many_to_many
                if m2m.remote_field.through._meta.auto_created
            ]
            for table_model in models:
                opts = table_model._meta
                skip = _VOLATILE.get((opts.app_label, opts.model_name), set())
                columns = [quote(f.column) for f in opts.concrete_fields if f.attname not in skip]
                yield opts.label, quote(opts.db_table), columns, quote(opts.pk.column)


def snapshot() -> dict[str, str]:
    """A digest of every row of every table, computed by PostgreSQL (one query per table)."""
    from django.db import connection

    digests = {}
    with connection.cursor() as cursor:
        for label, table, columns, pk in _tables():
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(ROW({', '.join(columns)})::text, "  # noqa: S608
                f"'|' ORDER BY {pk}), '')) FROM {table}"
            )
            digests[label] = "{}:{}".format(*cursor.fetchone())
    return digests


# --- the expected status ----------------------------------------------------------------------


def scope_allows(scope: str, view_class: type, method: str) -> bool:
    """Mirror of TokenScope, written out: what each scope may call."""
    required = getattr(view_class, "required_scope", None)
    if scope == ApiToken.Scope.FULL:
        return True
    if required == ApiToken.Scope.INTAKE:
        return scope == ApiToken.Scope.INTAKE
    if required == ApiToken.Scope.FULL:
        return False
    return scope == ApiToken.Scope.READ and method.upper() in SAFE_METHODS


PRINCIPAL_ROLE = {
    "agent": "agent",
    "manager": "manager",
    "administrator": "administrator",
    "other_administrator": "administrator",
    "token_read": "administrator",
    "token_intake": "administrator",
    "token_full": "administrator",
}


def expected_status(rule: Rule, endpoint: Endpoint, method: str, principal: str, side) -> int:
    if principal == "anonymous":
        return 401
    if principal.startswith("token_") and not scope_allows(
        principal.removeprefix("token_"), endpoint.view_class, method
    ):
        return 403
    if rule.tokens_only and not principal.startswith("token_"):
        return 403
    if rule.sessions_only and principal.startswith("token_"):
        return 403
    home = "B" if principal == "other_administrator" else "A"
    if side is not None and side != home:
        return 404
    role = PRINCIPAL_ROLE[principal]
    if role not in rule.roles:
        return 403
    return rule.role_status.get(role, rule.status)


def url_for(endpoint: Endpoint, kwargs: dict) -> str:
    url = "/" + endpoint.route
    for name, value in kwargs.items():
        for converter in ("int", "str", "slug", "uuid", "path", ""):
            token = f"<{converter}:{name}>" if converter else f"<{name}>"
            url = url.replace(token, str(value))
    assert "<" not in url, f"unfilled parameter in {url}"
    return url


# --- the tests --------------------------------------------------------------------------------

# Rights requests and the retention period (issue 17): administrators, their administration's
# usagers only (the search is tenant-scoped; no object in the URL).
RULES.update(
    {
        ("api-rights-export", "post"): Rule(
            ADMINISTRATOR, payload=lambda w, u: {"identifier": "camille.martin@example.org"}
        ),
        ("api-rights-erase", "post"): Rule(
            ADMINISTRATOR,
            payload=lambda w, u: {"identifier": "personne@example.org", "reason": "Demande"},
        ),
        ("api-administration-retention", "get"): Rule(ADMINISTRATOR),
        ("api-administration-retention", "put"): Rule(
            ADMINISTRATOR, payload=lambda w, u: {"closed_case_days": 365}
        ),
    }
)

ENDPOINTS = api_endpoints()
CALLS = [(e, m) for e in ENDPOINTS for m in e.methods]


def test_every_api_endpoint_has_a_rule():
    missing = [f"{m.upper()} /{e.route} ({e.name})" for e, m in CALLS if (e.name, m) not in RULES]
    assert not missing, "No permission rule for: " + ", ".join(missing)
    assert len(CALLS) >= len(RULES) > 20


def test_no_stale_rules():
    live = {(e.name, m) for e, m in CALLS}
    assert not set(RULES) - live, set(RULES) - live


class Rollback(Exception):
    pass


@pytest.mark.parametrize(("endpoint", "method"), CALLS, ids=lambda v: getattr(v, "name", v))
def test_permission_matrix(endpoint, method, world, tenant_a, tenant_b):
    rule = RULES.get((endpoint.name, method))
    if rule is None:
        pytest.fail(f"No permission rule for {method.upper()} /{endpoint.route}")
    principals = make_principals(tenant_a, tenant_b)
    sides = ["A", "B"] if rule.obj is not None else [None]
    failures = []
    for name in PRINCIPALS:
        principal = principals[name]
        for side in sides:
            url = url_for(endpoint, rule.obj(world, side) if side else {})
            payload = rule.payload(world, principal.user) if rule.payload else {}
            expected = expected_status(rule, endpoint, method, name, side)
            before = snapshot() if method != "get" else None
            try:
                with transaction.atomic():
                    call = getattr(principal.client, method)
                    response = call(url) if method == "get" else call(url, payload, format="json")
                    refused_write = method != "get" and response.status_code >= 400
                    if refused_write:
                        after = snapshot()
                    raise Rollback
            except Rollback:
                pass
            label = f"{name} {method.upper()} {url} (object of {side or '-'})"
            if response.status_code != expected:
                failures.append(f"{label}: {response.status_code}, expected {expected}")
                continue
            if response.status_code >= 400:
                body = response.json()
                if set(body) != {"detail", "code", "fields"}:
                    failures.append(f"{label}: error body {body}")
            if refused_write and after != before:
                changed = [t for t in before if before[t] != after.get(t)]
                failures.append(f"{label}: refused but wrote to {changed}")
    assert not failures, "\n".join(failures)


def test_matrix_covers_every_principal_and_both_sides():
    assert set(PRINCIPAL_ROLE) | {"anonymous"} == set(PRINCIPALS)
    assert any(rule.obj is not None for rule in RULES.values())


def test_snapshot_sees_a_write(world):
    """The snapshot is not blind: a note added shows as a change."""
    before = snapshot()
    case_services.case_add_note(
        actor=world["A"].drafted.assignee, case=world["A"].drafted, body="Vu."
    )
    assert snapshot() != before
