"""Reads of cases. ``cases_visible_to`` (every administration the user may see) and ``cases_of``
(one administration) are the doors: everything else starts from them."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Administration, User
from accounts.permissions import VIEW_CASES, administrations_with_perm, has_administration_perm

from .models import OPEN_STATUSES, Case, CaseEvent, CaseTally, Status, Topic
from .text import greeting_for

DUE_SOON = dt.timedelta(hours=48)

# What a list row reads as values (the inbox page, the API's list): no model instance, no
# join beyond the topic's name and the assignee's name.
ROW_VALUES = (
    "id",
    "reference",
    "channel",
    "subject",
    "status",
    "priority",
    "topic_id",
    "topic__name",
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
    "due_at",
    "created_at",
    "version",
)

# The columns ``inbox`` loads when its cases are read as model instances: the body and the
# usager's contact details stay in the table. The inbox page and the API list read values
# instead (``ROW_VALUES``); code that reads the cases of ``inbox`` as instances and needs
# another column adds it here, or pays one query per row.
INBOX_COLUMNS = (
    "id",
    "administration_id",
    "reference",
    "channel",
    "subject",
    "usager_name",
    "topic_id",
    "status",
    "priority",
    "assignee_id",
    "due_at",
    "version",
    "created_at",
    "assigned_at",
    "first_opened_at",
    "answered_at",
    "closed_at",
    "updated_at",
    "assignee__id",
    "assignee__email",
    "assignee__first_name",
    "assignee__last_name",
    "topic__id",
    "topic__name",
)


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Cases of the administrations where ``user`` may view cases (all for national staff)."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    return Case.objects.filter(
        administration__in=administrations_with_perm(user, VIEW_CASES).values("pk")
    )


def cases_of(user: User, administration: Administration) -> QuerySet[Case]:
    """The cases of one administration, if ``user`` may view cases there (none otherwise).

    The permission is asked in Python (``has_administration_perm``: one query per request,
    which the door has already made), not as a subquery to build and plan with every list.
    """
    if not has_administration_perm(user, VIEW_CASES, administration):
        return Case.objects.none()
    return Case.objects.filter(administration=administration)


def may_view_cases(user: User, administration: Administration) -> bool:
    """Whether ``user`` may view ``administration``'s cases: the permissions read once per
    request (``administration_perms``), which the door already read, instead of guardian's
    queryset (a query of its own, the slowest of the inbox page)."""
    return has_administration_perm(user, VIEW_CASES, administration)


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
    # Drill-downs from the dashboards: each figure links to exactly its cases.
    assignee_id: int | None = None
    unassigned: bool = False
    open_only: bool = False
    due_soon: bool = False
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    answered_from: dt.date | None = None
    answered_to: dt.date | None = None
    rating: int | None = None
    surveyed_from: dt.date | None = None
    surveyed_to: dt.date | None = None


def day_bounds(start: dt.date | None, end: dt.date | None) -> tuple[dt.datetime | None, ...]:
    """[start 00:00, day after end 00:00) in the current time zone: the days as people read
    them, shared by the dashboards and the inbox so that a figure and its list agree."""
    tz = timezone.get_current_timezone()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=tz) if start else None
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if end else None
    return low, high


def _in_days(
    qs: QuerySet[Case], field: str, start: dt.date | None, end: dt.date | None
) -> QuerySet[Case]:
    low, high = day_bounds(start, end)
    if low is not None:
        qs = qs.filter(**{f"{field}__gte": low})
    if high is not None:
        qs = qs.filter(**{f"{field}__lt": high})
    return qs


def _open_condition(status: str) -> Q:
    """The condition "the case is open", knowing the status the list is filtered on: a chosen
    status already says it. ``status = 'in_progress' AND status IN (open ones)`` made PostgreSQL
    multiply two selectivities of one fact: at 17.5 million cases it expected 158 overdue cases
    in progress where there were 5,817, and read and sorted them all instead of the first 51 in
    index order (14 ms instead of under 1)."""
    if not status:
        return Q(status__in=OPEN_STATUSES)
    return Q() if status in OPEN_STATUSES else Q(pk__in=[])


def inbox(user: User, administration: Administration, filters: InboxFilters) -> QuerySet[Case]:
    """The cases of one box of ``administration``, ordered by due date then id (keyset-ready).

    One query whatever the page size: the related rows shown in a list are joined.
    """
    # The list stays a plain range of one administration's index (an IN-subquery on the
    # permissions let the planner join and sort instead). One query for the rows.
    qs = cases_of(user, administration)
    is_open = _open_condition(filters.status)
    if filters.box == "mine":
        qs = qs.filter(is_open, assignee=user)
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
        qs = qs.filter(is_open, due_at__lt=timezone.now())
    if filters.assignee_id:
        qs = qs.filter(assignee_id=filters.assignee_id)
    if filters.unassigned:
        qs = qs.filter(assignee__isnull=True)
    if filters.open_only:
        qs = qs.filter(is_open)
    if filters.due_soon:
        now = timezone.now()
        qs = qs.filter(is_open, due_at__gte=now, due_at__lt=now + DUE_SOON)
    qs = _in_days(qs, "created_at", filters.created_from, filters.created_to)
    qs = _in_days(qs, "answered_at", filters.answered_from, filters.answered_to)
    if filters.rating:
        qs = qs.filter(satisfaction__rating=filters.rating)
    qs = _in_days(qs, "satisfaction__created_at", filters.surveyed_from, filters.surveyed_to)
    if filters.q:
        for word in filters.q.split()[:8]:
            matches = (
                Q(subject__icontains=word) | Q(body__icontains=word) | Q(reference__iexact=word)
            )
            if re.fullmatch(r"[0-9]{1,6}", word) and int(word):
                # The case number alone, as usagers quote it on the phone ("206", "000206"
                # for CAF69-2026-000206): any year.
                matches |= Q(reference__endswith=f"-{int(word):06d}")
            qs = qs.filter(matches)
    return qs.select_related("assignee", "topic").only(*INBOX_COLUMNS).order_by("due_at", "id")


def inbox_page(
    qs: QuerySet[Any], *, after: tuple[dt.datetime, int] | None, size: int
) -> tuple[list[Any], tuple[dt.datetime, int] | None]:
    """Keyset pagination on (due_at, id): stable under inserts, constant cost per page.

    ``qs`` yields cases, or dicts (``values()``) holding ``due_at`` and ``id``."""
    if after is not None:
        due, last_id = after
        qs = qs.filter(Q(due_at__gt=due) | Q(due_at=due, id__gt=last_id))
    rows = list(qs[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    cursor = None
    if has_more and rows:
        last = rows[-1]
        cursor = (last["due_at"], last["id"]) if isinstance(last, dict) else (last.due_at, last.pk)
    return rows, cursor


BOX_COUNTS_TTL = 20  # seconds: the queue and overdue counts are a glance, not a ledger
# Up to this many, the queue and overdue counts are exact (a bounded read of their index);
# beyond, PostgreSQL's estimate (a tab reading "about 24,000" needs no exact count).
BOX_COUNT_EXACT_UP_TO = 1000


Sql = tuple[str, tuple[Any, ...]]  # a statement and its parameters


def _sql(qs: QuerySet[Any]) -> Sql:
    return qs.query.sql_with_params()


def _counts(subqueries: dict[str, Sql]) -> dict[str, int]:
    """``{name: value}`` of several scalar subqueries, in one statement: one round trip, and
    none of ``count()``'s rewriting of each query (the box counts were four statements)."""
    columns: list[str] = []
    params: list[Any] = []
    for sql, sql_params in subqueries.values():
        columns.append(f"({sql})")
        params.extend(sql_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}", params)
        values = cursor.fetchone()
    return dict(zip(subqueries, values, strict=True))


def _count_of(qs: QuerySet[Any], *, bound: int | None = None) -> Sql:
    """A scalar subquery counting ``qs``'s rows (the first ``bound`` only, when given)."""
    sql, params = _sql(qs.order_by().values("pk"))
    limit = f" LIMIT {int(bound)}" if bound is not None else ""
    # The ORM's own SQL, its values as parameters; the bound an int.
    return f"SELECT COUNT(*) FROM ({sql}{limit}) AS counted", params  # noqa: S608


def _estimate(qs: QuerySet[Case]) -> int:
    """PostgreSQL's estimate of ``qs``'s rows (its plan, nothing read)."""
    sql, params = _sql(qs.order_by().values("due_at"))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _box_counts_key(administration_id: int) -> str:
    return f"box-counts:{administration_id}"


def box_counts_forget(administration: Administration) -> None:
    """Drop the cached counts (benchmarks measure a cold cache with it)."""
    cache.delete(_box_counts_key(administration.pk))


def box_counts(user: User, administration: Administration) -> dict[str, Any]:
    """The counts on the inbox tabs, at a cost that does not grow with the administration's
    history (docs/design.md, "Inbox counts"):

    - ``all``: the administration's tally (``CaseTally``), kept by the database in the
      transaction that inserts or moves a case: one row read;
    - ``mine``: exact, one agent's open cases (a narrow range of ``case_inbox_idx``);
    - ``queue``, ``overdue``: exact up to ``BOX_COUNT_EXACT_UP_TO`` (a bounded read of the
      partial indexes ``case_queue_open_idx`` and ``case_open_idx``), PostgreSQL's estimate
      beyond (their names are then listed in ``estimated``), cached ``BOX_COUNTS_TTL`` seconds
      in the default cache, shared by every process when ``CACHE_URL`` names a Redis.
    """
    if not may_view_cases(user, administration):
        return {"mine": 0, "queue": 0, "overdue": 0, "all": 0, "estimated": []}
    administration_cases = Case.objects.filter(administration=administration)
    subqueries = {
        "mine": _count_of(administration_cases.filter(assignee=user, status__in=OPEN_STATUSES)),
        "all": _sql(CaseTally.objects.filter(administration=administration).values("total")),
    }
    key = _box_counts_key(administration.pk)
    shared = cache.get(key)
    if shared is None:
        # Exact up to the cap (a bounded read of the open-cases indexes), else the planner's
        # estimate, never below the exact bound. SQLite, for development, counts them all.
        cap = BOX_COUNT_EXACT_UP_TO
        bounded = {
            "queue": administration_cases.filter(status=Status.NEW, assignee__isnull=True),
            "overdue": administration_cases.filter(
                status__in=OPEN_STATUSES, due_at__lt=timezone.now()
            ),
        }
        for name, qs in bounded.items():
            subqueries[name] = _count_of(qs, bound=cap + 1)
        counts = _counts(subqueries)
        estimated = [name for name in bounded if counts[name] > cap]
        for name in estimated:
            if connection.vendor == "postgresql":
                counts[name] = max(_estimate(bounded[name]), cap + 1)
            else:
                counts[name] = bounded[name].count()
        shared = {
            "queue": counts["queue"],
            "overdue": counts["overdue"],
            "estimated": estimated if connection.vendor == "postgresql" else [],
        }
        cache.set(key, shared, BOX_COUNTS_TTL)
    else:
        counts = _counts(subqueries)
    return {"mine": counts["mine"], **shared, "all": counts["all"] or 0}


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
    greeting = greeting_for(case.usager_name)
    ending = [administration.closing, administration.signature or administration.name]
    return greeting + "\n\n\n\n" + "\n\n".join(part for part in ending if part)
