"""Writes on accounts: administrations, memberships and their role groups."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
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


# --- volunteer enrolment ----------------------------------------------------------------------


def consent_publish(*, administration: Administration, text: str) -> ConsentText:
    """A new version of the consent text (earlier consents stay tied to their version)."""
    last = ConsentText.objects.filter(administration=administration).order_by("-version").first()
    return ConsentText.objects.create(
        administration=administration, version=(last.version + 1) if last else 1, text=text
    )


@transaction.atomic
def enrolment_request(
    *, actor: User, administration: Administration, consent: ConsentText
) -> Enrolment:
    """An agent volunteers, having read ``consent`` (the administration's current text)."""
    if not Membership.objects.filter(
        user=actor, administration=administration, is_active=True
    ).exists():
        raise PermissionDenied("Only members of the administration may volunteer.")
    current = ConsentText.objects.filter(administration=administration).order_by("-version")
    if consent.administration_id != administration.pk or consent != current.first():
        raise ValidationError(
            {"consent": [ValidationError("Read the current consent text.", code="stale")]}
        )
    if Enrolment.objects.filter(
        user=actor, administration=administration, status__in=["requested", "approved"]
    ).exists():
        raise ValidationError(
            {"status": [ValidationError("You already volunteered.", code="duplicate")]}
        )
    return Enrolment.objects.create(
        user=actor, administration=administration, consent=consent, consented_at=timezone.now()
    )


@transaction.atomic
def enrolment_decide(
    *, actor: User | None, enrolment: Enrolment, approve: bool, message: str = ""
) -> Enrolment:
    """An administrator approves or refuses a request (``actor`` None: national staff tools)."""
    if actor is not None and not has_administration_perm(
        actor, MANAGE_MEMBERS, enrolment.administration
    ):
        raise PermissionDenied("Only administrators decide on volunteers.")
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status != Enrolment.Status.REQUESTED:
        raise ValidationError(
            {"status": [ValidationError("This request was already decided.", code="decided")]}
        )
    enrolment.status = Enrolment.Status.APPROVED if approve else Enrolment.Status.REFUSED
    enrolment.decided_at = timezone.now()
    enrolment.decided_by = actor
    enrolment.message = message.strip()
    enrolment.save()
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, actor: User, enrolment: Enrolment) -> Enrolment:
    """One click, at any time, effective at once: no draft is shown to them afterwards."""
    if enrolment.user_id != actor.pk:
        raise PermissionDenied("Only the volunteer withdraws their own participation.")
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status not in (Enrolment.Status.REQUESTED, Enrolment.Status.APPROVED):
        raise ValidationError(
            {"status": [ValidationError("You are not taking part.", code="not_enrolled")]}
        )
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = timezone.now()
    enrolment.save()
    return enrolment


# --- administration settings ------------------------------------------------------------------

SIGNATURE_MAX_LENGTH = 2000


@transaction.atomic
def administration_update_texts(
    *, actor: User, administration: Administration, signature: str, closing: str
) -> Administration:
    """The signature and closing formula that end drafts and replies, journaled."""
    from .permissions import MANAGE_SETTINGS

    if not has_administration_perm(actor, MANAGE_SETTINGS, administration):
        raise PermissionDenied(
            _("Your role does not allow managing this administration's settings.")
        )
    signature = (signature or "").strip()
    closing = (closing or "").strip()
    errors: dict[str, list[ValidationError]] = {}
    if len(signature) > SIGNATURE_MAX_LENGTH:
        errors["signature"] = [
            ValidationError(
                _("This text is too long (%(max)d characters at most).")
                % {"max": SIGNATURE_MAX_LENGTH},
                code="max_length",
            )
        ]
    if len(closing) > 300:
        errors["closing"] = [
            ValidationError(
                _("This text is too long (%(max)d characters at most).") % {"max": 300},
                code="max_length",
            )
        ]
    if errors:
        raise ValidationError(errors)
    administration = Administration.objects.select_for_update().get(pk=administration.pk)
    before = {"signature": administration.signature, "closing": administration.closing}
    after = {"signature": signature, "closing": closing}
    if before == after:
        return administration
    administration.signature = signature
    administration.closing = closing
    administration.save(update_fields=["signature", "closing"])
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.SETTINGS,
        action="settings.texts_changed",
        target_label=administration.name,
        data={"before": before, "after": after},
    )
    return administration
