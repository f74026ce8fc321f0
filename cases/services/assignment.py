"""Who works a case: a manager assigns it, an agent takes it from the queue."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Administration, Membership, User
from accounts.permissions import WORK_CASES, has_administration_perm
from accounts.selectors import member_of

from ..models import Case, CaseEvent, Status
from ..permissions import Ability, require_ability
from .common import bump, check_version, invalid, lock_case, require_transition
from .journal import case_event_record


def _assignee_check(administration: Administration, assignee: User) -> None:
    membership = Membership.objects.filter(
        user=assignee, administration=administration, is_active=True
    ).first()
    if membership is None and member_of(administration, assignee.pk) is None:
        # Not a member here: the administration learns nothing of who the person is.
        raise invalid("assignee", _("Not an active member here."), "invalid_assignee")
    if membership is None or not has_administration_perm(assignee, WORK_CASES, administration):
        raise invalid(
            "assignee",
            _("%(name)s is not an active agent of this administration.") % {"name": assignee},
            "invalid_assignee",
        )


@transaction.atomic
def case_assign(
    *, actor: User, case: Case, assignee: User, expected_version: int | None = None
) -> Case:
    """A manager gives the case to an agent (or takes it back from one)."""
    case = lock_case(case, actor)
    require_ability(actor, case, Ability.ASSIGN)
    check_version(case, expected_version)
    target = require_transition(case, "assign")
    _assignee_check(case.administration, assignee)
    if case.assignee_id == assignee.pk:
        raise invalid("assignee", _("The case is already assigned to this person."), "unchanged")
    previous = case.assignee
    from_status = case.status
    case.assignee = assignee
    case.status = target
    case.assigned_at = timezone.now()
    case.first_opened_at = None  # handling time is measured for the agent who answers
    bump(case, ["assignee", "status", "assigned_at", "first_opened_at"])
    case_event_record(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.ASSIGNED,
        from_status=from_status,
        to_status=target,
        data={
            "assignee_id": assignee.pk,
            "assignee": str(assignee),
            "previous_assignee": str(previous) if previous else "",
        },
    )
    return case


@transaction.atomic
def case_take(*, actor: User, case: Case) -> Case:
    """An agent takes an unassigned case from the queue."""
    case = lock_case(case, actor)
    require_ability(actor, case, Ability.TAKE)
    if case.status != Status.NEW or case.assignee_id is not None:
        holder = case.assignee
        raise invalid(
            "assignee",
            _("This case is no longer in the queue (taken by %(name)s).") % {"name": holder}
            if holder
            else _("This case is no longer in the queue."),
            "already_taken",
        )
    case.assignee = actor
    case.status = Status.ASSIGNED
    case.assigned_at = timezone.now()
    case.first_opened_at = None
    bump(case, ["assignee", "status", "assigned_at", "first_opened_at"])
    case_event_record(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.TAKEN,
        from_status=Status.NEW,
        to_status=Status.ASSIGNED,
    )
    return case


def case_give(
    *, actor: User, case: Case, assignee: User, expected_version: int | None = None
) -> Case:
    """The one path of "this case to this person", for the case page and the API alike:
    choosing oneself for a case nobody holds is taking it from the queue (``case_take``);
    anything else is a manager's assignment (``case_assign``)."""
    if assignee.pk == actor.pk and case.assignee_id is None:
        return case_take(actor=actor, case=case)
    return case_assign(actor=actor, case=case, assignee=assignee, expected_version=expected_version)
