from django.http import HttpRequest

# URL names of the administrators' pages: the "Administration" menu entry is current on them.
ADMINISTRATION_PAGES = frozenset(
    {
        "administration",
        "members",
        "members_import",
        "member_edit",
        "enrolments",
        "audit",
        "settings",
        "settings_deadlines",
        "settings_texts",
        "settings_topic_create",
        "settings_topic",
        "experiment",
        "knowledge",
        "knowledge_upload",
        "article_new",
        "article",
        "tokens",
    }
)


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

    def can(perm: str):
        return SimpleLazyObject(
            lambda: bool(current) and has_administration_perm(request.user, perm, current)
        )

    from .permissions import MANAGE_EXPERIMENT, MANAGE_SETTINGS

    return {
        "current_administration": current,
        # Lazy: only pages that show the navigation pay for the permission check.
        "can_manage_members": SimpleLazyObject(can_manage),
        "can_view_audit": SimpleLazyObject(can_audit),
        "can_manage_settings": can(MANAGE_SETTINGS),
        "can_manage_experiment": can(MANAGE_EXPERIMENT),
        "ADMINISTRATION_PAGES": ADMINISTRATION_PAGES,
    }


def user_administrations(request: HttpRequest) -> dict:
    """The administrations the user can switch between, for the header (one query, lazily)."""
    from django.utils.functional import SimpleLazyObject

    from .selectors import administrations_of

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_administrations": []}
    return {"user_administrations": SimpleLazyObject(lambda: list(administrations_of(user)))}
