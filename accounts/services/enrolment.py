"""Volunteer enrolment in the drafting experiment: consent, quota, cohorts, decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit_actions import AccountsAuditAction
from ..models import Administration, AuditEntry, ConsentText, Enrolment, Membership, User
from ..selectors import current_consent
from .journal import audit_record
from .members import _require_manage_members


def _enrolment_audit(
    enrolment: Enrolment, actor: User | None, action: AccountsAuditAction, **data: Any
) -> None:
    audit_record(
        administration=enrolment.administration,
        actor=actor,
        category=AuditEntry.Category.ENROLMENT,
        action=action,
        target_label=enrolment.user.email,
        data={k: v for k, v in data.items() if v not in (None, "")},
    )


@transaction.atomic
def consent_publish(
    *, administration: Administration, text: str, actor: User | None = None
) -> ConsentText:
    """A new version of the consent text (earlier consents stay tied to their version)."""
    _require_manage_members(actor, administration)
    text = (text or "").strip()
    if not text:
        raise ValidationError(
            {"text": [ValidationError(_("Write the consent text in full."), code="required")]}
        )
    last = (
        ConsentText.objects.select_for_update()
        .filter(administration=administration)
        .order_by("-version")
        .first()
    )
    consent = ConsentText.objects.create(
        administration=administration, version=(last.version + 1) if last else 1, text=text
    )
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.ENROLMENT,
        action=AccountsAuditAction.ENROLMENT_CONSENT_PUBLISHED,
        target_label=f"v{consent.version}",
        data={"version": consent.version},
    )
    return consent


@transaction.atomic
def volunteer_quota_set(
    *, actor: User | None, administration: Administration, quota: int | None
) -> Administration:
    _require_manage_members(actor, administration)
    if quota is not None and quota < 1:
        raise ValidationError(
            {"volunteer_quota": [ValidationError(_("The quota is at least 1."), code="min")]}
        )
    administration = Administration.objects.select_for_update().get(pk=administration.pk)
    before = administration.volunteer_quota
    if before == quota:
        return administration
    administration.volunteer_quota = quota
    administration.save(update_fields=["volunteer_quota"])
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.ENROLMENT,
        action=AccountsAuditAction.ENROLMENT_QUOTA_CHANGED,
        target_label=administration.name,
        data={"before": {"volunteer_quota": before}, "after": {"volunteer_quota": quota}},
    )
    return administration


def _check_quota(administration: Administration) -> None:
    """Refuse one more approved volunteer beyond the administration's quota (if any)."""
    administration = Administration.objects.select_for_update().get(pk=administration.pk)
    quota = administration.volunteer_quota
    if quota is None:
        return
    approved = Enrolment.objects.filter(
        administration=administration, status=Enrolment.Status.APPROVED
    ).count()
    if approved >= quota:
        raise ValidationError(
            {
                "status": [
                    ValidationError(
                        _(
                            "The quota of %(quota)s volunteers of this administration is "
                            "reached: nobody more can take part until a volunteer withdraws "
                            "or the administrators raise the quota."
                        )
                        % {"quota": quota},
                        code="quota",
                    )
                ]
            }
        )


def _check_consent(administration: Administration, consent: ConsentText) -> None:
    if consent.administration_id != administration.pk or consent != current_consent(administration):
        raise ValidationError(
            {"consent": [ValidationError(_("Read the current consent text."), code="stale")]}
        )


def _clean_cohort(cohort: str, starts_on: dt.date | None) -> tuple[str, dt.date | None]:
    cohort = (cohort or "").strip()
    if len(cohort) > 100:
        raise ValidationError(
            {"cohort": [ValidationError(_("100 characters at most."), code="max_length")]}
        )
    return cohort, starts_on


@transaction.atomic
def enrolment_request(
    *, actor: User, administration: Administration, consent: ConsentText
) -> Enrolment:
    """An agent volunteers, having read ``consent`` (the administration's current text).

    When the administrators had put them in a cohort (an invitation), their consent completes
    it and they take part from the cohort's start: the administrators already chose them.
    """
    if not Membership.objects.filter(
        user=actor, administration=administration, is_active=True
    ).exists():
        raise PermissionDenied(_("Only members of the administration may volunteer."))
    _check_consent(administration, consent)
    live = (
        Enrolment.objects.select_for_update()
        .filter(user=actor, administration=administration, status__in=Enrolment.LIVE)
        .first()
    )
    now = timezone.now()
    if live is not None and live.status == Enrolment.Status.INVITED:
        _check_quota(administration)
        live.status = Enrolment.Status.APPROVED
        live.consent = consent
        live.consented_at = now
        live.decided_at = now
        live.decided_by = live.invited_by
        live.save()
        _enrolment_audit(
            live,
            actor,
            AccountsAuditAction.ENROLMENT_INVITATION_ACCEPTED,
            cohort=live.cohort,
            consent_version=consent.version,
        )
        return live
    if live is not None:
        raise ValidationError(
            {"status": [ValidationError(_("You already volunteered."), code="duplicate")]}
        )
    enrolment = Enrolment.objects.create(
        user=actor, administration=administration, consent=consent, consented_at=now
    )
    _enrolment_audit(
        enrolment, actor, AccountsAuditAction.ENROLMENT_REQUESTED, consent_version=consent.version
    )
    return enrolment


@transaction.atomic
def enrolment_invite(
    *,
    actor: User | None,
    membership: Membership,
    cohort: str,
    starts_on: dt.date | None = None,
) -> Enrolment:
    """Administrators put an agent in a cohort; drafts wait for the agent's own consent."""
    administration = membership.administration
    _require_manage_members(actor, administration)
    cohort, starts_on = _clean_cohort(cohort, starts_on)
    if starts_on is not None and starts_on < timezone.localdate():
        # An invitation starts when the agent accepts at the earliest: a past date means nothing.
        raise ValidationError(
            {
                "starts_on": [
                    ValidationError(
                        _(
                            "The start date is in the past: choose today or a later day, or "
                            "leave it empty (the agent takes part as soon as they accept)."
                        ),
                        code="past",
                    )
                ]
            }
        )
    if not membership.is_active:
        raise ValidationError(
            {"member": [ValidationError(_("This member is deactivated."), code="inactive")]}
        )
    if Enrolment.objects.filter(
        user_id=membership.user_id, administration=administration, status__in=Enrolment.LIVE
    ).exists():
        raise ValidationError(
            {
                "member": [
                    ValidationError(
                        _("%(email)s already volunteered or is already invited.")
                        % {"email": membership.user.email},
                        code="duplicate",
                    )
                ]
            }
        )
    enrolment = Enrolment.objects.create(
        user_id=membership.user_id,
        administration=administration,
        status=Enrolment.Status.INVITED,
        cohort=cohort,
        starts_on=starts_on,
        invited_by=actor,
    )
    _enrolment_audit(
        enrolment,
        actor,
        AccountsAuditAction.ENROLMENT_INVITED,
        cohort=cohort,
        starts_on=starts_on.isoformat() if starts_on else None,
    )
    return enrolment


@transaction.atomic
def enrolment_set_cohort(
    *, actor: User | None, enrolment: Enrolment, cohort: str, starts_on: dt.date | None = None
) -> Enrolment:
    _require_manage_members(actor, enrolment.administration)
    cohort, starts_on = _clean_cohort(cohort, starts_on)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status not in Enrolment.LIVE:
        raise ValidationError(
            {"status": [ValidationError(_("This enrolment has ended."), code="ended")]}
        )
    before = {
        "cohort": enrolment.cohort,
        "starts_on": enrolment.starts_on.isoformat() if enrolment.starts_on else None,
    }
    enrolment.cohort = cohort
    enrolment.starts_on = starts_on
    enrolment.save(update_fields=["cohort", "starts_on"])
    _enrolment_audit(
        enrolment,
        actor,
        AccountsAuditAction.ENROLMENT_COHORT_CHANGED,
        before=before,
        after={"cohort": cohort, "starts_on": starts_on.isoformat() if starts_on else None},
    )
    return enrolment


@transaction.atomic
def enrolment_decide(
    *,
    actor: User | None,
    enrolment: Enrolment,
    approve: bool,
    message: str = "",
    cohort: str | None = None,
    starts_on: dt.date | None = None,
) -> Enrolment:
    """An administrator approves or refuses a request (``actor`` None: national staff tools)."""
    _require_manage_members(actor, enrolment.administration)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.REQUESTED:
        raise ValidationError(
            {"status": [ValidationError(_("This request was already decided."), code="decided")]}
        )
    if approve:
        _check_quota(enrolment.administration)
        if cohort is not None:
            enrolment.cohort, enrolment.starts_on = _clean_cohort(cohort, starts_on)
    enrolment.status = Enrolment.Status.APPROVED if approve else Enrolment.Status.REFUSED
    enrolment.decided_at = timezone.now()
    enrolment.decided_by = actor
    enrolment.message = message.strip()[:2000]
    enrolment.save()
    _enrolment_audit(
        enrolment,
        actor,
        AccountsAuditAction.ENROLMENT_APPROVED
        if approve
        else AccountsAuditAction.ENROLMENT_REFUSED,
        message=enrolment.message,
        cohort=enrolment.cohort,
        starts_on=enrolment.starts_on.isoformat() if enrolment.starts_on else None,
    )
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, actor: User, enrolment: Enrolment) -> Enrolment:
    """One click, at any time, effective at once: no draft is shown to them afterwards.

    The volunteer withdraws their own participation (or declines an invitation).
    """
    if enrolment.user_id != actor.pk:
        raise PermissionDenied(_("Only the volunteer withdraws their own participation."))
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status not in Enrolment.LIVE:
        raise ValidationError(
            {"status": [ValidationError(_("You are not taking part."), code="not_enrolled")]}
        )
    previous = enrolment.status
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = timezone.now()
    enrolment.save()
    _enrolment_audit(
        enrolment,
        actor,
        (
            AccountsAuditAction.ENROLMENT_INVITATION_DECLINED
            if previous == Enrolment.Status.INVITED
            else AccountsAuditAction.ENROLMENT_WITHDRAWN
        ),
        previous=previous,
    )
    return enrolment
