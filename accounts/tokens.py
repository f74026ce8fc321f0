"""Writes and reads on API tokens (the tokens' room: keys, scopes, creation, revocation).

A key reads ``gch_<prefix>_<secret>``: the prefix finds the row, the whole key is hashed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit_actions import AccountsAuditAction
from .models import Administration, ApiToken, AuditEntry, Membership, User
from .permissions import (
    MANAGE_MEMBERS,
    administration_perms_column,
    has_administration_perm,
    quoted_column,
    remember_administration_perms,
)
from .services import audit_record

KEY_START = "gch_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"


# A token that expires does so within this many days (an integration's key is rotated at least
# this often when an expiry is chosen); without an expiry it lives until revoked.
MAX_LIFETIME_DAYS = 3 * 365


def token_expiry(expires_on: dt.date | None) -> dt.datetime | None:
    """The moment a token chosen to expire "on" a day stops working: the end of that day."""
    if expires_on is None:
        return None
    next_day = dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(next_day)


@transaction.atomic
def api_token_create(
    *,
    actor: User,
    administration: Administration,
    name: str,
    scope: str,
    expires_on: dt.date | None = None,
) -> tuple[ApiToken, str]:
    """A new token of ``administration``; returns it with its key, which is never shown again.

    ``expires_on``: the last day the token works (optional), from today to MAX_LIFETIME_DAYS.
    """
    if not has_administration_perm(actor, MANAGE_MEMBERS, administration):
        raise PermissionDenied("Only administrators create API tokens.")
    name = (name or "").strip()
    errors: dict[str, list[ValidationError]] = {}
    if not name:
        errors["name"] = [ValidationError(_("Give the token a name."), code="required")]
    elif len(name) > 100:
        errors["name"] = [ValidationError(_("At most 100 characters."), code="max_length")]
    if scope not in ApiToken.Scope.values:
        errors["scope"] = [ValidationError(_("Choose a scope."), code="invalid_choice")]
    today = timezone.localdate()
    if expires_on is not None and not (
        today <= expires_on <= today + dt.timedelta(days=MAX_LIFETIME_DAYS)
    ):
        errors["expires_on"] = [
            ValidationError(
                _("Choose a day between today and %(days)s days from now.")
                % {"days": MAX_LIFETIME_DAYS},
                code="invalid",
            )
        ]
    if errors:
        raise ValidationError(errors)
    prefix, key = _new_key()
    token = ApiToken.objects.create(
        administration=administration,
        name=name,
        scope=scope,
        prefix=prefix,
        key_hash=hash_key(key),
        created_by=actor,
        expires_at=token_expiry(expires_on),
    )
    audit_record(
        administration=administration,
        actor=actor,
        category=AuditEntry.Category.ACCESS,
        action=AccountsAuditAction.TOKEN_CREATED,
        target_label=f"{name} ({prefix})",
        data={
            "scope": scope,
            "prefix": prefix,
            "expires_on": expires_on.isoformat() if expires_on else None,
        },
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke at once: the next request with the key is refused. Revoking twice is a no-op."""
    if not has_administration_perm(actor, MANAGE_MEMBERS, token.administration):
        raise PermissionDenied("Only administrators revoke API tokens.")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        administration=token.administration,
        actor=actor,
        category=AuditEntry.Category.ACCESS,
        action=AccountsAuditAction.TOKEN_REVOKED,
        target_label=f"{token.name} ({token.prefix})",
        data={"scope": token.scope, "prefix": token.prefix},
    )
    return token


def api_tokens_of(administration: Administration) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(administration=administration).select_related("created_by")


def api_token_authenticate(key: str) -> ApiToken | None:
    """The live token for ``key``, or None: unknown, malformed, revoked, expired, or its creator
    is no longer an active member of the token's administration (deactivation takes effect at
    once)."""
    if not key.startswith(KEY_START) or key.count("_") < 2:
        return None
    prefix = key[len(KEY_START) :].split("_", 1)[0]
    # One query: the token, its administration, its creator, whether the creator is still an
    # active member there, and what the creator may do there (the door asks next).
    tokens = ApiToken.objects.select_related("administration", "created_by").annotate(
        creator_is_member=Exists(
            Membership.objects.filter(
                user_id=OuterRef("created_by_id"),
                administration_id=OuterRef("administration_id"),
                is_active=True,
            )
        )
    )
    perms = administration_perms_column(
        user=quoted_column(ApiToken, "created_by"),
        administration=quoted_column(ApiToken, "administration"),
    )
    if perms is not None:
        tokens = tokens.annotate(creator_perms=perms)
    token = tokens.filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.key_hash, hash_key(key)):
        return None
    if token.is_expired:
        return None
    creator = token.created_by
    if not creator.is_active:
        return None
    if not creator.is_superuser and not token.creator_is_member:
        return None
    if perms is not None:
        remember_administration_perms(
            creator, token.administration_id, getattr(token, "creator_perms", None)
        )
    return token


# last_used_at is written at most once a minute per token: a busy integration would
# otherwise turn every read into a write.
LAST_USED_RESOLUTION_SECONDS = 60


def api_token_touch(token: ApiToken) -> None:
    now = timezone.now()
    if (
        token.last_used_at is not None
        and (now - token.last_used_at).total_seconds() < LAST_USED_RESOLUTION_SECONDS
    ):
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
