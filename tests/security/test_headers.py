"""Every response carries the Content-Security-Policy and the Permissions-Policy, and every HTML
page keeps to the policy: inline scripts and styles carry the request's nonce, no inline event
handler, no style attribute, no javascript: URL.

The walk goes through every routed URL (tests/test_access_rules.py's walk) as each role: an
anonymous visitor, an agent, a manager, an administrator and national staff. Integer parameters
get a real case's id (other objects answer 404, which must carry the headers too).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.factories import UserFactory, make_case
from tests.test_access_rules import routed_views

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


class _Inline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._open: tuple[str, dict[str, str | None]] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attributes.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> (inline handler)")
            if name == "style":
                self.problems.append(f"<{tag} style=...> (style attribute)")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:...>")
        if tag in ("script", "style"):
            self.tags.append((tag, attributes))


def _url(route: str, case_pk: int) -> str:
    def fill(match: re.Match) -> str:
        converter = match.group(1) or "str"
        return str(case_pk) if converter == "int" else "x"

    return "/" + PARAMETER.sub(fill, route)


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def _check_page(url: str, response) -> list[str]:
    problems = []
    policy = _policy(response)
    if not policy:
        return [f"{url}: no Content-Security-Policy"]
    if "Permissions-Policy" not in response.headers:
        problems.append(f"{url}: no Permissions-Policy")
    for directive in ("script-src", "style-src"):
        if "'unsafe-inline'" in policy.get(directive, []) or "'unsafe-eval'" in policy.get(
            directive, []
        ):
            problems.append(f"{url}: {directive} allows unsafe-inline/eval")
    if policy.get("frame-ancestors") != ["'none'"] or policy.get("object-src") != ["'none'"]:
        problems.append(f"{url}: frame-ancestors/object-src not 'none'")
    content_type = response.headers.get("Content-Type", "")
    if response.status_code != 200 or not content_type.startswith("text/html"):
        return problems
    nonces = [
        s[len("'nonce-") : -1] for s in policy.get("script-src", []) if s.startswith("'nonce-")
    ]
    parser = _Inline()
    parser.feed(response.content.decode())
    problems += [f"{url}: {p}" for p in parser.problems]
    for tag, attributes in parser.tags:
        if tag == "script" and attributes.get("src"):
            continue  # from our origin ('self')
        if tag == "script" and (attributes.get("type") or "") == "application/json":
            continue  # a data block (json_script): never executed, outside the CSP
        if not nonces or attributes.get("nonce") != nonces[0]:
            problems.append(f"{url}: inline <{tag}> without the request's nonce")
    return problems


@pytest.fixture
def principals(tenant_a):
    staff = UserFactory(is_superuser=True, is_staff=True)
    return {
        "anonymous": None,
        "agent": tenant_a.agent,
        "manager": tenant_a.manager,
        "administrator": tenant_a.administrator,
        "national staff": staff,
    }


def test_every_page_of_every_role_carries_the_policies(principals, tenant_a):
    case = make_case(tenant_a.administration)
    routes = sorted({route for route, _pattern in routed_views()})
    problems: list[str] = []
    pages = {}
    for role, user in principals.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        html = 0
        for route in routes:
            url = _url(route, case.pk)
            response = client.get(url, REMOTE_ADDR="192.0.2.1")
            problems += [f"[{role}] {p}" for p in _check_page(url, response)]
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                html += 1
        pages[role] = html
    assert not problems, "\n".join(problems)
    # The walk did reach the pages (not only refusals): each signed-in role sees many.
    assert pages["anonymous"] >= 3
    assert pages["agent"] >= 8 and pages["administrator"] >= 12 and pages["national staff"] >= 12
    print("HTML pages checked per role:", pages)


def _nonce(response) -> str:
    return next(
        s[len("'nonce-") : -1] for s in _policy(response)["script-src"] if s.startswith("'nonce-")
    )


def test_a_page_with_inline_code_gets_a_fresh_nonce_each_time(db):
    """The API documentation page has an inline script and style: they carry the nonce that
    the header names, a new one each request ({{ request.csp_nonce }} puts it in the header)."""
    first, second = Client().get("/api/docs/"), Client().get("/api/docs/")
    assert _nonce(first) != _nonce(second)
    text = first.content.decode()
    assert f'<style nonce="{_nonce(first)}">' in text
    assert f'<script nonce="{_nonce(first)}">' in text


def test_a_page_without_inline_code_allows_none(db):
    """The DSFR and our scripts are files of our origin: no nonce, no inline code at all."""
    response = Client().get("/compte/connexion/")
    assert _policy(response)["script-src"] == ["'self'"]
    assert _policy(response)["style-src"] == ["'self'"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_api_errors_carry_the_policies_too(db):
    response = Client().get("/api/v1/cases/")
    assert response.status_code == 401
    assert "Content-Security-Policy" in response and "Permissions-Policy" in response
