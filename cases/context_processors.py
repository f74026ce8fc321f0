from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.access import may
from accounts.permissions import VIEW_DASHBOARD


def dashboard_link(request: HttpRequest) -> dict:
    """Whether the navigation shows the workload dashboard (lazy: one check, when shown)."""

    def allowed() -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        return may(request, VIEW_DASHBOARD)

    return {"can_view_dashboard": SimpleLazyObject(allowed)}
