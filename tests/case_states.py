"""Helpers for the case tests: bring a case to a status through the services, and take
snapshots of what a refused call must leave untouched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accounts.models import Administration, Role, User
from cases import services
from cases.models import Case, CaseEvent, InternalNote, Reply, Status
from tests.factories import make_administration, make_case, make_member, make_volunteer

REPLY_TEXT = "Madame, Monsieur, votre dossier a été traité. Cordialement."


@dataclass
class Office:
    """One administration and its staff (same shape as the ``tenants`` fixture's items)."""

    administration: Administration
    agent: User
    agent2: User
    manager: User
    administrator: User


def make_office(name: str = "", code: str = "") -> Office:
    administration = make_administration(name, code=code)
    office = Office(
        administration=administration,
        agent=make_member(administration, Role.AGENT),
        agent2=make_member(administration, Role.AGENT),
        manager=make_member(administration, Role.MANAGER),
        administrator=make_member(administration, Role.ADMINISTRATOR),
    )
    # Agents and the manager volunteered (drafts are shown to them); the administrator did not.
    for user in (office.agent, office.agent2, office.manager):
        make_volunteer(user, administration)
    return office


def fresh(user: User) -> User:
    """The same user re-read, without the permission answers cached on the object."""
    return User.objects.get(pk=user.pk)


def bring_to(status: str, tenant, *, other_administration=None) -> Case:
    """A case of ``tenant`` in ``status``, reached through the services only.

    Working statuses are held by ``tenant.agent``; a transferred case went to
    ``other_administration``.
    """
    case = make_case(tenant.administration)
    if status == Status.NEW:
        return case
    agent = tenant.agent
    case = services.case_take(actor=agent, case=case)
    if status == Status.ASSIGNED:
        return case
    if status == Status.IN_PROGRESS:
        return services.case_transition(actor=agent, case=case, action="start")
    if status == Status.AWAITING_USAGER:
        return services.case_transition(actor=agent, case=case, action="await_usager")
    if status == Status.ANSWERED:
        services.case_send_reply(actor=agent, case=case, body=REPLY_TEXT)
        return Case.objects.get(pk=case.pk)
    if status == Status.CLOSED:
        return services.case_transition(actor=agent, case=case, action="close")
    if status == Status.TRANSFERRED:
        assert other_administration is not None, "a transfer needs a target administration"
        return services.case_transfer(
            actor=agent,
            case=case,
            target_administration=other_administration,
            reason="Relève de la compétence d'un autre organisme.",
        )
    raise AssertionError(f"unknown status {status}")


def row(case: Case) -> dict[str, Any]:
    """Every column of the case as stored now."""
    return Case.objects.filter(pk=case.pk).values().get()


def counts() -> dict[str, int]:
    return {
        "cases": Case.objects.count(),
        "events": CaseEvent.objects.count(),
        "notes": InternalNote.objects.count(),
        "replies": Reply.objects.count(),
    }


def snapshot(case: Case) -> tuple[dict[str, Any], dict[str, int]]:
    return row(case), counts()
