from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Administration, Enrolment, Membership, User


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
