from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Administration, User

from ..models import Notification, NotificationPreference


def notifications_unread_count(user: User, administration: Administration) -> int:
    return Notification.objects.filter(
        user=user, administration=administration, read_at__isnull=True
    ).count()


def notifications_of(user: User, administration: Administration) -> QuerySet[Notification]:
    """The user's notifications in ``administration``, newest first."""
    return (
        Notification.objects.filter(user=user, administration=administration)
        .select_related("case")
        .only("pk", "kind", "created_at", "read_at", "case__id", "case__reference", "case__subject")
    )


def notification_preference(user: User) -> NotificationPreference:
    """The user's choices (unsaved defaults when they never chose)."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )
