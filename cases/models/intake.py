"""What the channels deliver: idempotency rows, read e-mails, attachments."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
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
    """A file the usager sent with their message, or one an agent sent with a reply; checked
    by content and stored under a random name (see cases/intake/attachments.py).

    An agent's file is written at the preview ("pending": ``pending_token`` set, ``reply``
    empty) and bound to its reply by ``case_send_reply`` in the reply's transaction; pending
    files never confirmed are deleted by ``reply_attachments_purge_pending``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    # Empty for the usager's files (and for an agent's file still pending).
    reply = models.ForeignKey(
        "cases.Reply",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The preview's token while the agent has not confirmed the reply; empty afterwards.
    pending_token = models.CharField(max_length=64, blank=True, db_index=True)
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
    """An e-mail read by ``intake_mail`` or from a mailbox: by Message-ID (or a hash of the raw
    message), so that a message is never processed twice."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("Case created")
        APPENDED = "appended", _("Added to an existing case")
        REOPENED = "reopened", _("Closed case reopened")
        FOLLOW_UP = "follow_up", _("Follow-up case opened")
        AUTO_REPLY = "auto_reply", _("Automatic reply (recorded only)")
        BOUNCE = "bounce", _("Delivery failure notice (recorded only)")

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="inbound_emails"
    )
    message_key = models.CharField(_("message key"), max_length=64)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    # Empty for an automatic reply or a bounce that matches no case.
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="inbound_emails"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    # The whole text as received (quoted history and signature included), shown folded on
    # the case page; the case and its journal keep the new text only.
    full_text = models.TextField(_("full message"), blank=True)
    created_at = models.DateTimeField(_("read"), auto_now_add=True)

    class Meta:
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "message_key"], name="inbound_email_once"
            )
        ]
        indexes = [
            models.Index(fields=["administration", "message_id"], name="inbound_email_mid_idx")
        ]

    def __str__(self) -> str:
        return f"{self.administration_id} · {self.message_id or self.message_key}"


class Mailbox(models.Model):
    """An administration's IMAP mailbox, polled by ``mailboxes_poll`` (Celery beat) and the
    ``mail_poll`` command. The password is stored encrypted (Fernet, key from
    ``MAILBOX_ENCRYPTION_KEY``), never in clear."""

    class Security(models.TextChoices):
        SSL = "ssl", _("TLS from the start (IMAPS, port 993)")
        STARTTLS = "starttls", _("STARTTLS (port 143)")
        NONE = "none", _("None (local test servers only)")

    class AfterRead(models.TextChoices):
        MOVE = "move", _("Move to a folder")
        FLAG = "flag", _("Mark as read (flag)")

    class Failure(models.TextChoices):
        """Why the mailbox could not be read, in ``last_error``: a category, never the
        server's own words (those go to the application log)."""

        REFUSED = "refused", _("connection refused")
        TIMEOUT = "timeout", _("timed out")
        CREDENTIALS = "credentials", _("credentials refused")
        UNEXPECTED = "unexpected", _("unexpected reply from the server")
        FORBIDDEN = "forbidden", _("server address, port or security not allowed")
        PASSWORD = "password", _("the stored password cannot be read: enter it again")
        ANTIVIRUS = "antivirus", _("antivirus unavailable: reading resumes when it answers")
        INTERNAL = "internal", _("internal error: the technical team will find it in the log")

    administration = models.OneToOneField(
        Administration, on_delete=models.CASCADE, related_name="mailbox"
    )
    address = models.EmailField(
        _("address usagers write to"),
        blank=True,
        help_text=_("Set as Reply-To of the mails Guichet sends, so that answers come back here."),
    )
    host = models.CharField(_("IMAP server"), max_length=253)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("security"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("user name"), max_length=254)
    password_encrypted = models.TextField(blank=True)
    folder = models.CharField(_("folder read"), max_length=200, default="INBOX")
    after_read = models.CharField(
        _("after reading"), max_length=10, choices=AfterRead.choices, default=AfterRead.MOVE
    )
    processed_folder = models.CharField(
        _("folder for read messages"), max_length=200, default="Guichet"
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last read"), null=True, blank=True)
    # Held by the poller reading it (a dead poller's lease expires).
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return f"{self.username}@{self.host}"

    @property
    def last_error_label(self) -> str:
        """``last_error`` in words (an error recorded before categories: "unexpected")."""
        if not self.last_error:
            return ""
        labels = dict(self.Failure.choices)
        return str(labels.get(self.last_error, self.Failure.UNEXPECTED.label))


class MailboxMessage(models.Model):
    """One message of a mailbox seen by the poller, by UIDVALIDITY and UID: read once."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="messages")
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20)
    created_at = models.DateTimeField(_("read"), auto_now_add=True)

    class Meta:
        verbose_name = _("mailbox message")
        verbose_name_plural = _("mailbox messages")
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], name="mailbox_message_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mailbox_id} · {self.uidvalidity}/{self.uid}"


class QuarantinedEmail(models.Model):
    """A message that could not be read (malformed, NUL bytes, too deep, refused by the
    database): kept as received, journaled and shown to administrators; the next messages
    are read."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="quarantined_emails"
    )
    source = models.CharField(_("source"), max_length=500)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    sha256 = models.CharField(max_length=64)
    raw = models.BinaryField(_("message as received"))
    size = models.PositiveIntegerField(_("size in bytes"))
    error = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("quarantined"), auto_now_add=True)

    class Meta:
        verbose_name = _("quarantined e-mail")
        verbose_name_plural = _("quarantined e-mails")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "sha256"], name="quarantined_email_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.administration_id} · {self.source}"


class AcknowledgementSettings(models.Model):
    """Per administration: the channels whose new cases get an acknowledgement of receipt,
    and its text (French, with the mentions the law expects kept as placeholders)."""

    administration = models.OneToOneField(
        Administration, on_delete=models.CASCADE, related_name="acknowledgement_settings"
    )
    channels = models.JSONField(_("channels"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    service_contact = models.CharField(
        _("service contact"),
        max_length=500,
        blank=True,
        help_text=_("How to reach the service in charge (address, phone, e-mail)."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("acknowledgement settings")
        verbose_name_plural = _("acknowledgement settings")

    def __str__(self) -> str:
        return f"{self.administration_id} · {self.channels}"
