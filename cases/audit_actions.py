"""The administration journal's actions written by cases (``AuditEntry.action``), with their
label (English msgid, French in the .po files). Registered from ``CasesConfig.ready()``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.audit.words import register_words
from accounts.journal import register_actions

from .models.choices import Channel
from .models.intake import Mailbox


@register_actions
class CasesAuditAction(models.TextChoices):
    DEADLINES_CHANGED = "settings.deadlines_changed", _("Response deadlines changed")
    TOPIC_CREATED = "settings.topic_created", _("Topic created")
    TOPIC_RENAMED = "settings.topic_renamed", _("Topic renamed")
    TOPIC_RETIRED = "settings.topic_retired", _("Topic retired")
    TOPIC_REACTIVATED = "settings.topic_reactivated", _("Topic offered again")
    CHANNEL_ENDPOINT_SAVED = "settings.channel_endpoint_saved", _("Channel endpoint saved")
    CHANNEL_ENDPOINT_DELETED = "settings.channel_endpoint_deleted", _("Channel endpoint deleted")
    REPLY_REFERENCES_CHANGED = (
        "settings.reply_references_changed",
        _("“Pour en savoir plus” list in replies turned on or off"),
    )
    # E-mail intake (cases/intake/): mailboxes, acknowledgements, unreadable messages.
    MAILBOX_SAVED = "settings.mailbox_saved", _("Mailbox settings saved")
    MAILBOX_DELETED = "settings.mailbox_deleted", _("Mailbox removed")
    MAILBOX_ERROR = "mail.mailbox_error", _("Mailbox could not be read")
    MAIL_QUARANTINED = "mail.quarantined", _("Unreadable e-mail quarantined")
    # Files refused by the antivirus (cases/files.py), whatever the way they came in.
    ATTACHMENT_INFECTED = "security.attachment_infected", _("Infected file refused (antivirus)")
    ACKNOWLEDGEMENT_CHANGED = (
        "settings.acknowledgement_changed",
        _("Acknowledgement of receipt changed"),
    )
    RETENTION_CHANGED = "settings.retention_changed", _("Retention period for closed cases changed")
    RETENTION_ANONYMISED = "retention.anonymised", _("Closed cases anonymised (retention period)")
    RIGHTS_EXPORTED = "rights.exported", _("Usager's data exported (access request)")
    RIGHTS_ERASED = "rights.erased", _("Usager's data erased (erasure request)")


# The journal's details in words: the deadlines are written per channel.
register_words(
    fields={value: label for value, label in Channel.choices},
    values={"channel": dict(Channel.choices)},
)

# Mailboxes, acknowledgements, quarantine and retention (cases/intake/, cases/retention/).
register_words(
    fields={
        "error": _("error"),
        "mailbox_id": _("mailbox"),
        "quarantine_id": _("quarantined message"),
        "source": _("read from"),
        "channels": _("channels"),
        "before_channels": _("channels before"),
        "password_changed": _("password changed"),
        "service_contact": _("service contact"),
        "text_changed": _("text changed"),
        "cases": _("cases"),
        "first_case_id": _("first case"),
        "last_case_id": _("last case"),
        "references": _("references"),
        "retention_days": _("retention period (days)"),
    },
    # A mailbox's error is a category (Mailbox.Failure), never the server's words.
    values={"error": dict(Mailbox.Failure.choices)},
)

# Files refused by the antivirus (cases/files.py).
register_words(
    fields={
        "virus": _("virus found"),
        "sha256": _("SHA-256 fingerprint"),
        "size": _("size (bytes)"),
    }
)
