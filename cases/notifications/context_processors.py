from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.access import current_administration

from .selectors import notifications_unread_count


def unread_notifications(request: HttpRequest) -> dict:
    """The header's counter (lazy: one COUNT on the partial index, only when shown)."""

    def count() -> int:
        user = getattr(request, "user", None)
        administration = current_administration(request)
        if user is None or not user.is_authenticated or administration is None:
            return 0
        return notifications_unread_count(user, administration)

    return {"unread_notifications": SimpleLazyObject(count)}
