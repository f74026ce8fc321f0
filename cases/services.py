"""Every write on cases. Each service checks who acts, locks the case, changes it, writes its
journal line in the same transaction, and announces domain events after commit.

Errors: ``Case.DoesNotExist`` when the actor may not see the case (callers answer 404, as for a
case that does not exist), ``PermissionDenied`` when they see it but their role does not allow
the action (403), ``ValidationError`` (with the field at fault) for bad input or a wrong state.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Administration, AuditEntry, Membership, User
from accounts.permissions import (
    ASSIGN_CASES,
    MANAGE_SETTINGS,
    VIEW_CASES,
    WORK_CASES,
    has_administration_perm,
)
from accounts.services import audit_record

from . import signals
from .models import (
    DEFAULT_RESPONSE_DAYS,
    Case,
    CaseEvent,
    Channel,
    Delivery,
    InternalNote,
    Priority,
    ReferenceCounter,
    Reply,
    ResponseDeadline,
    Status,
    Topic,
)
from .transitions import TRANSITIONS

MAX_TEXT_LENGTH = 50_000


def invalid(field: str, message: str, code: str) -> ValidationError:
    """A ValidationError on ``field`` that keeps its code (a plain dict would drop it)."""
    return ValidationError({field: [ValidationError(message, code=code)]})


# --- helpers ---------------------------------------------------------------------------------


def _journal(
    case: Case,
    actor: User | None,
    kind: str,
    *,
    from_status: str = "",
    to_status: str = "",
    **data: Any,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        actor=actor,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        data=data,
    )


def _lock(case: Case, actor: User | None) -> Case:
    """Re-read the case under a row lock, checking first that the actor may see it."""
    if actor is not None and not has_administration_perm(actor, VIEW_CASES, case.administration):
        raise Case.DoesNotExist("No case matches the given query.")
    return Case.objects.select_for_update().select_related("administration").get(pk=case.pk)


def _check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != case.version:
        raise invalid(
            "version",
            _(
                "This case was changed by someone else since you opened it. "
                "Reload the page: your text is kept."
            ),
            "stale",
        )


def _bump(case: Case, fields: list[str]) -> None:
    case.version = F("version") + 1
    case.save(update_fields=[*fields, "version", "updated_at"])
    case.refresh_from_db(fields=["version"])


def _require_work(actor: User, case: Case) -> None:
    """Agents act on cases assigned to them; managers (assign_cases) on any case."""
    administration = case.administration
    if not has_administration_perm(actor, WORK_CASES, administration):
        raise PermissionDenied(_("Your role does not allow working on cases."))
    if case.assignee_id != actor.pk and not has_administration_perm(
        actor, ASSIGN_CASES, administration
    ):
        raise PermissionDenied(_("This case is assigned to someone else."))


def _require_transition(case: Case, action: str) -> str:
    transition = TRANSITIONS[action]
    if case.status not in transition.sources:
        raise invalid(
            "status",
            _("“%(action)s” is not possible on a case that is %(status)s.")
            % {"action": transition.label, "status": case.get_status_display().lower()},
            "invalid_transition",
        )
    return transition.target


def _clean_text(value: str, field: str, *, max_length: int = MAX_TEXT_LENGTH) -> str:
    value = (value or "").strip()
    if not value:
        raise invalid(field, _("This field cannot be empty."), "required")
    if len(value) > max_length:
        raise invalid(
            field,
            _("This text is too long (%(max)d characters at most).") % {"max": max_length},
            "max_length",
        )
    return value


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


# --- services --------------------------------------------------------------------------------


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
    subject = _clean_text(subject, "subject", max_length=300)
    body = _clean_text(body, "body")
    created_at = created_at or timezone.now()
    case = Case(
        administration=administration,
        channel=channel,
        subject=subject,
        body=body,
        usager_name=usager_name.strip(),
        usager_email=usager_email.strip().lower(),
        usager_phone=usager_phone.strip(),
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
    _journal(case, actor, CaseEvent.Kind.CREATED, to_status=Status.NEW, channel=channel)
    transaction.on_commit(
        partial(
            signals.case_created.send,
            sender=Case,
            case_id=case.pk,
            administration_id=administration.pk,
        )
    )
    return case


def _assignee_check(administration: Administration, assignee: User) -> None:
    membership = Membership.objects.filter(
        user=assignee, administration=administration, is_active=True
    ).first()
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
    case = _lock(case, actor)
    if not has_administration_perm(actor, ASSIGN_CASES, case.administration):
        raise PermissionDenied(_("Only managers assign cases to others."))
    _check_version(case, expected_version)
    target = _require_transition(case, "assign")
    _assignee_check(case.administration, assignee)
    if case.assignee_id == assignee.pk:
        raise invalid("assignee", _("The case is already assigned to this person."), "unchanged")
    previous = case.assignee
    from_status = case.status
    case.assignee = assignee
    case.status = target
    case.assigned_at = timezone.now()
    case.first_opened_at = None  # handling time is measured for the agent who answers
    _bump(case, ["assignee", "status", "assigned_at", "first_opened_at"])
    _journal(
        case,
        actor,
        CaseEvent.Kind.ASSIGNED,
        from_status=from_status,
        to_status=target,
        assignee_id=assignee.pk,
        assignee=str(assignee),
        previous_assignee=str(previous) if previous else "",
    )
    return case


@transaction.atomic
def case_take(*, actor: User, case: Case) -> Case:
    """An agent takes an unassigned case from the queue."""
    case = _lock(case, actor)
    if not has_administration_perm(actor, WORK_CASES, case.administration):
        raise PermissionDenied(_("Your role does not allow working on cases."))
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
    _bump(case, ["assignee", "status", "assigned_at", "first_opened_at"])
    _journal(case, actor, CaseEvent.Kind.TAKEN, from_status=Status.NEW, to_status=Status.ASSIGNED)
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
    case = _lock(case, actor)
    if case.status == Status.NEW and action == "close":
        # An unassigned case is closed (duplicate, spam...) by a manager only.
        if not has_administration_perm(actor, ASSIGN_CASES, case.administration):
            raise PermissionDenied(_("Only managers close a case that nobody has taken."))
    else:
        _require_work(actor, case)
    _check_version(case, expected_version)
    target = _require_transition(case, action)
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
    _bump(case, fields)
    _journal(
        case,
        actor,
        _EVENT_FOR_ACTION.get(action, CaseEvent.Kind.STATUS_CHANGED),
        from_status=from_status,
        to_status=target,
        action=action,
        reason=reason.strip(),
    )
    return case


@transaction.atomic
def case_mark_opened(*, actor: User, case: Case) -> Case:
    """Record the first time the assigned agent opens the case (start of handling time)."""
    case = _lock(case, actor)
    if case.assignee_id != actor.pk or case.first_opened_at is not None:
        return case
    case.first_opened_at = timezone.now()
    case.save(update_fields=["first_opened_at"])
    _journal(case, actor, CaseEvent.Kind.OPENED)
    transaction.on_commit(
        partial(signals.case_opened.send, sender=Case, case_id=case.pk, actor_id=actor.pk)
    )
    return case


@transaction.atomic
def case_add_note(*, actor: User, case: Case, body: str) -> InternalNote:
    case = _lock(case, actor)
    if not has_administration_perm(actor, WORK_CASES, case.administration):
        raise PermissionDenied(_("Your role does not allow working on cases."))
    body = _clean_text(body, "body", max_length=10_000)
    note = InternalNote.objects.create(case=case, author=actor, body=body)
    _journal(case, actor, CaseEvent.Kind.NOTE_ADDED, note_id=note.pk)
    return note


@transaction.atomic
def case_send_reply(
    *, actor: User, case: Case, body: str, expected_version: int | None = None
) -> Reply:
    """Send a reply to the usager: the case becomes answered."""
    case = _lock(case, actor)
    _require_work(actor, case)
    _check_version(case, expected_version)
    if case.status in (Status.CLOSED, Status.TRANSFERRED, Status.ANSWERED):
        raise invalid(
            "status",
            _("A reply cannot be sent on a case that is %(status)s.")
            % {"status": case.get_status_display().lower()},
            "invalid_transition",
        )
    target = _require_transition(case, "answer")
    body = _clean_text(body, "body")
    reply = Reply.objects.create(case=case, author=actor, body=body)
    from_status = case.status
    case.status = target
    if case.answered_at is None:
        case.answered_at = timezone.now()
    _bump(case, ["status", "answered_at"])
    _journal(
        case,
        actor,
        CaseEvent.Kind.REPLY_SENT,
        from_status=from_status,
        to_status=target,
        reply_id=reply.pk,
    )
    transaction.on_commit(
        partial(
            signals.reply_sent.send,
            sender=Case,
            case_id=case.pk,
            reply_id=reply.pk,
            actor_id=actor.pk,
        )
    )
    return reply


@transaction.atomic
def case_transfer(
    *,
    actor: User,
    case: Case,
    target_administration: Administration | None,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    """Hand the case to another administration: it gets a new case there, this one ends."""
    case = _lock(case, actor)
    _require_work(actor, case)
    _check_version(case, expected_version)
    if target_administration is None:
        raise invalid("target_administration", _("Choose an administration."), "required")
    if target_administration.pk == case.administration_id:
        raise invalid(
            "target_administration",
            _("The case is already in this administration."),
            "invalid_choice",
        )
    reason = _clean_text(reason, "reason", max_length=2_000)
    target = _require_transition(case, "transfer")
    from_status = case.status
    new_case = case_create(
        actor=None,
        administration=target_administration,
        channel=case.channel,
        subject=case.subject,
        body=case.body,
        usager_name=case.usager_name,
        usager_email=case.usager_email,
        usager_phone=case.usager_phone,
        priority=case.priority,
        transferred_from=case,
    )
    _journal(
        new_case,
        actor,
        CaseEvent.Kind.TRANSFERRED_IN,
        source=case.administration.name,
        reason=reason,
    )
    case.status = target
    case.closed_at = timezone.now()
    _bump(case, ["status", "closed_at"])
    _journal(
        case,
        actor,
        CaseEvent.Kind.TRANSFERRED_OUT,
        from_status=from_status,
        to_status=target,
        target=target_administration.name,
        target_reference=new_case.reference,
        reason=reason,
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
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            actor=actor,
            kind=CaseEvent.Kind.RELEASED,
            from_status=case.status,
            to_status=Status.NEW,
            data={"action": "release", "reason": reason, "previous_assignee_id": user_id},
        )
        for case in cases
    )
    return len(cases)


# --- administration settings: response deadlines and own topics ------------------------------


def _require_settings(actor: User, administration: Administration) -> None:
    if not has_administration_perm(actor, MANAGE_SETTINGS, administration):
        raise PermissionDenied(
            _("Your role does not allow managing this administration's settings.")
        )


@transaction.atomic
def response_deadlines_set(
    *, actor: User, administration: Administration, days: dict[str, int | None]
) -> dict[str, int]:
    """Days to respond per channel (None: back to the default). New cases use them; cases
    already open keep their due date. Returns the effective days of every channel."""
    _require_settings(actor, administration)
    errors: dict[str, list[ValidationError]] = {}
    for channel, value in days.items():
        if channel not in Channel.values:
            errors[channel] = [
                ValidationError(
                    _("Unknown channel “%(value)s”.") % {"value": channel}, code="invalid_choice"
                )
            ]
        elif value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365
        ):
            errors[channel] = [
                ValidationError(_("A whole number of days from 1 to 365."), code="out_of_range")
            ]
    if errors:
        raise ValidationError(errors)
    rows = {
        row.channel: row
        for row in ResponseDeadline.objects.select_for_update().filter(
            administration=administration
        )
    }
    before = {c: (rows[c].days if c in rows else None) for c in Channel.values}
    for channel, value in days.items():
        row = rows.get(channel)
        if value is None:
            if row is not None:
                row.delete()
        elif row is None:
            ResponseDeadline.objects.create(
                administration=administration, channel=channel, days=value
            )
        elif row.days != value:
            row.days = value
            row.save(update_fields=["days"])
    after = {c: days[c] if c in days else before[c] for c in Channel.values}
    if before != after:
        audit_record(
            administration=administration,
            actor=actor,
            category=AuditEntry.Category.SETTINGS,
            action="settings.deadlines_changed",
            target_label=administration.name,
            data={"before": before, "after": after},
        )
    return {c: after[c] or DEFAULT_RESPONSE_DAYS[Channel(c)] for c in Channel.values}


def _topic_name(name: str, administration: Administration, exclude: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise invalid("name", _("This field cannot be empty."), "required")
    if len(name) > 120:
        raise invalid("name", _("120 characters at most."), "max_length")
    clash = Topic.objects.filter(
        Q(administration__isnull=True) | Q(administration=administration), name__iexact=name
    )
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise invalid("name", _("A topic with this name already exists."), "unique")
    return name


def _topic_slug(name: str, administration: Administration) -> str:
    base = (slugify(name) or "theme")[:70]
    taken = set(
        Topic.objects.filter(Q(administration__isnull=True) | Q(administration=administration))
        .filter(slug__startswith=base)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def topic_create(*, actor: User, administration: Administration, name: str) -> Topic:
    """One of the administration's own topics (national topics are shared and read-only)."""
    _require_settings(actor, administration)
    name = _topic_name(name, administration)
    topic = Topic.objects.create(
        administration=administration, name=name, slug=_topic_slug(name, administration)
    )
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.SETTINGS,
        action="settings.topic_created",
        target_label=topic.name,
        data={"topic": topic.pk, "slug": topic.slug},
    )
    return topic


def _own_topic(actor: User, administration: Administration, topic: Topic) -> Topic:
    if topic.administration_id is None:
        raise PermissionDenied(_("National topics are read-only."))
    if topic.administration_id != administration.pk:
        raise Topic.DoesNotExist("No topic matches the given query.")
    _require_settings(actor, administration)
    return Topic.objects.select_for_update().get(pk=topic.pk)


@transaction.atomic
def topic_update(
    *,
    actor: User,
    administration: Administration,
    topic: Topic,
    name: str | None = None,
    is_active: bool | None = None,
) -> Topic:
    """Rename, retire or bring back an own topic. A retired topic is no longer offered for new
    cases; the cases filed under it keep it."""
    topic = _own_topic(actor, administration, topic)
    before = {"name": topic.name, "is_active": topic.is_active}
    if name is not None:
        topic.name = _topic_name(name, administration, exclude=topic.pk)
    if is_active is not None:
        topic.is_active = bool(is_active)
    after = {"name": topic.name, "is_active": topic.is_active}
    if before == after:
        return topic
    topic.save(update_fields=["name", "is_active"])
    if before["is_active"] != after["is_active"]:
        action = "settings.topic_reactivated" if topic.is_active else "settings.topic_retired"
    else:
        action = "settings.topic_renamed"
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.SETTINGS,
        action=action,
        target_label=topic.name,
        data={"topic": topic.pk, "before": before, "after": after},
    )
    return topic


# --- channel intake and outbound delivery ----------------------------------------------------


@transaction.atomic
def case_add_usager_message(
    *,
    case: Case,
    body: str,
    source: str,
    actor: User | None = None,
    **data: Any,
) -> CaseEvent:
    """The usager wrote again on their case (an e-mail answering a reply or a question).

    A case awaiting the usager resumes; an answered case goes back to its agent. The text is
    kept in the journal line. ``actor`` is None for intake (nobody in the house acted).
    """
    case = _lock(case, actor)
    body = _clean_text(body, "body")
    from_status = case.status
    to_status = ""
    if case.status == Status.AWAITING_USAGER or (
        case.status == Status.ANSWERED and case.assignee_id is not None
    ):
        to_status = Status.IN_PROGRESS
        case.status = to_status
        if from_status == Status.ANSWERED:
            case.closed_at = None
        _bump(case, ["status", "closed_at"])
    else:
        # Stale forms on the case page must see that something new arrived.
        _bump(case, [])
    return _journal(
        case,
        actor,
        CaseEvent.Kind.USAGER_MESSAGE,
        from_status=from_status if to_status else "",
        to_status=to_status,
        body=body,
        source=source,
        **data,
    )


@transaction.atomic
def delivery_retry(*, actor: User, delivery: Delivery) -> Delivery:
    """A manager sends a failed delivery again (after the channel's endpoint was fixed)."""
    from .delivery import delivery_route, queue_delivery

    case = _lock(delivery.reply.case, actor)
    if not has_administration_perm(actor, ASSIGN_CASES, case.administration):
        raise PermissionDenied(_("Only managers send a failed delivery again."))
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status != Delivery.Status.FAILED:
        raise invalid("status", _("Only a failed delivery can be sent again."), "invalid_state")
    backend = delivery_route(case)
    if backend == Delivery.Backend.NONE:
        raise invalid(
            "backend",
            _("This case has no delivery route: no channel endpoint and no e-mail address."),
            "no_route",
        )
    previous = {"attempts": delivery.attempts, "error": delivery.last_error[:500]}
    delivery.backend = backend
    delivery.status = Delivery.Status.PENDING
    delivery.attempts = 0
    delivery.last_error = ""
    delivery.next_attempt_at = timezone.now()
    delivery.save(
        update_fields=[
            "backend",
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "updated_at",
        ]
    )
    _journal(
        case,
        actor,
        CaseEvent.Kind.DELIVERY_RETRIED,
        reply_id=delivery.reply_id,
        backend=backend,
        previous_attempts=previous["attempts"],
        previous_error=previous["error"],
    )
    queue_delivery(delivery.pk)
    return delivery
