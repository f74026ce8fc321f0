"""Roles and what they may do, on top of django-guardian (ARCHITECTURE §3).

Each administration has one group per role; the group holds object permissions on the
Administration row. A membership puts its user in the group of its role while it is active.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL
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
    return _codename(perm) in administration_perms(user, administration)


# The object permissions a user holds on one Administration row, granted to them or to one of
# their groups: guardian's ObjectPermissionChecker answer (the same two tables, the same
# permission content type) in one query instead of two, without its query building.
# ``{user}`` and ``{object_pk}`` are SQL: parameters, or expressions of an outer query.
_PERMS_SQL = """
SELECT p.codename FROM {group_perms} g
JOIN {user_groups} ug ON ug.group_id = g.group_id
JOIN {permission} p ON p.id = g.permission_id
WHERE ug.user_id = {user} AND g.content_type_id = %s AND g.object_pk = {object_pk}
AND p.content_type_id = %s
UNION
SELECT p.codename FROM {user_perms} u
JOIN {permission} p ON p.id = u.permission_id
WHERE u.user_id = {user} AND u.content_type_id = %s AND u.object_pk = {object_pk}
AND p.content_type_id = %s
"""


def _perms_sql(user: str, object_pk: str) -> str:
    from django.contrib.auth.models import Permission
    from guardian.models import GroupObjectPermission, UserObjectPermission

    from .models import User

    def table(model: type[Model]) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    return _PERMS_SQL.format(
        group_perms=table(GroupObjectPermission),
        user_groups=table(User.groups.through),
        permission=table(Permission),
        user_perms=table(UserObjectPermission),
        user=user,
        object_pk=object_pk,
    )


@functools.cache
def _perms_query() -> str:
    return _perms_sql("%s", "%s")


_CACHE_ATTRIBUTE = "_guichet_administration_perms"


def administration_perms(user: User, administration: Administration) -> frozenset[str]:
    """The codenames ``user`` holds on ``administration``, read once per user object (one
    request): the door, the selectors and the case policy ask again for free."""
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
    perms = cache.get(administration.pk)
    if perms is None:
        content_type = ContentType.objects.get_for_model(Administration).pk
        object_pk = str(administration.pk)
        with connection.cursor() as cursor:
            cursor.execute(
                _perms_query(),
                [user.pk, content_type, object_pk, content_type] * 2,
            )
            perms = frozenset(row[0] for row in cursor.fetchall())
        cache[administration.pk] = perms
    return perms


# The same answer as a column of a query that already reads the administration (the
# middleware's, the token's): one round trip less per request. The codenames joined by commas,
# NULL for none.
_AGGREGATES = {
    "postgresql": "string_agg(held.codename, ',')",
    "sqlite": "group_concat(held.codename, ',')",
}


def administration_perms_column(*, user: str | int, administration: str) -> RawSQL | None:
    """A query column holding what ``administration_perms`` answers: for the user ``user``
    (a user id, or the quoted column of the outer query that holds it) on the administration
    whose id is in the quoted column ``administration``. None on a database without a string
    aggregate (the permissions are then read by their own query)."""
    aggregate = _AGGREGATES.get(connection.vendor)
    if aggregate is None:
        return None
    user_sql = str(int(user)) if isinstance(user, int) else user
    held = _perms_sql(user_sql, f"CAST({administration} AS VARCHAR(255))")
    content_type = ContentType.objects.get_for_model(Administration).pk
    # Only table and column names of ours and an integer go into the text; values are params.
    sql = f"(SELECT {aggregate} FROM ({held}) held)"  # noqa: S608
    return RawSQL(sql, [content_type] * 4)  # noqa: S611


def quoted_column(model: type[Model], field: str) -> str:
    """``"table"."column"`` of ``model``'s ``field``, for ``administration_perms_column``."""
    column = getattr(model._meta.get_field(field), "column", None)
    if not isinstance(column, str):
        raise ValueError(f"{model.__name__}.{field} is not a column.")
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(column)}"


def remember_administration_perms(user: User, administration_id: int, column: str | None) -> None:
    """Keep the value of an ``administration_perms_column`` for the request's ``user``."""
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
    cache[administration_id] = frozenset(column.split(",")) if column else frozenset()


def forget_cached_permissions(user: User) -> None:
    user.__dict__.pop(_CACHE_ATTRIBUTE, None)


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
