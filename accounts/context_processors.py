from django.http import HttpRequest


def current_administration(request: HttpRequest) -> dict:
    administration = getattr(request, "administration", None)
    return {"current_administration": administration if administration else None}


def user_administrations(request: HttpRequest) -> dict:
    """The administrations the user can switch between, for the header (one query, lazily)."""
    from django.utils.functional import SimpleLazyObject

    from .selectors import administrations_of

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_administrations": []}
    return {"user_administrations": SimpleLazyObject(lambda: list(administrations_of(user)))}
