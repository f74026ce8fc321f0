"""Roles and what they may do, on top of django-guardian (ARCHITECTURE §3).

Each administration has one group per role; the group holds object permissions on the
Administration row. A membership puts its user in the group of its role while it is active.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user

from .models import Administration, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

VIEW_CASES = "view_cases"
WORK_CASES = "work_cases"
ASSIGN_CASES = "assign_cases"
VIEW_DASHBOARD = "view_dashboard"
MANAGE_MEMBERS = "manage_members"
MANAGE_SETTINGS = "manage_settings"
MANAGE_EXPERIMENT = "manage_experiment"
VIEW_AUDIT = "view_audit"

_AGENT = {VIEW_CASES, WORK_CASES}
_MANAGER = _AGENT | {ASSIGN_CASES, VIEW_DASHBOARD}
_ADMINISTRATOR = _MANAGER | {MANAGE_MEMBERS, MANAGE_SETTINGS, MANAGE_EXPERIMENT, VIEW_AUDIT}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.AGENT: frozenset(_AGENT),
    Role.MANAGER: frozenset(_MANAGER),
    Role.ADMINISTRATOR: frozenset(_ADMINISTRATOR),
}


def _codename(perm: str) -> str:
    return perm.split(".", 1)[-1]


def has_administration_perm(
    user: User | AnonymousUser, perm: str, administration: Administration
) -> bool:
    """Whether ``user`` holds ``perm`` on ``administration`` (superusers hold everything)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    checker = _checker_for(user)
    return checker.has_perm(_codename(perm), administration)


def _checker_for(user: User) -> ObjectPermissionChecker:
    # One checker per user object per request: guardian caches the answers in it.
    checker = getattr(user, "_guichet_perm_checker", None)
    if checker is None:
        checker = ObjectPermissionChecker(user)
        user._guichet_perm_checker = checker  # type: ignore[attr-defined]
    return checker


def forget_cached_permissions(user: User) -> None:
    if hasattr(user, "_guichet_perm_checker"):
        del user._guichet_perm_checker


def require_administration_perm(
    user: User | AnonymousUser, perm: str, administration: Administration
) -> None:
    if not has_administration_perm(user, perm, administration):
        raise PermissionDenied(perm)


def administrations_with_perm(user: User | AnonymousUser, perm: str) -> QuerySet[Administration]:
    """The administrations on which ``user`` holds ``perm``, as one lazy queryset."""
    if not user.is_authenticated or not user.is_active:
        return Administration.objects.none()
    if user.is_superuser:
        return Administration.objects.all()
    return get_objects_for_user(
        user,
        f"accounts.{_codename(perm)}",
        klass=Administration,
        use_groups=True,
        with_superuser=False,
        accept_global_perms=False,
    )
