"""The one access door (ARCHITECTURE §3).

Every page and every API endpoint answers two questions here, and nowhere else:

- *which administration does this request act in, and may this person do X there?*
  (``administration_for``), the administration coming from the token or the session, never
  from a request field;
- *which administrations may this person report on?* (``report_scope``): national staff
  choose any (or all), everyone else only the one they work in.

Views declare their rule with one decorator (``public``, ``signed_in``, ``requires``,
``national_staff``); class-based views are decorated where they are routed, DRF views set
``access_rule`` and are checked by ``DoorPermission`` (the API's default permission class).
``tests/test_access_rules.py`` walks every URL pattern and fails on a view without a rule.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions as drf_permissions

from .models import Administration
from .permissions import administrations_with_perm, has_administration_perm

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

__all__ = [
    "ALL",
    "AccessRule",
    "AuthenticatedHttpRequest",
    "DoorPermission",
    "ReportScope",
    "administration_for",
    "current_administration",
    "is_national_staff",
    "may",
    "national_staff",
    "public",
    "report_scope",
    "requires",
    "rule_of",
    "signed_in",
]

Kind = Literal["public", "signed_in", "member", "permission", "national"]
ALL = "all"

_F = TypeVar("_F", bound=Callable[..., Any])


class AuthenticatedHttpRequest(HttpRequest):
    """The request a view behind the door receives (``signed_in``, ``requires``,
    ``national_staff``): its user has signed in, and ``CurrentAdministrationMiddleware`` has set
    the administration it works in (None for an account without one).

    For annotations only (django-stubs' pattern): at run time it is the plain ``HttpRequest``.
    """

    user: User
    administration: Administration | None


@dataclass(frozen=True)
class AccessRule:
    """Who may reach a view.

    ``public``: anyone (login page, survey links with their own signature); ``signed_in``: any
    signed-in account (profile, switching administration); ``member``: an active member of the
    administration the request acts in; ``permission``: a member holding ``perm`` there (or the
    permission of the request's HTTP method in ``per_method``); ``national``: national staff.
    """

    kind: Kind
    perm: str | None = None
    per_method: Mapping[str, str] = field(default_factory=dict)
    reason: str = ""
    # Tenant first (API object endpoints): the view finds the object in the request's
    # administration (404 for another's, like a missing one) before the role is asked (403).
    # ``DoorPermission`` then asks only for membership, and the permission once the view calls
    # ``check_object_permissions(request, obj)``.
    tenant_first: bool = False

    def perm_for(self, method: str) -> str | None:
        return self.per_method.get(method.upper(), self.perm)

    def __str__(self) -> str:
        if self.kind == "permission" and self.tenant_first:
            return f"permission {self.perm} (tenant first)"
        if self.kind == "permission":
            if self.per_method:
                return f"permission {dict(self.per_method)} (else {self.perm})"
            return f"permission {self.perm}"
        return self.kind


PUBLIC = AccessRule("public")
SIGNED_IN = AccessRule("signed_in")
MEMBER = AccessRule("member")
NATIONAL = AccessRule("national")


# --- the questions ----------------------------------------------------------------------------


def is_national_staff(user: Any) -> bool:
    """National staff (superusers) see every administration; nobody else does."""
    return bool(user and user.is_authenticated and user.is_superuser)


def current_administration(request: Any) -> Administration | None:
    """The administration a request acts in: the API token's, else the session's current one.

    Works for Django's ``HttpRequest`` and DRF's ``Request`` alike.
    """
    auth = getattr(request, "auth", None)
    token_administration = getattr(auth, "administration", None)
    if isinstance(token_administration, Administration):
        return token_administration
    administration = getattr(request, "administration", None)
    return administration if administration else None


def may(request: Any, perm: str, administration: Administration | None = None) -> bool:
    """Whether the request's user holds ``perm`` on ``administration`` (default: current)."""
    administration = administration or current_administration(request)
    if administration is None:
        return False
    return has_administration_perm(request.user, perm, administration)


def administration_for(request: Any, perm: str | None = None) -> Administration:
    """The administration the request acts in, if its user may do ``perm`` there.

    No administration (not a member anywhere) or a role without ``perm`` answers 403; without
    ``perm``, being an active member is enough.
    """
    administration = current_administration(request)
    if administration is None:
        raise PermissionDenied(_("You are not an active member of any administration."))
    if perm is not None and not has_administration_perm(request.user, perm, administration):
        raise PermissionDenied(_("Your role does not allow this."))
    return administration


@dataclass(frozen=True)
class ReportScope:
    """Whose figures a report shows: one administration, or every one (``administration`` None,
    national staff only). ``choices`` lists what national staff may pick from."""

    administration: Administration | None
    national: bool = False
    choices: QuerySet[Administration] | None = None


def report_scope(
    request: Any, perm: str, requested: str | None = None, *, allow_all: bool = True
) -> ReportScope:
    """Which administration's report the request's user may read.

    National staff choose any administration by id (``requested``), or all of them when
    ``allow_all`` (an empty value or ``"all"``); without ``allow_all`` they read the one asked
    for, else the one they are working in. Everyone else reads the administration they work in
    (the token's or the session's): naming another one answers 404, exactly like one that does
    not exist, and a role without ``perm`` answers 403.
    """
    user = request.user
    requested = (str(requested) if requested is not None else "").strip()
    current = current_administration(request)
    if is_national_staff(user):
        choices = Administration.objects.order_by("name")
        if requested.isdigit():
            chosen = Administration.objects.filter(pk=int(requested)).first()
            if chosen is None:
                raise Http404(_("No such administration."))
            return ReportScope(administration=chosen, national=True, choices=choices)
        if requested not in ("", ALL):
            raise Http404(_("No such administration."))
        if allow_all:
            return ReportScope(administration=None, national=True, choices=choices)
        if current is None:
            raise Http404(_("No such administration."))
        return ReportScope(administration=current, national=True, choices=choices)
    if requested and (current is None or requested != str(current.pk)):
        raise Http404(_("No such administration."))
    if current is None or not has_administration_perm(user, perm, current):
        raise PermissionDenied(_("Your role does not allow this."))
    return ReportScope(administration=current)


def reportable_administrations(user: User | AnonymousUser, perm: str) -> QuerySet[Administration]:
    """Every administration ``user`` may report on with ``perm`` (all, for national staff)."""
    return administrations_with_perm(user, perm)


# --- declaring a view's rule ------------------------------------------------------------------


def _mark(view: _F, rule: AccessRule) -> _F:
    view.access_rule = rule  # type: ignore[attr-defined]
    return view


def rule_of(view: Any) -> AccessRule | None:
    """The rule a routed view declares (function, ``as_view()`` result or DRF view)."""
    rule = getattr(view, "access_rule", None)
    if rule is None:
        for attribute in ("cls", "view_class"):
            klass = getattr(view, attribute, None)
            rule = getattr(klass, "access_rule", None) if klass is not None else None
            if rule is not None:
                break
    return rule if isinstance(rule, AccessRule) else None


def public(view: _F | None = None, *, reason: str = "") -> Any:
    """Anyone may reach the view (it checks its own token or signature if it needs one)."""

    def decorate(func: _F) -> _F:
        return _mark(func, AccessRule("public", reason=reason))

    return decorate(view) if view is not None else decorate


def signed_in(view: _F) -> _F:
    """Any signed-in account; anonymous visitors are sent to the login page."""
    return _mark(login_required(view), SIGNED_IN)


def _guard(rule: AccessRule) -> Callable[[_F], _F]:
    def decorate(view: _F) -> _F:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            check(request, rule)
            return view(request, *args, **kwargs)

        return _mark(login_required(wrapped), rule)  # type: ignore[return-value]

    return decorate


def requires(
    perm: str | None = None,
    *,
    per_method: Mapping[str, str] | None = None,
    tenant_first: bool = False,
) -> Callable[[_F], _F]:
    """Signed in, and a member of the current administration holding ``perm`` there.

    ``requires()`` without a permission asks for active membership only; ``per_method`` maps an
    HTTP method to a stronger permission (``{"POST": MANAGE_SETTINGS}``). With
    ``tenant_first``, the decorator asks for membership and the view asks the door for
    ``perm`` once it has found what the request names (``report_scope``,
    ``administration_for``): another administration's answers 404 before a role's 403.
    """
    if perm is None and not per_method:
        return _guard(MEMBER)
    return _guard(
        AccessRule(
            "permission",
            perm=perm,
            per_method=dict(per_method or {}),
            tenant_first=tenant_first,
        )
    )


def national_staff(view: _F) -> _F:
    """National staff only (superusers)."""
    return _guard(NATIONAL)(view)


def check(request: Any, rule: AccessRule, *, found: bool = False) -> Administration | None:
    """Apply ``rule`` to a signed-in request: the administration it acts in, or 403.

    For a ``tenant_first`` rule, the permission is asked only once the object is ``found``
    in the request's administration; before, being a member is enough.
    """
    if rule.kind in ("public", "signed_in"):
        return current_administration(request)
    if rule.kind == "national":
        if not is_national_staff(request.user):
            raise PermissionDenied(_("This page is for national staff."))
        return current_administration(request)
    perm = rule.perm_for(request.method or "GET") if rule.kind == "permission" else None
    if rule.tenant_first and not found:
        perm = None
    return administration_for(request, perm)


class DoorPermission(drf_permissions.BasePermission):
    """The API side of the door: applies the view's ``access_rule``.

    A view without a rule is refused (fail closed). Token scopes stay ``TokenScope``'s job.
    """

    message = _("Your role does not allow this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        return self._allows(request, view, found=False)

    def has_object_permission(self, request: Any, view: Any, obj: Any) -> bool:
        return self._allows(request, view, found=True)

    def _allows(self, request: Any, view: Any, *, found: bool) -> bool:
        rule = getattr(view, "access_rule", None)
        if not isinstance(rule, AccessRule):
            return False
        if rule.kind == "public":
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        try:
            check(request, rule, found=found)
        except PermissionDenied as exc:
            if exc.args:
                self.message = exc.args[0]
            return False
        return True
