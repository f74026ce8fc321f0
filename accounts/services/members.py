"""Writes on members: invitation, role, team, deactivation, removal, CSV import."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import signals
from ..audit_actions import AccountsAuditAction
from ..followups.registry import followup_add
from ..imports import parse
from ..models import Administration, AuditEntry, Membership, Role, User
from ..permissions import MANAGE_MEMBERS, has_administration_perm
from ..tasks import MEMBER_INVITATION
from .administrations import membership_sync_groups
from .journal import audit_record


def _member_label(membership: Membership) -> str:
    return membership.user.email


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
        action=(
            AccountsAuditAction.MEMBERSHIP_ADDED
            if created
            else AccountsAuditAction.MEMBERSHIP_RESTORED
        ),
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
    _lock_account(membership)
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if membership.pending and not active:
        # Withdrawing an invitation that was never accepted.
        audit_record(
            administration=membership.administration,
            actor=actor,
            category=AuditEntry.Category.MEMBERSHIP,
            action=AccountsAuditAction.MEMBERSHIP_REMOVED,
            target_label=_member_label(membership),
            data={"role": membership.role},
        )
        membership.delete()
        _forget_unused_account(membership.user_id)
        return membership
    if membership.is_active == active:
        return membership
    if membership.pending:
        raise ValidationError(
            {
                "is_active": [
                    ValidationError(
                        _("This invitation waits for the person's acceptance."), code="pending"
                    )
                ]
            }
        )
    _keep_an_administrator(membership, role=membership.role, active=active)
    membership.is_active = active
    membership.deactivated_at = None if active else timezone.now()
    membership.save(update_fields=["is_active", "deactivated_at"])
    membership_sync_groups(membership=membership)
    audit_record(
        administration=membership.administration,
        actor=actor,
        category=AuditEntry.Category.MEMBERSHIP,
        action=(
            AccountsAuditAction.MEMBERSHIP_REACTIVATED
            if active
            else AccountsAuditAction.MEMBERSHIP_DEACTIVATED
        ),
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
        action=(
            AccountsAuditAction.MEMBERSHIP_ROLE_CHANGED
            if before["role"] != role
            else AccountsAuditAction.MEMBERSHIP_TEAM_CHANGED
        ),
        target_label=_member_label(membership),
        data={"before": before, "after": after},
    )
    return membership


@transaction.atomic
def membership_delete(*, membership: Membership, actor: User | None = None) -> None:
    _lock_account(membership)
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    _keep_an_administrator(membership, role=membership.role, active=False)
    was_active = membership.is_active
    membership.is_active = False
    membership_sync_groups(membership=membership)
    audit_record(
        administration=membership.administration,
        actor=actor,
        category=AuditEntry.Category.MEMBERSHIP,
        action=AccountsAuditAction.MEMBERSHIP_REMOVED,
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
    _forget_unused_account(membership.user_id)


def _lock_account(membership: Membership) -> None:
    """Lock the membership's account before the membership: ``member_invite`` locks in that
    order, and a withdrawal and an invitation of the same address at once must not deadlock."""
    user_id = Membership.objects.filter(pk=membership.pk).values_list("user_id", flat=True)
    User.objects.select_for_update().filter(pk__in=user_id).exists()


def _referred_to(user: User) -> bool:
    """Whether a row of any app refers to the account and would go with it (an enrolment, a
    notification...): rows that protect it make its deletion fail instead."""
    for relation in User._meta.related_objects:  # every row's link to an account
        model = relation.related_model
        if model is None or model._meta.auto_created or model is Membership:
            continue  # groups, permissions: the account's own; memberships: none are left
        if model._default_manager.filter(**{relation.field.name: user}).exists():
            return True
    return False


def _forget_unused_account(user_id: int) -> None:
    """Delete the account an invitation made, once no invitation or membership is left for it
    and its person never used it (no password chosen, never signed in): a withdrawn invitation
    kept the address of someone who never joined. An account anything refers to stays."""
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if (
        user is None
        or user.is_superuser
        or user.is_staff
        or user.has_usable_password()
        or user.last_login is not None
        or Membership.objects.filter(user=user).exists()
        or _referred_to(user)
    ):
        return
    try:
        with transaction.atomic():
            user.delete()
    except (ProtectedError, RestrictedError):
        return


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


def _has_account_elsewhere(user: User, administration: Administration) -> bool:
    """Whether the person already uses Guichet: they chose a password or signed in once, or
    hold (or held) a membership elsewhere. Then joining takes their own consent, from their
    session. Invitations they never answered do not count: their first sign-in takes them all."""
    return (
        user.is_superuser
        or user.has_usable_password()
        or user.last_login is not None
        or Membership.objects.filter(user=user, pending=False)
        .exclude(administration=administration)
        .exists()
    )


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

    Every invitation is a *pending* membership, inactive until its person takes it, so that the
    inviting administration learns nothing about the address: the answer, the journal and the
    members list read the same for an address with an account elsewhere as for a new one (the
    names typed are kept on the membership and shown for it, never written over an account's
    own). A new person gets an account without a password and a link to choose one (or signs
    in with ProConnect when it is on): their next sign-in accepts the invitation
    (``memberships_join_at_sign_in``). Someone with an account in another administration
    accepts it from their own session (``membership_accept``). Inviting a pending address again
    updates its invitation and sends it again; an active member cannot be invited twice; a
    deactivated one is reactivated with the given role.
    """
    _require_manage_members(actor, administration)
    email = normalise_email(email)
    _check_role(role)
    first_name, last_name = first_name.strip()[:150], last_name.strip()[:150]
    # Locked: a withdrawal deleting this unused account at the same time (``_forget_unused_
    # account``) is waited for, and a new account made after it.
    user = User.objects.select_for_update().filter(email=email).first()
    if user is None:
        # A new account, without names: the ones typed stay on the membership (another
        # administration inviting the same address before the person signs in must not read
        # them); the person's first sign-in gives them to the account (``memberships_join_at_
        # sign_in``) when one invitation only brought them.
        user = User(email=email)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    existing = (
        Membership.objects.select_for_update()
        .filter(user=user, administration=administration)
        .first()
    )
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
    if existing is not None and not existing.pending:
        # A former member of this administration: it knows them already.
        membership = membership_create(
            user=user, administration=administration, role=role, team=team.strip(), actor=actor
        )
    else:
        membership = _membership_propose(
            user=user,
            administration=administration,
            role=role,
            team=team.strip(),
            first_name=first_name,
            last_name=last_name,
            joins_at_sign_in=(
                existing.joins_at_sign_in
                if existing is not None
                else not _has_account_elsewhere(user, administration)
            ),
        )
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.MEMBERSHIP,
        action=AccountsAuditAction.MEMBERSHIP_INVITED,
        target_label=email,
        data={"role": role, "team": membership.team},
    )
    if notify:
        followup_add(kind=MEMBER_INVITATION, membership_id=membership.pk)
    return membership


def _membership_propose(
    *,
    user: User,
    administration: Administration,
    role: str,
    team: str,
    first_name: str,
    last_name: str,
    joins_at_sign_in: bool,
) -> Membership:
    """A pending membership (no group, no access) waiting for the person."""
    membership, _created = Membership.objects.update_or_create(
        user=user,
        administration=administration,
        defaults={
            "role": role,
            "team": team[:100],
            "is_active": False,
            "pending": True,
            "joins_at_sign_in": joins_at_sign_in,
            "invited_first_name": first_name,
            "invited_last_name": last_name,
        },
    )
    return membership


@transaction.atomic
def membership_accept(*, user: User, membership: Membership) -> Membership:
    """The invited person accepts a pending membership from their own session."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.user_id != user.pk or not membership.pending:
        raise PermissionDenied(_("This invitation is not yours or no longer waiting."))
    membership.pending = False
    membership.is_active = True
    membership.deactivated_at = None
    membership.save(update_fields=["pending", "is_active", "deactivated_at"])
    membership_sync_groups(membership=membership)
    audit_record(
        administration=membership.administration,
        actor=user,
        category=AuditEntry.Category.MEMBERSHIP,
        action=AccountsAuditAction.MEMBERSHIP_ACCEPTED,
        target_label=user.email,
        data={"role": membership.role, "team": membership.team},
    )
    return membership


@transaction.atomic
def memberships_join_at_sign_in(*, user: User) -> list[Membership]:
    """The person signs in: the invitations that brought them to Guichet (``joins_at_sign_in``)
    are accepted, journaled in each administration like an acceptance from the session."""
    # Locked: two sign-ins at once accept each invitation once (the second finds none).
    waiting = list(
        Membership.objects.select_for_update().filter(
            user=user, pending=True, joins_at_sign_in=True
        )
    )
    joined = [membership_accept(user=user, membership=membership) for membership in waiting]
    if len(joined) == 1 and not (user.first_name or user.last_name):
        # The names the one administration that brought them typed become theirs (to change on
        # their profile); with several, each keeps showing its own (``Membership.shown_names``).
        user.first_name = joined[0].invited_first_name
        user.last_name = joined[0].invited_last_name
        user.save(update_fields=["first_name", "last_name"])
    return joined


@transaction.atomic
def membership_decline(*, user: User, membership: Membership) -> None:
    """The invited person declines: the pending membership goes, journaled."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.user_id != user.pk or not membership.pending:
        raise PermissionDenied(_("This invitation is not yours or no longer waiting."))
    audit_record(
        administration=membership.administration,
        actor=user,
        category=AuditEntry.Category.MEMBERSHIP,
        action=AccountsAuditAction.MEMBERSHIP_DECLINED,
        target_label=user.email,
        data={"role": membership.role},
    )
    membership.delete()


@transaction.atomic
def members_import(
    *, actor: User | None, administration: Administration, text: str
) -> list[Membership]:
    """Invite every row of a members CSV file, or nobody: one bad row writes nothing."""
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
        action=AccountsAuditAction.MEMBERSHIP_IMPORTED,
        target_label=ngettext("%(count)s member", "%(count)s members", len(memberships))
        % {"count": len(memberships)},
        data={"count": len(memberships)},
    )
    return memberships
