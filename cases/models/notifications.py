"""Agents' notifications: what happened on their cases while they were elsewhere (issue 16)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Administration

from .case import Case


class Notification(models.Model):
    """One thing an agent should know about one of their cases; read once seen."""

    class Kind(models.TextChoices):
        USAGER_ANSWERED = "usager_answered", _("The usager answered your case")
        ASSIGNED = "assigned", _("A case was assigned to you")
        DUE_SOON = "due_soon", _("Your case is due within 24 hours")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # When the daily digest told the agent by e-mail (unread notifications only, once).
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The header's counter and the list: a user's unread ones in one administration.
            models.Index(
                fields=["user", "administration", "-created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["user", "-created_at"], name="notification_user_idx"),
        ]
        constraints = [
            # "Due within 24 h" is said once per case and agent.
            models.UniqueConstraint(
                fields=["user", "case"],
                condition=Q(kind="due_soon"),
                name="notification_due_soon_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.get_kind_display()} · {self.case_id}"


class NotificationPreference(models.Model):
    """What an agent chooses to be told (Mon profil → Notifications); defaults when absent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    usager_answered = models.BooleanField(_("the usager answered one of my cases"), default=True)
    assigned = models.BooleanField(_("a case was assigned to me"), default=True)
    due_soon = models.BooleanField(_("one of my cases is due within 24 hours"), default=True)
    daily_digest = models.BooleanField(
        _("also send me a daily e-mail summary of what I have not read"), default=False
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id} · notifications"

    def wants(self, kind: str) -> bool:
        return bool(getattr(self, kind, True))
