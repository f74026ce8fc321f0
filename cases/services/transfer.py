"""Handing a case to another administration: a new linked case there, this one ends, and the
usager is told (cases/intake/acknowledgement.py, ``transfer_notice_schedule``). The usager's
answers to the mails of the case that ended reach the new one (cases/intake/mail.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Administration, User

from ..models import Case, CaseEvent
from ..permissions import Ability, require_ability
from .common import bump, check_version, clean_text, invalid, lock_case, require_transition
from .journal import case_event_record
from .lifecycle import case_create


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
    case = lock_case(case, actor)
    require_ability(actor, case, Ability.TRANSFER)
    check_version(case, expected_version)
    if target_administration is None:
        raise invalid("target_administration", _("Choose an administration."), "required")
    if target_administration.pk == case.administration_id:
        raise invalid(
            "target_administration",
            _("The case is already in this administration."),
            "invalid_choice",
        )
    reason = clean_text(reason, "reason", max_length=2_000)
    target = require_transition(case, "transfer")
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
    case_event_record(
        case=new_case,
        actor=actor,
        kind=CaseEvent.Kind.TRANSFERRED_IN,
        data={"source": case.administration.name, "reason": reason},
    )
    # The usager is told, by the administration now in charge, whom they will hear from (its
    # row and follow-up in this transaction; sent after commit).
    from ..intake.acknowledgement import transfer_notice_schedule

    transfer_notice_schedule(case=new_case, source=case)
    case.status = target
    case.closed_at = timezone.now()
    bump(case, ["status", "closed_at"])
    case_event_record(
        case=case,
        actor=actor,
        kind=CaseEvent.Kind.TRANSFERRED_OUT,
        from_status=from_status,
        to_status=target,
        data={
            "target": target_administration.name,
            "target_reference": new_case.reference,
            "reason": reason,
        },
    )
    return case
