from django.http import HttpRequest


def current_administration(request: HttpRequest) -> dict:
    from django.utils.functional import SimpleLazyObject

    from .permissions import MANAGE_MEMBERS, has_administration_perm

    administration = getattr(request, "administration", None)
    current = administration if administration else None

    def can_manage() -> bool:
        return bool(current) and has_administration_perm(request.user, MANAGE_MEMBERS, current)

    def can_audit() -> bool:
        from .permissions import VIEW_AUDIT

        return bool(current) and has_administration_perm(request.user, VIEW_AUDIT, current)

    return {
        "current_administration": current,
        # Lazy: only pages that show the navigation pay for the permission check.
        "can_manage_members": SimpleLazyObject(can_manage),
        "can_view_audit": SimpleLazyObject(can_audit),
    }


def user_administrations(request: HttpRequest) -> dict:
    """The administrations the user can switch between, for the header (one query, lazily)."""
    from django.utils.functional import SimpleLazyObject

    from .selectors import administrations_of

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_administrations": []}
    return {"user_administrations": SimpleLazyObject(lambda: list(administrations_of(user)))}
