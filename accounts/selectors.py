"""Reads of accounts that have a rule in them: whose memberships, whose journal."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from .audit import AuditFilters, action_label, category_label, known_actions, values_named
from .models import Administration, AuditEntry, ConsentText, Enrolment, Membership, User
from .permissions import VIEW_AUDIT, administrations_with_perm, has_administration_perm


def active_memberships(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("administration")
        .order_by("administration__name")
    )


def administrations_of(user: User) -> QuerySet[Administration]:
    """The administrations a user may switch to (all of them for national staff)."""
    if user.is_superuser:
        return Administration.objects.all()
    return Administration.objects.filter(
        memberships__user=user, memberships__is_active=True
    ).order_by("name")


def member_of(administration: Administration, user_id: int) -> User | None:
    """The user ``user_id`` if they are a member of ``administration`` (former members
    included: their cases stay theirs); ``None`` for anyone else, so that a page of one
    administration never names a person of another. A pending invitation is not membership
    yet: nothing about its person is shown."""
    return User.objects.filter(
        pk=user_id, memberships__administration=administration, memberships__pending=False
    ).first()


def current_consent(administration: Administration) -> ConsentText | None:
    """The consent text volunteers of ``administration`` agree to now (its latest version)."""
    return ConsentText.objects.filter(administration=administration).order_by("-version").first()


def is_volunteer(user: User, administration_id: int) -> bool:
    """Whether ``user`` takes part in the drafting experiment of that administration today:
    an approved enrolment (with their recorded consent) whose cohort has started."""
    if not user.is_authenticated:
        return False
    return Enrolment.objects.filter(
        Q(starts_on__isnull=True) | Q(starts_on__lte=timezone.localdate()),
        user=user,
        administration_id=administration_id,
        status=Enrolment.Status.APPROVED,
        consented_at__isnull=False,
    ).exists()


# --- audit journal ----------------------------------------------------------------------------


def audit_entries(
    user: User, administration: Administration | None, filters: AuditFilters
) -> QuerySet[AuditEntry]:
    """The journal entries ``user`` may read, narrowed by ``filters`` (an ``AuditFilters``).

    Tenant first: with an ``administration``, its entries if ``user`` may read its journal
    (else nothing); without one, the entries of every administration whose journal ``user``
    may read (all of them for national staff).
    """
    qs = AuditEntry.objects.all()
    if administration is not None:
        if not has_administration_perm(user, VIEW_AUDIT, administration):
            return qs.none()
        qs = qs.filter(administration=administration)
    elif not user.is_superuser:
        qs = qs.filter(administration__in=administrations_with_perm(user, VIEW_AUDIT).values("pk"))

    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.actor:
        qs = qs.filter(actor_label__icontains=filters.actor)
    if filters.target:
        qs = qs.filter(Q(target_label__icontains=filters.target) | _period_named(filters.target))
    # Whole days in the local time zone: "to 12 March" includes all of 12 March.
    if filters.date_from:
        start = dt.datetime.combine(filters.date_from, dt.time.min)
        qs = qs.filter(created_at__gte=timezone.make_aware(start))
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min)
        qs = qs.filter(created_at__lt=timezone.make_aware(end))
    if filters.q:
        needle = filters.q.lower()
        # The words the page shows match too: "rôle" finds "membership.role_changed".
        actions = [a for a in known_actions() if needle in action_label(a).lower()]
        categories = [c for c in AuditEntry.Category.values if needle in category_label(c).lower()]
        qs = qs.annotate(data_text=Cast("data", TextField())).filter(
            Q(action__icontains=filters.q)
            | Q(action__in=actions)
            | Q(category__in=categories)
            | Q(actor_label__icontains=filters.q)
            | Q(target_label__icontains=filters.q)
            | Q(data_text__icontains=filters.q)
            | _period_named(filters.q)
        )
    return qs.order_by("-created_at", "-pk")


def _period_named(needle: str) -> Q:
    """The experiment periods whose drafter's name contains ``needle``: the page names a period
    by it ("50 % · Rédacteur hors ligne de Guichet"), its label by the code ("50 % · offline")."""
    backends = values_named("backend", needle)
    if not backends:
        return Q(pk__in=[])
    return Q(data__after__backend__in=backends) | Q(data__before__backend__in=backends)


def audit_page(qs: QuerySet, *, after: tuple | None, size: int) -> tuple[list, tuple | None]:
    """Keyset pagination on (created_at, id), newest first: constant cost per page."""
    if after is not None:
        created, last_id = after
        qs = qs.filter(Q(created_at__lt=created) | Q(created_at=created, pk__lt=last_id))
    rows = list(qs[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    cursor = (rows[-1].created_at, rows[-1].pk) if has_more and rows else None
    return rows, cursor


def audit_actions(user: User, administration: Administration | None) -> list[str]:
    """The action names present in the journals ``user`` reads (for the filter's list)."""
    return list(
        audit_entries(user, administration, AuditFilters())
        .order_by()
        .values_list("action", flat=True)
        .distinct()
    )
