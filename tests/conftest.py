from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.models import Administration, Role, User
from drafting.knowledge import ArticleData
from drafting.knowledge.services import article_upsert
from tests.factories import make_administration, make_member, make_volunteer


@dataclass
class Tenant:
    administration: Administration
    agent: User
    agent2: User
    manager: User
    administrator: User


def _tenant(name: str, code: str) -> Tenant:
    administration = make_administration(name, code=code)
    tenant = Tenant(
        administration=administration,
        agent=make_member(administration, Role.AGENT),
        agent2=make_member(administration, Role.AGENT),
        manager=make_member(administration, Role.MANAGER),
        administrator=make_member(administration, Role.ADMINISTRATOR),
    )
    # Agents and the manager volunteered (drafts are shown to them); the administrator did not.
    for user in (tenant.agent, tenant.agent2, tenant.manager):
        make_volunteer(user, administration)
    return tenant


@pytest.fixture
def tenants(db) -> tuple[Tenant, Tenant, Tenant]:
    """Three administrations, each with two agents, a manager and an administrator."""
    return (
        _tenant("Caisse d'allocations familiales du Rhône", "CAF69"),
        _tenant("Caisse primaire d'assurance maladie de Gironde", "CPAM33"),
        _tenant("France Services de Guéret", "FSGUERET"),
    )


@pytest.fixture
def tenant_a(tenants) -> Tenant:
    return tenants[0]


@pytest.fixture
def tenant_b(tenants) -> Tenant:
    return tenants[1]


@pytest.fixture
def vitale_article(db):
    """A national fiche the drafts can cite."""
    return article_upsert(
        data=ArticleData(
            external_id="TEST-VITALE",
            title="Carte Vitale perdue ou volée",
            body="",
            source_format="markdown",
            source_url="https://guichet.example.gouv.fr/fiches/TEST-VITALE",
            topic_slug="sante",
            passages=[
                (
                    "Carte Vitale perdue ou volée",
                    "Si vous avez perdu votre carte Vitale, déclarez la perte sur votre compte "
                    "ameli puis commandez une nouvelle carte. Vos droits restent ouverts.",
                ),
                (
                    "Carte Vitale perdue ou volée › Délai",
                    "La nouvelle carte Vitale arrive en général sous deux à trois semaines. "
                    "En attendant, demandez une attestation de droits.",
                ),
            ],
        ),
        administration=None,
    )


@pytest.fixture
def fast_retries(settings):
    settings.DRAFTING_RETRY_INITIAL_WAIT = 0.01
    settings.DRAFTING_RETRY_MAX_WAIT = 0.02
    return settings


@pytest.fixture(autouse=True)
def _empty_cache():
    """Presence hints and cached counts never leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language: a request with another Accept-Language
    leaves its language active in the thread (LocaleMiddleware does not deactivate it), and
    texts made outside a request (an intake's notes, a command's output) followed it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database is created and migrated by its owner; the tests then run as the
    application's restricted role (tests/db_roles.py, deploy/postgres/roles.sql)."""
    from tests.db_roles import switch_back_to_owner, switch_to_app_role

    with django_db_blocker.unblock():
        switch_to_app_role()
    yield
    with django_db_blocker.unblock():
        switch_back_to_owner()
