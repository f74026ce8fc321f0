"""Every routed view declares its access rule (ARCHITECTURE §3, "one door"), and the rule holds.

The walk goes through every URL pattern of ``config.urls`` (includes too) and reads each
view's rule with ``accounts.access.rule_of``. A view without one fails the test: declare it
with ``@public(reason=...)``, ``@signed_in``, ``@requires(...)``, ``@national_staff`` (pages)
or an ``access_rule`` class attribute (class-based and API views).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from accounts.access import AccessRule, national_staff, rule_of
from accounts.models import AuditEntry, Membership
from accounts.permissions import (
    MANAGE_EXPERIMENT,
    MANAGE_MEMBERS,
    MANAGE_SETTINGS,
    VIEW_AUDIT,
    VIEW_CASES,
    VIEW_DASHBOARD,
    WORK_CASES,
)
from accounts.services import audit_record
from tests.factories import UserFactory

PERMISSIONS = {
    VIEW_CASES,
    WORK_CASES,
    VIEW_DASHBOARD,
    MANAGE_MEMBERS,
    MANAGE_SETTINGS,
    MANAGE_EXPERIMENT,
    VIEW_AUDIT,
    "assign_cases",
}

# Django's own views, routed as they come, each excluded by name with the reason it needs no
# rule of ours. Nothing of the product belongs here.
EXCLUDED_NAMESPACES = {
    # admin.site.urls (with guardian's object-permission pages and Django's redirects): the
    # admin site checks is_staff and its model permissions itself; its write path is the
    # business of tests/test_consistency.py.
    "admin": "the Django admin checks staff status and model permissions itself",
}
EXCLUDED_MODULES = {
    # Language switch and translation catalogue: no data, the same for everyone.
    "django.views.i18n": "language switch and JavaScript translation catalogue (no data)",
    # Static files, routed only with DEBUG.
    "django.contrib.staticfiles.views": "static files in development (DEBUG only)",
    "django.views.static": "static files in development (DEBUG only)",
}


def _walk(patterns, prefix: str = "", namespaces: tuple[str, ...] = ()):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            if set(inner) & set(EXCLUDED_NAMESPACES):
                continue
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def _module_of(callback) -> str:
    klass = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if klass is not None:
        return klass.__module__
    return getattr(callback, "__module__", "")


def routed_views():
    return list(_walk(get_resolver().url_patterns))


def _label(route: str, pattern: URLPattern) -> str:
    return f"/{route} ({pattern.name or pattern.lookup_str})"


def test_every_url_declares_its_access_rule():
    missing = [
        _label(route, pattern)
        for route, pattern in routed_views()
        if rule_of(pattern.callback) is None
        and _module_of(pattern.callback) not in EXCLUDED_MODULES
    ]
    assert not missing, "Views without an access rule (accounts.access):\n" + "\n".join(
        sorted(missing)
    )


def test_the_walk_sees_the_whole_url_conf():
    routes = {route for route, _pattern in routed_views()}
    for expected in ("compte/membres/", "api/v1/members/", "oidc/callback/", "api/schema/"):
        assert expected in routes
    assert not any(route.startswith("admin/") for route in routes)  # excluded by namespace
    for expected in ("i18n/setlang/", "jsi18n/"):
        assert expected in routes
    assert len(routes) > 60


def test_every_declared_rule_is_well_formed():
    """A permission rule names a real permission; public ones say why."""
    wrong = []
    for route, pattern in routed_views():
        rule = rule_of(pattern.callback)
        if rule is None:
            continue
        assert isinstance(rule, AccessRule)
        perms = {rule.perm, *rule.per_method.values()} - {None}
        if rule.kind == "permission" and (not perms or perms - PERMISSIONS):
            wrong.append(f"{_label(route, pattern)}: {rule}")
        if rule.kind != "permission" and (rule.perm or rule.per_method):
            wrong.append(f"{_label(route, pattern)}: a {rule.kind} rule names a permission")
        if rule.kind == "public" and not rule.reason:
            wrong.append(f"{_label(route, pattern)}: public without a reason")
    assert not wrong, "\n".join(wrong)


def test_the_exclusions_are_still_needed():
    used = {_module_of(pattern.callback) for _route, pattern in routed_views()}
    # Static files are routed with DEBUG only; every other exclusion must match a view.
    stale = (
        set(EXCLUDED_MODULES) - used - {"django.contrib.staticfiles.views", "django.views.static"}
    )
    assert not stale, stale


# --- the rules are enforced ---------------------------------------------------------------------
# A sample of each kind: (URL, method, rule kind) of accounts and config views.


def _rule_at(path: str) -> AccessRule | None:
    return rule_of(resolve(path).func)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/compte/connexion/", "public"),
        ("/compte/mot-de-passe/oubli/", "public"),
        ("/api/schema/", "public"),
        ("/compte/profil/", "signed_in"),
        ("/compte/administration/", "signed_in"),
        ("/compte/gestion/", "member"),
        ("/compte/membres/", "permission"),
        ("/compte/jetons/", "permission"),
        ("/compte/journal/", "permission"),
        ("/api/v1/members/", "permission"),
        ("/api/v1/audit/", "permission"),
    ],
)
def test_sample_views_declare_the_expected_kind(path, kind):
    rule = _rule_at(path)
    assert rule is not None and rule.kind == kind, rule


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/compte/connexion/", "/compte/mot-de-passe/oubli/", "/api/schema/"]
)
def test_public_views_open_to_anonymous_visitors(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/compte/profil/",
        "/compte/gestion/",
        "/compte/membres/",
        "/compte/volontaires/",
        "/compte/jetons/",
        "/compte/journal/",
        "/compte/journal/export.csv",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/members/", "/api/v1/enrolments/", "/api/v1/tokens/", "/api/v1/audit/"]
)
def test_anonymous_api_calls_get_401(client, path):
    assert client.get(path).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/compte/membres/",
        "/compte/membres/import/",
        "/compte/volontaires/",
        "/compte/jetons/",
        "/compte/journal/",
        "/compte/journal/export.csv",
        "/api/v1/members/",
        "/api/v1/enrolments/",
        "/api/v1/tokens/",
        "/api/v1/audit/",
    ],
)
def test_an_agent_on_an_administrators_page_gets_403(client, tenant_a, path):
    client.force_login(tenant_a.agent)
    assert client.get(path).status_code == 403


@pytest.mark.django_db
def test_a_member_rule_lets_members_in_and_signed_in_strangers_out(client, tenant_a):
    stranger = UserFactory()
    client.force_login(stranger)
    assert client.get("/compte/profil/").status_code == 200  # signed_in
    assert client.get("/compte/gestion/").status_code == 403  # member: no administration
    client.force_login(tenant_a.administrator)
    assert client.get("/compte/gestion/").status_code == 200


@pytest.mark.django_db
def test_tenant_first_rules_answer_404_across_administrations_before_403(
    client, tenant_a, tenant_b
):
    """An agent naming another administration's object gets 404 (not there), and 403 on their
    own administration's (not allowed)."""
    theirs = Membership.objects.filter(administration=tenant_b.administration).first()
    ours = Membership.objects.filter(administration=tenant_a.administration).first()
    entry = audit_record(
        administration=tenant_b.administration,
        actor=None,
        category=AuditEntry.Category.MEMBERSHIP,
        action="membership.added",
    )
    client.force_login(tenant_a.agent)
    assert client.get(f"/api/v1/members/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/members/{ours.pk}/").status_code == 403
    assert client.get(f"/api/v1/audit/{entry.pk}/").status_code == 404
    other = tenant_b.administration.pk
    assert client.get("/compte/journal/", {"administration": other}).status_code == 404
    assert client.get("/compte/journal/").status_code == 403


@pytest.mark.django_db
def test_national_staff_pass_permission_rules(client, tenant_a):
    staff = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(staff)
    assert client.get("/compte/journal/").status_code == 200
    assert client.get("/api/v1/audit/").status_code == 200


@pytest.mark.django_db
def test_a_national_staff_rule_refuses_everyone_else(tenant_a):
    @national_staff
    def page(request):
        return HttpResponse("ok")

    assert rule_of(page).kind == "national"
    request = RequestFactory().get("/national/")
    request.user = AnonymousUser()
    assert page(request).status_code == 302
    request.user = tenant_a.administrator
    request.administration = tenant_a.administration
    with pytest.raises(PermissionDenied):
        page(request)
    request.user = UserFactory(is_superuser=True, is_staff=True)
    assert page(request).status_code == 200
