"""The case policy: what this user may do with this case (ARCHITECTURE §3).

One answer for the case page (which buttons show), the API and the services (which refuse):
``case_abilities(user, case)`` is what is offered *now* (the role, the assignment and the
case's state allow it); ``require_ability(user, case, ability)`` is the services' check of the
*person* (their role and the assignment), raising ``PermissionDenied`` with the reason. A
request refused for the case's *state* (closed, already taken, stale version) is the services'
``ValidationError``, as before: the person may act, the case is not in a state for it.

Roles come from ``accounts.permissions`` (held on the administration row, per role), the
states from ``cases.transitions``.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.permissions import ASSIGN_CASES, VIEW_CASES, WORK_CASES, has_administration_perm

from .models import Case, Status
from .transitions import TRANSITIONS

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


class Ability(enum.StrEnum):
    """What one may do with a case. The lifecycle abilities carry the name of their action in
    ``cases.transitions.TRANSITIONS``."""

    VIEW = "view"
    TAKE = "take"  # from the queue, for oneself
    ASSIGN = "assign"  # to anyone (managers)
    RELEASE = "release"
    START = "start"
    AWAIT_USAGER = "await_usager"
    RESUME = "resume"
    CLOSE = "close"
    REOPEN = "reopen"
    REPLY = "answer"
    NOTE = "note"
    TRANSFER = "transfer"
    RETRY_DELIVERY = "retry_delivery"


# The abilities reached through ``case_transition`` (the generic lifecycle actions).
STATUS_ABILITIES: tuple[Ability, ...] = tuple(
    Ability(name) for name, transition in TRANSITIONS.items() if transition.generic
)


def ability_for_action(action: str) -> Ability | None:
    """The ability of a lifecycle action (``"close"``, ``"answer"``...), None if unknown."""
    try:
        return Ability(action)
    except ValueError:
        return None


def _refusal(user: User | AnonymousUser, case: Case, ability: Ability) -> str | None:
    """Why the *person* may not do ``ability`` on ``case`` (None: they may)."""
    administration = case.administration

    def holds(perm: str) -> bool:
        return has_administration_perm(user, perm, administration)

    if ability is Ability.VIEW:
        return None if holds(VIEW_CASES) else _("Your role does not allow this.")
    if ability is Ability.ASSIGN:
        return None if holds(ASSIGN_CASES) else _("Only managers assign cases to others.")
    if ability is Ability.RETRY_DELIVERY:
        return None if holds(ASSIGN_CASES) else _("Only managers send a failed delivery again.")
    if ability is Ability.CLOSE and case.status == Status.NEW:
        # An unassigned case is closed (duplicate, spam...) by a manager only.
        if holds(ASSIGN_CASES):
            return None
        return _("Only managers close a case that nobody has taken.")
    if not holds(WORK_CASES):
        return _("Your role does not allow working on cases.")
    if ability in (Ability.TAKE, Ability.NOTE):
        return None
    # The working abilities: agents act on the cases assigned to them, managers on any case.
    if case.assignee_id != user.pk and not holds(ASSIGN_CASES):
        return _("This case is assigned to someone else.")
    return None


def _state_allows(case: Case, ability: Ability) -> bool:
    """Whether the case's state allows ``ability`` (whoever asks)."""
    if ability in (Ability.VIEW, Ability.NOTE, Ability.RETRY_DELIVERY):
        return True
    if ability is Ability.TAKE:
        return case.status == Status.NEW and case.assignee_id is None
    return case.status in TRANSITIONS[ability.value].sources


def may(user: User | AnonymousUser, case: Case, ability: Ability) -> bool:
    """Whether the person may do ``ability`` on ``case`` (the case's state aside)."""
    return _refusal(user, case, ability) is None


def case_abilities(user: User | AnonymousUser, case: Case) -> frozenset[Ability]:
    """What ``user`` may do with ``case`` now: their role and the case's state allow it."""
    if not may(user, case, Ability.VIEW):
        return frozenset()
    return frozenset(
        ability
        for ability in Ability
        if _state_allows(case, ability) and _refusal(user, case, ability) is None
    )


def require_ability(user: User | AnonymousUser, case: Case, ability: Ability) -> None:
    """``PermissionDenied`` (with the reason) unless the person may do ``ability`` on ``case``."""
    reason = _refusal(user, case, ability)
    if reason is not None:
        raise PermissionDenied(reason)


__all__ = [
    "STATUS_ABILITIES",
    "Ability",
    "ability_for_action",
    "case_abilities",
    "may",
    "require_ability",
]
