"""Writes on administrations: creation with their role groups, the texts that end replies."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from ..audit_actions import AccountsAuditAction
from ..models import Administration, AuditEntry, Membership, Role, RoleGroup, User
from ..permissions import MANAGE_SETTINGS, ROLE_PERMISSIONS, has_administration_perm
from .journal import audit_record


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


# --- administration settings ------------------------------------------------------------------

SIGNATURE_MAX_LENGTH = 2000


@transaction.atomic
def administration_update_texts(
    *, actor: User, administration: Administration, signature: str, closing: str
) -> Administration:
    """The signature and closing formula that end drafts and replies, journaled."""
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
        action=AccountsAuditAction.SETTINGS_TEXTS_CHANGED,
        target_label=administration.name,
        data={"before": before, "after": after},
    )
    return administration
