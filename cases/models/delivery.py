"""Outbound delivery of replies: channel endpoints and one delivery row per reply."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Administration

from .case import Reply
from .choices import Channel


class ChannelEndpoint(models.Model):
    """Where replies to a channel's cases go: an HTTP callback, signed with a shared secret.

    Without an active endpoint, replies go by e-mail to the usager's address.
    """

    administration = models.ForeignKey(
        Administration,
        verbose_name=_("administration"),
        on_delete=models.CASCADE,
        related_name="channel_endpoints",
    )
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    callback_url = models.URLField(
        _("callback URL"),
        max_length=500,
        help_text=_("Replies are POSTed here as JSON, signed in the X-Guichet-Signature header."),
    )
    signing_secret = models.CharField(
        _("signing secret"),
        max_length=200,
        help_text=_("Shared with the receiver, which checks the HMAC-SHA256 of each body."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("channel endpoint")
        verbose_name_plural = _("channel endpoints")
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "channel"], name="channel_endpoint_one_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.administration} · {self.get_channel_display()}"


class Delivery(models.Model):
    """The delivery of one reply to the usager, through the case's channel.

    One row per reply (database-unique); workers claim it with a conditional UPDATE, so a
    reply is delivered once however many tasks race for it.
    """

    class Backend(models.TextChoices):
        EMAIL = "email", _("E-mail")
        HTTP_CALLBACK = "http_callback", _("HTTP callback")
        NONE = "none", _("No delivery route")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    reply = models.OneToOneField(Reply, on_delete=models.CASCADE, related_name="delivery")
    backend = models.CharField(_("backend"), max_length=20, choices=Backend.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When a pending delivery is due (its task may be waiting in the queue until then); a
    # pending row long past it lost its task (broker down) and is queued again.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    # The e-mail's own Message-ID (e-mail backend): the usager's answer threads on it
    # (In-Reply-To / References), and a bounce naming it marks this delivery failed.
    message_id = models.CharField(_("Message-ID"), max_length=250, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "delivered", "failed"]),
                name="delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(delivered_at__isnull=True) | Q(status="delivered"),
                name="delivery_delivered_at_only_when_delivered",
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="delivery_status_idx")]

    def __str__(self) -> str:
        return f"{self.reply_id} · {self.backend} · {self.status}"


class Acknowledgement(models.Model):
    """The acknowledgement of receipt of one case (CRPA L112-3, R112-5): at most one per case
    (database-unique), sent through the case's channel, its outcome kept here and journaled."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="acknowledgement"
    )
    backend = models.CharField(_("backend"), max_length=20, choices=Delivery.Backend.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=250, blank=True, db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("acknowledgement of receipt")
        verbose_name_plural = _("acknowledgements of receipt")

    def __str__(self) -> str:
        return f"{self.case_id} · {self.status}"
