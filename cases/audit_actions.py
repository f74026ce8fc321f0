"""The administration journal's actions written by cases (``AuditEntry.action``), with their
label (English msgid, French in the .po files). Registered from ``CasesConfig.ready()``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.audit.words import register_words
from accounts.journal import register_actions

from .models.choices import Channel


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


# The journal's details in words: the deadlines are written per channel.
register_words(
    fields={value: label for value, label in Channel.choices},
    values={"channel": dict(Channel.choices)},
)
