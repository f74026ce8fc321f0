from __future__ import annotations

from django.db.models import QuerySet

from .models import Administration, Membership, User


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
