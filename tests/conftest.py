from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts.models import Administration, Role, User
from tests.factories import make_administration, make_member


@dataclass
class Tenant:
    administration: Administration
    agent: User
    agent2: User
    manager: User
    administrator: User


def _tenant(name: str, code: str) -> Tenant:
    administration = make_administration(name, code=code)
    return Tenant(
        administration=administration,
        agent=make_member(administration, Role.AGENT),
        agent2=make_member(administration, Role.AGENT),
        manager=make_member(administration, Role.MANAGER),
        administrator=make_member(administration, Role.ADMINISTRATOR),
    )


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
