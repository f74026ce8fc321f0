"""Writes on accounts: administrations, memberships and their role groups."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from . import signals
from .models import (
    Administration,
    AuditEntry,
    ConsentText,
    Enrolment,
    Membership,
    Role,
    RoleGroup,
    User,
)
from .permissions import MANAGE_MEMBERS, ROLE_PERMISSIONS, has_administration_perm


def audit_record(
    *,
    administration: Administration,
    actor: User | None,
    category: str,
    action: str,
    target_label: str = "",
    data: dict | None = None,
) -> AuditEntry:
    """Write one line of the administration's journal, in the caller's transaction."""
    return AuditEntry.objects.create(
        administration=administration,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor.email if actor is not None and actor.pk else "",
        category=category,
        action=action,
        target_label=target_label[:300],
        data=data or {},
    )


def _member_label(membership: Membership) -> str:
    return membership.user.email


@transaction.atomic
def administration_create(
    *,
    name: str,
    slug: str,
    code: str,
    kind: str,
    parent: Administration | None = None,
    siret: str = "",
    signature: str = "",
) -> Administration:
    administration = Administration(
        name=name,
        slug=slug,
        code=code,
        kind=kind,
        parent=parent,
        siret=siret,
        signature=signature,
    )
    administration.full_clean()
    administration.save()
    role_groups_ensure(administration=administration)
    return administration


def role_groups_ensure(*, administration: Administration) -> dict[str, Group]:
    """Create the role groups of ``administration`` and grant their permissions (idempotent)."""
    groups: dict[str, Group] = {}
    for role in Role:
        role_group = RoleGroup.objects.filter(administration=administration, role=role).first()
        if role_group is None:
            group, _ = Group.objects.get_or_create(name=f"{administration.slug}:{role.value}")
            role_group = RoleGroup.objects.create(
                administration=administration, role=role, group=group
            )
        for codename in ROLE_PERMISSIONS[role]:
            assign_perm(f"accounts.{codename}", role_group.group, administration)
        groups[role.value] = role_group.group
    return groups


def _group_for(administration: Administration, role: str) -> Group:
    return (
        RoleGroup.objects.select_related("group")
        .get(administration=administration, role=role)
        .group
    )


def membership_sync_groups(*, membership: Membership) -> None:
    user = membership.user
    role_groups = RoleGroup.objects.filter(administration=membership.administration)
    user.groups.remove(*[rg.group_id for rg in role_groups])
    if membership.is_active:
        user.groups.add(_group_for(membership.administration, membership.role))


@transaction.atomic
def membership_create(
    *,
    user: User,
    administration: Administration,
    role: str,
    team: str = "",
    actor: User | None = None,
) -> Membership:
    _check_role(role)
    membership, created = Membership.objects.get_or_create(
        user=user, administration=administration, defaults={"role": role, "team": team}
    )
    if not created:
        membership.role = role
        membership.team = team or membership.team
        membership.is_active = True
        membership.deactivated_at = None
        membership.save()
    membership_sync_groups(membership=membership)
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.MEMBERSHIP,
        action="membership.added" if created else "membership.restored",
        target_label=user.email,
        data={"role": role, "team": membership.team},
    )
    return membership


def _keep_an_administrator(membership: Membership, *, role: str, active: bool) -> None:
    """Refuse a change that would leave the administration without an active administrator."""
    if membership.role != Role.ADMINISTRATOR or not membership.is_active:
        return
    if role == Role.ADMINISTRATOR and active:
        return
    others = (
        Membership.objects.select_for_update()
        .filter(
            administration_id=membership.administration_id,
            role=Role.ADMINISTRATOR,
            is_active=True,
            user__is_active=True,
        )
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError(
            {
                "role": [
                    ValidationError(
                        _("An administration must keep at least one active administrator."),
                        code="last_administrator",
                    )
                ]
            }
        )


@transaction.atomic
def membership_set_active(
    *, membership: Membership, active: bool, actor: User | None = None
) -> Membership:
    """Deactivate or reactivate a member.

    Deactivation takes effect at once: the role group goes (so every permission check fails
    from the next request), the member's signed-in sessions end (the middleware signs out a
    user with no active membership left) and ``membership_deactivated`` lets cases put the
    member's open cases back in the queue, journaled, in this same transaction.
    """
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if membership.is_active == active:
        return membership
    _keep_an_administrator(membership, role=membership.role, active=active)
    membership.is_active = active
    membership.deactivated_at = None if active else timezone.now()
    membership.save(update_fields=["is_active", "deactivated_at"])
    membership_sync_groups(membership=membership)
    audit_record(
        administration=membership.administration,
        actor=actor,
        category=AuditEntry.Category.MEMBERSHIP,
        action="membership.reactivated" if active else "membership.deactivated",
        target_label=_member_label(membership),
    )
    if not active:
        # Synchronous on purpose: the cases go back to the queue in the same transaction.
        signals.membership_deactivated.send(
            sender=Membership,
            membership_id=membership.pk,
            administration_id=membership.administration_id,
            user_id=membership.user_id,
            actor_id=actor.pk if actor is not None else None,
        )
    return membership


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError(
            {"role": [ValidationError(f"Unknown role “{role}”.", code="invalid_choice")]}
        )


@transaction.atomic
def membership_change_role(
    *, membership: Membership, role: str, actor: User | None = None, team: str | None = None
) -> Membership:
    _check_role(role)
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    _keep_an_administrator(membership, role=role, active=membership.is_active)
    before = {"role": membership.role, "team": membership.team}
    membership.role = role
    if team is not None:
        membership.team = team.strip()[:100]
    after = {"role": membership.role, "team": membership.team}
    if before == after:
        return membership
    membership.save(update_fields=["role", "team"])
    membership_sync_groups(membership=membership)
    audit_record(
        administration=membership.administration,
        actor=actor,
        category=AuditEntry.Category.MEMBERSHIP,
        action="membership.role_changed" if before["role"] != role else "membership.team_changed",
        target_label=_member_label(membership),
        data={"before": before, "after": after},
    )
    return membership


@transaction.atomic
def membership_delete(*, membership: Membership, actor: User | None = None) -> None:
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    _keep_an_administrator(membership, role=membership.role, active=False)
    was_active = membership.is_active
    membership.is_active = False
    membership_sync_groups(membership=membership)
    audit_record(
        administration=membership.administration,
        actor=actor,
        category=AuditEntry.Category.MEMBERSHIP,
        action="membership.removed",
        target_label=_member_label(membership),
        data={"role": membership.role},
    )
    if was_active:
        signals.membership_deactivated.send(
            sender=Membership,
            membership_id=membership.pk,
            administration_id=membership.administration_id,
            user_id=membership.user_id,
            actor_id=actor.pk if actor is not None else None,
        )
    membership.delete()


def _require_manage_members(actor: User | None, administration: Administration) -> None:
    if actor is not None and not has_administration_perm(actor, MANAGE_MEMBERS, administration):
        raise PermissionDenied(_("Only administrators manage members."))


def normalise_email(value: str) -> str:
    """The e-mail address as accounts store it, or a ValidationError on ``email``."""
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {
                "email": [
                    ValidationError(
                        _("“%(value)s” is not a valid e-mail address.") % {"value": value},
                        code="invalid",
                    )
                ]
            }
        ) from None
    return email


@transaction.atomic
def member_invite(
    *,
    actor: User | None,
    administration: Administration,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    team: str = "",
    notify: bool = True,
) -> Membership:
    """Bring someone into the administration.

    A new person gets an account without a password and an invitation to choose one (or to
    sign in with ProConnect when it is on); someone who already has an account gets the new
    membership at once. An active member cannot be invited twice; a deactivated one is
    reactivated with the given role.
    """
    _require_manage_members(actor, administration)
    email = normalise_email(email)
    _check_role(role)
    user = User.objects.filter(email=email).first()
    created_user = user is None
    if user is None:
        user = User(
            email=email, first_name=first_name.strip()[:150], last_name=last_name.strip()[:150]
        )
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    existing = Membership.objects.filter(user=user, administration=administration).first()
    if existing is not None and existing.is_active:
        raise ValidationError(
            {
                "email": [
                    ValidationError(
                        _("%(email)s is already a member of this administration.")
                        % {"email": email},
                        code="duplicate",
                    )
                ]
            }
        )
    membership = membership_create(
        user=user, administration=administration, role=role, team=team.strip(), actor=actor
    )
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.MEMBERSHIP,
        action="membership.invited",
        target_label=email,
        data={"role": role, "team": membership.team, "new_account": created_user},
    )
    if notify:
        from .tasks import send_invitation

        transaction.on_commit(lambda: send_invitation.delay(membership.pk))
    return membership


@transaction.atomic
def members_import(
    *, actor: User | None, administration: Administration, text: str
) -> list[Membership]:
    """Invite every row of a members CSV file, or nobody: one bad row writes nothing."""
    from .imports import parse

    _require_manage_members(actor, administration)
    preview = parse(text, administration=administration)
    if not preview.ok:
        messages = list(preview.file_errors)
        messages += [
            _("Line %(line)s: %(errors)s") % {"line": row.line, "errors": " ".join(row.errors)}
            for row in preview.error_rows
        ]
        raise ValidationError({"file": [ValidationError(m, code="invalid") for m in messages]})
    memberships = [
        member_invite(
            actor=actor,
            administration=administration,
            email=row.email,
            role=row.role,
            first_name=row.first_name,
            last_name=row.last_name,
            team=row.team,
        )
        for row in preview.rows
    ]
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.MEMBERSHIP,
        action="membership.imported",
        target_label=_("%(count)s members") % {"count": len(memberships)},
        data={"count": len(memberships)},
    )
    return memberships


# --- volunteer enrolment ----------------------------------------------------------------------


def _enrolment_audit(enrolment: Enrolment, actor: User | None, action: str, **data) -> None:
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
        action="enrolment.consent_published",
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
        action="enrolment.quota_changed",
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


def _current_consent_of(administration: Administration) -> ConsentText | None:
    return ConsentText.objects.filter(administration=administration).order_by("-version").first()


def _check_consent(administration: Administration, consent: ConsentText) -> None:
    if consent.administration_id != administration.pk or consent != _current_consent_of(
        administration
    ):
        raise ValidationError(
            {"consent": [ValidationError(_("Read the current consent text."), code="stale")]}
        )


def _clean_cohort(cohort: str, starts_on) -> tuple[str, object]:
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
            "enrolment.invitation_accepted",
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
    _enrolment_audit(enrolment, actor, "enrolment.requested", consent_version=consent.version)
    return enrolment


@transaction.atomic
def enrolment_invite(
    *,
    actor: User | None,
    membership: Membership,
    cohort: str,
    starts_on=None,
) -> Enrolment:
    """Administrators put an agent in a cohort; drafts wait for the agent's own consent."""
    administration = membership.administration
    _require_manage_members(actor, administration)
    cohort, starts_on = _clean_cohort(cohort, starts_on)
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
        "enrolment.invited",
        cohort=cohort,
        starts_on=starts_on.isoformat() if starts_on else None,
    )
    return enrolment


@transaction.atomic
def enrolment_set_cohort(
    *, actor: User | None, enrolment: Enrolment, cohort: str, starts_on=None
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
        "enrolment.cohort_changed",
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
    starts_on=None,
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
        "enrolment.approved" if approve else "enrolment.refused",
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
        "enrolment.invitation_declined" if previous == "invited" else "enrolment.withdrawn",
        previous=previous,
    )
    return enrolment
