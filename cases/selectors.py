"""Reads of cases. ``cases_visible_to`` is the only door: everything else starts from it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Administration, User
from accounts.permissions import VIEW_CASES, administrations_with_perm

from .models import OPEN_STATUSES, Case, CaseEvent, Status, Topic

DUE_SOON = dt.timedelta(hours=48)


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Cases of the administrations where ``user`` may view cases (all for national staff)."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    return Case.objects.filter(
        administration__in=administrations_with_perm(user, VIEW_CASES).values("pk")
    )


def case_get(
    user: User,
    *,
    pk: int | None = None,
    reference: str | None = None,
    administration: Administration | None = None,
) -> Case:
    """One case the user may see; ``Case.DoesNotExist`` otherwise (callers answer 404)."""
    qs = cases_visible_to(user).select_related("administration", "assignee", "topic")
    if pk is not None:
        return qs.get(pk=pk)
    if reference is not None and administration is not None:
        return qs.get(reference=reference, administration=administration)
    raise Case.DoesNotExist


@dataclass(frozen=True)
class InboxFilters:
    box: str = "mine"  # mine | queue | all
    status: str = ""
    channel: str = ""
    topic_id: int | None = None
    priority: int | None = None
    overdue: bool = False
    q: str = ""


def inbox(user: User, administration: Administration, filters: InboxFilters) -> QuerySet[Case]:
    """The cases of one box of ``administration``, ordered by due date then id (keyset-ready).

    One query whatever the page size: the related rows shown in a list are joined.
    """
    qs = cases_visible_to(user).filter(administration=administration)
    if filters.box == "mine":
        qs = qs.filter(assignee=user, status__in=OPEN_STATUSES)
    elif filters.box == "queue":
        qs = qs.filter(status=Status.NEW, assignee__isnull=True)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.topic_id:
        qs = qs.filter(topic_id=filters.topic_id)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.overdue:
        qs = qs.filter(due_at__lt=timezone.now(), status__in=OPEN_STATUSES)
    if filters.q:
        for word in filters.q.split()[:8]:
            qs = qs.filter(
                Q(subject__icontains=word) | Q(body__icontains=word) | Q(reference__iexact=word)
            )
    return qs.select_related("assignee", "topic").order_by("due_at", "id")


def inbox_page(
    qs: QuerySet[Case], *, after: tuple[dt.datetime, int] | None, size: int
) -> tuple[list[Case], tuple[dt.datetime, int] | None]:
    """Keyset pagination on (due_at, id): stable under inserts, constant cost per page."""
    if after is not None:
        due, last_id = after
        qs = qs.filter(Q(due_at__gt=due) | Q(due_at=due, id__gt=last_id))
    rows = list(qs[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    cursor = (rows[-1].due_at, rows[-1].pk) if has_more and rows else None
    return rows, cursor


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("created_at", "id")


def topics_for(administration: Administration) -> QuerySet[Topic]:
    return Topic.objects.filter(
        Q(administration__isnull=True) | Q(administration=administration), is_active=True
    ).order_by("name")


def reply_skeleton(case: Case) -> str:
    """The composer's starting text: greeting, room to write, the administration's closing
    formula and signature (set on the settings page), as the drafts end."""
    administration = case.administration
    greeting = f"Bonjour {case.usager_name}," if case.usager_name else "Madame, Monsieur,"
    ending = [administration.closing, administration.signature or administration.name]
    return greeting + "\n\n\n\n" + "\n\n".join(part for part in ending if part)
