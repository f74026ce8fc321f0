"""Writes on user accounts that are not a member's administration: ProConnect's identity."""

from __future__ import annotations

from django.db import transaction

from ..audit_actions import AccountsAuditAction
from ..followups.registry import followup_add
from ..models import AuditEntry, Membership, User
from ..tasks import RESET_LINK_MAIL
from .journal import audit_record


@transaction.atomic
def user_update_from_proconnect(*, user: User, first_name: str, last_name: str) -> User:
    """Take the name ProConnect gives for ``user`` (signing in), journaled where they work.

    ProConnect never creates an account: it only keeps the name of an existing member up to
    date. Each change is written to the journal of every administration the user is an active
    member of, with the user as actor (the provider acted on their behalf).
    """
    max_length = User._meta.get_field("first_name").max_length
    first_name = (first_name or "").strip()[:max_length]
    last_name = (last_name or "").strip()[:max_length]
    before = {"first_name": user.first_name, "last_name": user.last_name}
    changed = []
    if first_name and user.first_name != first_name:
        user.first_name = first_name
        changed.append("first_name")
    if last_name and user.last_name != last_name:
        user.last_name = last_name
        changed.append("last_name")
    if not changed:
        return user
    user.save(update_fields=changed)
    after = {"first_name": user.first_name, "last_name": user.last_name}
    memberships = Membership.objects.filter(user=user, is_active=True).select_related(
        "administration"
    )
    for membership in memberships:
        audit_record(
            administration=membership.administration,
            actor=user,
            category=AuditEntry.Category.MEMBERSHIP,
            action=AccountsAuditAction.MEMBERSHIP_NAME_FROM_PROCONNECT,
            target_label=user.email,
            data={"before": before, "after": after},
        )
    return user


@transaction.atomic
def password_reset_request(*, email: str, language: str = "") -> None:
    """Someone asked for a reset link for ``email``: one follow-up, whether any account may get
    one or not, and the worker looks the accounts up and mails them
    (``accounts.tasks.password_reset_mail``). The request does the same work for any address:
    neither its answer nor its time tells who has an account."""
    followup_add(kind=RESET_LINK_MAIL, email=email, language=language)
