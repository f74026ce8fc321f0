from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import access
from .permissions import MANAGE_EXPERIMENT, MANAGE_MEMBERS, MANAGE_SETTINGS, VIEW_AUDIT
from .selectors import administrations_of

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
    current = access.current_administration(request)

    def can(perm: str):
        # Lazy: only pages that show the navigation pay for the permission check.
        return SimpleLazyObject(lambda: bool(current) and access.may(request, perm, current))

    return {
        "current_administration": current,
        "can_manage_members": can(MANAGE_MEMBERS),
        "can_view_audit": can(VIEW_AUDIT),
        "can_manage_settings": can(MANAGE_SETTINGS),
        "can_manage_experiment": can(MANAGE_EXPERIMENT),
        "ADMINISTRATION_PAGES": ADMINISTRATION_PAGES,
    }


def user_administrations(request: HttpRequest) -> dict:
    """The administrations the user can switch between, for the header (one query, lazily)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_administrations": []}
    return {"user_administrations": SimpleLazyObject(lambda: list(administrations_of(user)))}
