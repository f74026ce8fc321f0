"""The actions accounts writes to the administration journal (``AuditEntry.action``).

The values are the ones already stored in the database: old rows keep reading right.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .journal import register_actions


@register_actions
class AccountsAuditAction(models.TextChoices):
    # members
    MEMBERSHIP_ADDED = "membership.added", _("Member added")
    MEMBERSHIP_RESTORED = "membership.restored", _("Member restored")
    MEMBERSHIP_INVITED = "membership.invited", _("Member invited")
    MEMBERSHIP_ACCEPTED = "membership.accepted", _("Invitation accepted")
    MEMBERSHIP_DECLINED = "membership.declined", _("Invitation declined")
    MEMBERSHIP_ROLE_CHANGED = "membership.role_changed", _("Role changed")
    MEMBERSHIP_TEAM_CHANGED = "membership.team_changed", _("Team changed")
    MEMBERSHIP_DEACTIVATED = "membership.deactivated", _("Member deactivated")
    MEMBERSHIP_REACTIVATED = "membership.reactivated", _("Member reactivated")
    MEMBERSHIP_REMOVED = "membership.removed", _("Member removed")
    MEMBERSHIP_IMPORTED = "membership.imported", _("Members imported from a file")
    MEMBERSHIP_NAME_FROM_PROCONNECT = (
        "membership.name_from_proconnect",
        _("Name updated from ProConnect"),
    )
    # volunteers
    ENROLMENT_REQUESTED = "enrolment.requested", _("Volunteering requested")
    ENROLMENT_APPROVED = "enrolment.approved", _("Volunteer approved")
    ENROLMENT_REFUSED = "enrolment.refused", _("Volunteering refused")
    ENROLMENT_WITHDRAWN = "enrolment.withdrawn", _("Volunteer withdrew")
    ENROLMENT_CONSENT_PUBLISHED = "enrolment.consent_published", _("Consent text published")
    ENROLMENT_QUOTA_CHANGED = "enrolment.quota_changed", _("Volunteer quota changed")
    ENROLMENT_INVITED = "enrolment.invited", _("Invited to a cohort")
    ENROLMENT_INVITATION_ACCEPTED = (
        "enrolment.invitation_accepted",
        _("Cohort invitation accepted"),
    )
    ENROLMENT_INVITATION_DECLINED = (
        "enrolment.invitation_declined",
        _("Cohort invitation declined"),
    )
    ENROLMENT_COHORT_CHANGED = "enrolment.cohort_changed", _("Cohort changed")
    # administration settings kept by accounts
    SETTINGS_TEXTS_CHANGED = "settings.texts_changed", _("Signature and closing formula changed")
    # API access (the values written since tokens exist; the labels were filed under
    # "access.token_*", which nothing wrote)
    TOKEN_CREATED = "token.created", _("API token created")
    TOKEN_REVOKED = "token.revoked", _("API token revoked")
