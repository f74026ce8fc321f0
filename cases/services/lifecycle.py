"""The case lifecycle: opening a case, the generic status changes (start, wait, resume,
release, close, reopen), the agent's first opening, and putting a leaving member's cases back
in the queue.

Errors (every case service): ``Case.DoesNotExist`` when the actor may not see the case (callers
answer 404, as for a case that does not exist), ``PermissionDenied`` when they see it but the
case policy (cases/permissions.py) refuses them the action (403), ``ValidationError`` (with the
field at fault) for bad input or a wrong state.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Administration, User
from accounts.permissions import WORK_CASES, has_administration_perm

from .. import signals
from ..models import (
    DEFAULT_RESPONSE_DAYS,
    Case,
    CaseEvent,
    Channel,
    Priority,
    ReferenceCounter,
    ResponseDeadline,
    Status,
    Topic,
)
from ..permissions import Ability, require_ability
from ..text import one_line, phone_number
from ..transitions import TRANSITIONS
from .common import bump, check_version, clean_text, invalid, lock_case, require_transition
from .journal import case_event_record, case_events_record_many


def response_days(administration: Administration, channel: str) -> int:
    configured = (
        ResponseDeadline.objects.filter(administration=administration, channel=channel)
        .values_list("days", flat=True)
        .first()
    )
    return configured or DEFAULT_RESPONSE_DAYS[Channel(channel)]


def _next_reference(administration: Administration, year: int) -> str:
    counter, _created = ReferenceCounter.objects.get_or_create(
        administration=administration, year=year
    )
    # The UPDATE takes the row lock, so concurrent creations get distinct numbers.
    ReferenceCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{administration.code}-{year}-{counter.last:06d}"


@transaction.atomic
def case_create(
    *,
    actor: User | None,
    administration: Administration,
    channel: str,
    subject: str,
    body: str,
    usager_name: str = "",
    usager_email: str = "",
    usager_phone: str = "",
    topic: Topic | None = None,
    priority: int = Priority.NORMAL,
    created_at: dt.datetime | None = None,
    transferred_from: Case | None = None,
) -> Case:
    """Open a case. ``actor`` is None for system intake (channels, transfers)."""
    if actor is not None and not has_administration_perm(actor, WORK_CASES, administration):
        raise PermissionDenied(_("Your role does not allow creating cases here."))
    if channel not in Channel.values:
        raise invalid(
            "channel", _("Unknown channel “%(value)s”.") % {"value": channel}, "invalid_choice"
        )
    if priority not in Priority.values:
        raise invalid("priority", _("Unknown priority."), "invalid_choice")
    if topic is not None and topic.administration_id not in (None, administration.pk):
        raise invalid("topic", _("This topic belongs to another administration."), "invalid_choice")
    # Every channel's subject, on one line: it becomes the subject of the replies' mails.
    subject = clean_text(one_line(subject), "subject", max_length=300)
    body = clean_text(body, "body")
    created_at = created_at or timezone.now()
    case = Case(
        administration=administration,
        channel=channel,
        subject=subject,
        body=body,
        usager_name=one_line(usager_name),  # a name is one line (it goes in mails)
        usager_email=usager_email.strip().lower(),
        usager_phone=phone_number(usager_phone),
        topic=topic,
        priority=priority,
        created_at=created_at,
        due_at=created_at + dt.timedelta(days=response_days(administration, channel)),
        transferred_from=transferred_from,
        reference="pending",
    )
    case.full_clean(exclude=["reference"], validate_unique=False)
    case.reference = _next_reference(administration, timezone.localtime(created_at).year)
    case.save()
    case_event_record(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.CREATED,
        to_status=Status.NEW,
        data={"channel": channel},
    )
    # Inside the transaction: receivers write the follow-ups with the change (cases/signals.py).
    signals.case_created.send(
        sender=Case,
        case_id=case.pk,
        administration_id=administration.pk,
    )
    return case


_EVENT_FOR_ACTION = {
    "release": CaseEvent.Kind.RELEASED,
    "close": CaseEvent.Kind.CLOSED,
    "reopen": CaseEvent.Kind.REOPENED,
}


@transaction.atomic
def case_transition(
    *,
    actor: User,
    case: Case,
    action: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """Apply one of the generic lifecycle actions (see cases/transitions.py)."""
    transition = TRANSITIONS.get(action)
    if transition is None or not transition.generic:
        raise invalid(
            "action", _("Unknown action “%(action)s”.") % {"action": action}, "invalid_choice"
        )
    case = lock_case(case, actor)
    require_ability(actor, case, Ability(action))  # every generic action is an ability
    check_version(case, expected_version)
    target = require_transition(case, action)
    from_status = case.status
    fields = ["status"]
    now = timezone.now()
    case.status = target
    if action == "release":
        case.assignee = None
        case.assigned_at = None
        case.first_opened_at = None
        fields += ["assignee", "assigned_at", "first_opened_at"]
    elif action == "close":
        case.closed_at = now
        fields.append("closed_at")
    elif action == "reopen":
        case.closed_at = None
        fields.append("closed_at")
        if case.assignee_id is None:
            case.assignee = actor
            case.assigned_at = now
            fields += ["assignee", "assigned_at"]
    bump(case, fields)
    case_event_record(
        case=case,
        actor=actor,
        kind=_EVENT_FOR_ACTION.get(action, CaseEvent.Kind.STATUS_CHANGED),
        from_status=from_status,
        to_status=target,
        data={"action": action, "reason": reason.strip()},
    )
    return case


@transaction.atomic
def case_mark_opened(*, actor: User, case: Case) -> Case:
    """Record the first time the assigned agent opens the case (start of handling time)."""
    case = lock_case(case, actor)
    if case.assignee_id != actor.pk or case.first_opened_at is not None:
        return case
    case.first_opened_at = timezone.now()
    case.save(update_fields=["first_opened_at"])
    case_event_record(case=case, actor=actor, kind=CaseEvent.Kind.OPENED)
    transaction.on_commit(
        partial(signals.case_opened.send, sender=Case, case_id=case.pk, actor_id=actor.pk)
    )
    return case


@transaction.atomic
def cases_release_of_member(
    *, administration_id: int, user_id: int, actor: User | None, reason: str
) -> int:
    """Put a member's working cases back in the queue (they left or were deactivated).

    One journal line per case; answered and closed cases keep their agent (they are history).
    Returns the number of cases released.
    """
    working = [Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_USAGER]
    cases = list(
        Case.objects.select_for_update()
        .filter(administration_id=administration_id, assignee_id=user_id, status__in=working)
        .order_by("pk")
    )
    if not cases:
        return 0
    now = timezone.now()
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(
        status=Status.NEW,
        assignee=None,
        assigned_at=None,
        first_opened_at=None,
        version=F("version") + 1,
        updated_at=now,
    )
    case_events_record_many(
        cases=cases,
        actor=actor,
        kind=CaseEvent.Kind.RELEASED,
        to_status=Status.NEW,
        data={"action": "release", "reason": reason, "previous_assignee_id": user_id},
    )
    return len(cases)
