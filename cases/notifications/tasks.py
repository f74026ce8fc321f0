from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="cases.notifications.tasks.notify_due_soon")
def notify_due_soon() -> int:
    """Run every hour by beat: "your case is due within 24 h", once per case and agent."""
    return services.notify_due_soon()


@shared_task(name="cases.notifications.tasks.send_notification_digests")
def send_notification_digests() -> int:
    """Run every morning by beat: the daily e-mail summary for agents who asked for it."""
    return services.send_notification_digests()
