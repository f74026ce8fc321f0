from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def dashboard_link(request: HttpRequest) -> dict:
    """Whether the navigation shows the workload dashboard (lazy: one check, when shown)."""

    def allowed() -> bool:
        from accounts.permissions import VIEW_DASHBOARD, has_administration_perm

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        current = getattr(request, "administration", None)
        return bool(current) and has_administration_perm(user, VIEW_DASHBOARD, current)

    return {"can_view_dashboard": SimpleLazyObject(allowed)}
