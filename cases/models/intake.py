"""What the channels deliver: idempotency rows, read e-mails, attachments."""

import uuid
from pathlib import PurePosixPath

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Administration

from .case import Case
from .choices import Channel


def _attachment_path(instance: "Attachment", filename: str) -> str:
    # Random names: nothing the sender wrote (file name, path) reaches the file system.
    suffix = PurePosixPath(filename).suffix.lower()
    return f"attachments/{instance.case.administration_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file the usager sent with their message, checked by content and stored under a
    random name (see cases/intake.py)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("original name"), max_length=255, blank=True)
    # Detected from the content (magic bytes), never taken from the sender.
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.original_name or self.file.name}"


class IntakeDelivery(models.Model):
    """One delivery received on an intake endpoint, by its idempotency key: a retried
    delivery finds its row and gets the same case back instead of a second case."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="intake_deliveries"
    )
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    key = models.CharField(_("idempotency key"), max_length=200)
    payload_hash = models.CharField(_("payload hash"), max_length=64)
    # The channel's own identifier of what it sent (experience, question, record), returned
    # with the reply so that the channel can attach it.
    external_id = models.CharField(_("identifier in the channel"), max_length=200, blank=True)
    # Empty only inside the transaction that creates the case (the row is written first, so
    # that a concurrent delivery with the same key waits on the unique index).
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="intake_deliveries"
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("intake delivery")
        verbose_name_plural = _("intake deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "channel", "key"], name="intake_delivery_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.administration_id} · {self.channel} · {self.key}"


class InboundEmail(models.Model):
    """An e-mail read by ``intake_mail``: by Message-ID (or a hash of the raw message), so
    that a message is never processed twice."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Case created")
        APPENDED = "appended", _("Added to an existing case")

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="inbound_emails"
    )
    message_key = models.CharField(_("message key"), max_length=64)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="inbound_emails")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    created_at = models.DateTimeField(_("read"), auto_now_add=True)

    class Meta:
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "message_key"], name="inbound_email_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.administration_id} · {self.message_id or self.message_key}"
