"""Writes on accounts, by subdomain; every public name is re-exported here so that
``from accounts.services import audit_record`` (and ``services.membership_create``) keep working.

- ``journal``: the one writer of the administration journal (``audit_record``);
- ``administrations``: administrations, their role groups, the texts that end replies;
- ``members``: invitation, role, deactivation, removal, CSV import;
- ``enrolment``: volunteers of the drafting experiment (consent, quota, cohorts);
- ``users``: what ProConnect changes on an account.

API tokens are written by ``accounts.tokens``.
"""

from .administrations import (
    SIGNATURE_MAX_LENGTH,
    administration_create,
    administration_update_texts,
    membership_sync_groups,
    role_groups_ensure,
)
from .enrolment import (
    consent_publish,
    enrolment_decide,
    enrolment_invite,
    enrolment_request,
    enrolment_set_cohort,
    enrolment_withdraw,
    volunteer_quota_set,
)
from .journal import audit_record
from .members import (
    member_invite,
    members_import,
    membership_accept,
    membership_change_role,
    membership_create,
    membership_decline,
    membership_delete,
    membership_set_active,
    memberships_join_at_sign_in,
    normalise_email,
)
from .users import password_reset_request, user_update_from_proconnect

__all__ = [
    "SIGNATURE_MAX_LENGTH",
    "administration_create",
    "administration_update_texts",
    "audit_record",
    "consent_publish",
    "enrolment_decide",
    "enrolment_invite",
    "enrolment_request",
    "enrolment_set_cohort",
    "enrolment_withdraw",
    "member_invite",
    "members_import",
    "membership_accept",
    "membership_change_role",
    "membership_create",
    "membership_decline",
    "membership_delete",
    "membership_set_active",
    "membership_sync_groups",
    "memberships_join_at_sign_in",
    "normalise_email",
    "password_reset_request",
    "role_groups_ensure",
    "user_update_from_proconnect",
    "volunteer_quota_set",
]
