"""Selectors of the managers' workload dashboard.

Every figure is one aggregation in the database over a scope (one administration, or all of them
for national staff); nothing here loads cases into Python. The workload *now* reads the open
cases; the activity of a period reads, on PostgreSQL, the daily activity kept by triggers
(``cases.dashboard.activity``: counts summed over the days, bucketed medians), and the cases
themselves on SQLite or with ``exact=True``. The scope is decided by the caller after its
permission check: these functions trust it.

Two kinds of figures: the workload *now* (open cases by status and by agent, the queue, overdue
and due within 48 h) and the activity of a *period* (new and answered cases per week, median
first-response and handling times per channel and topic, the usagers' satisfaction).

- first-response time: from the case's arrival to the first reply sent;
- handling time: from the first opening by its agent (or its assignment) to the first reply.

Each function gives the rows of one figure; its title, columns and chart are declared in
``cases/dashboard/figures.py``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.db.models import Avg, Count, Q
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import OPEN_STATUSES, ActivityKind, Channel, Status, Topic, topic_label
from cases.reporting.figures import Rows
from cases.reporting.sql import HoursBetween, Median
from cases.selectors import DUE_SOON

from . import activity
from .scope import Period, Scope

FIRST_RESPONSE = HoursBetween("answered_at", "created_at")
HANDLING = HoursBetween("answered_at", Coalesce("first_opened_at", "assigned_at", "created_at"))


def _period_links(period: Period, prefix: str) -> dict[str, str]:
    return {f"{prefix}_from": period.start.isoformat(), f"{prefix}_to": period.end.isoformat()}


# --- workload now -----------------------------------------------------------------------------


def summary(scope: Scope, period: Period) -> Rows:
    """The key figures: one aggregate over open cases, one over the period."""
    now = timezone.now()
    low, high = period.bounds()
    # Counting a column of the inbox indexes (not the id) lets PostgreSQL answer from the index.
    open_cases = scope.cases().filter(status__in=OPEN_STATUSES)
    now_figures = open_cases.aggregate(
        open=Count("*"),
        queue=Count("due_at", filter=Q(status=Status.NEW, assignee__isnull=True)),
        overdue=Count("due_at", filter=Q(due_at__lt=now)),
        due_soon=Count("due_at", filter=Q(due_at__gte=now, due_at__lt=now + DUE_SOON)),
    )
    totals = period_times(scope, period, ActivityKind.ALL).get("")
    created = totals["created"] if totals else 0
    answered = totals or {"n": 0, "first": None, "handling": None}
    surveyed = (
        scope.responses()
        .filter(created_at__gte=low, created_at__lt=high)
        .aggregate(n=Count("*"), rating=Avg("rating"))
    )
    rows = [
        ("open", _("Open cases"), now_figures["open"], scope.link(open="on")),
        ("queue", _("Unassigned queue"), now_figures["queue"], scope.link(box="queue")),
        ("overdue", _("Overdue"), now_figures["overdue"], scope.link(overdue="on")),
        ("due_soon", _("Due within 48 h"), now_figures["due_soon"], scope.link(due_soon="on")),
        (
            "created",
            _("New cases in the period"),
            created,
            scope.link(**_period_links(period, "created")),
        ),
        (
            "answered",
            _("Cases answered in the period"),
            answered["n"],
            scope.link(**_period_links(period, "answered")),
        ),
        (
            "first_response",
            _("Median first-response time (hours)"),
            _round(answered["first"]),
            scope.link(**_period_links(period, "answered")),
        ),
        (
            "handling",
            _("Median handling time (hours)"),
            _round(answered["handling"]),
            scope.link(**_period_links(period, "answered")),
        ),
        (
            "survey",
            _("Survey answers in the period"),
            surveyed["n"],
            scope.link(**_period_links(period, "surveyed")),
        ),
        ("rating", _("Average rating (1 to 5)"), _round(surveyed["rating"], 2), None),
    ]
    return Rows(
        values=[[label, value] for _key, label, value, _link in rows],
        links=[[link, link] for *_rest, link in rows],
        meta={"keys": [key for key, *_rest in rows]},
    )


def _round(value: Any, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


def open_by_status(scope: Scope) -> Rows:
    counts = dict(
        scope.cases()
        .filter(status__in=OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("*"))
        .values_list("status", "n")
    )
    statuses = [s for s in Status if s in OPEN_STATUSES]
    return Rows(
        values=[[s.label, counts.get(s.value, 0)] for s in statuses],
        links=[[None, scope.link(status=s.value)] for s in statuses],
    )


def open_by_agent(scope: Scope) -> Rows:
    now = timezone.now()
    rows = list(
        scope.cases()
        .filter(status__in=OPEN_STATUSES, assignee__isnull=False)
        .values("assignee", "assignee__first_name", "assignee__last_name", "assignee__email")
        .annotate(
            n=Count("*"),
            overdue=Count("due_at", filter=Q(due_at__lt=now)),
            due_soon=Count("due_at", filter=Q(due_at__gte=now, due_at__lt=now + DUE_SOON)),
        )
        .order_by("-n", "assignee__last_name", "assignee")
    )

    def name(row: Mapping[str, Any]) -> str:
        full = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
        return full or row["assignee__email"]

    return Rows(
        values=[[name(r), r["n"], r["overdue"], r["due_soon"]] for r in rows],
        links=[
            [
                None,
                scope.link(assignee=r["assignee"], open="on"),
                scope.link(assignee=r["assignee"], overdue="on"),
                scope.link(assignee=r["assignee"], due_soon="on"),
            ]
            for r in rows
        ],
    )


# --- activity of the period -------------------------------------------------------------------


def _weeks(period: Period) -> list[dt.date]:
    first = period.start - dt.timedelta(days=period.start.weekday())
    weeks = []
    while first <= period.end:
        weeks.append(first)
        first += dt.timedelta(days=7)
    return weeks


def weekly(scope: Scope, period: Period) -> Rows:
    """New and answered cases per week (weeks start on Monday; the first and last weeks are
    cut to the period)."""
    created, answered = per_week(scope, period)
    rows, links = [], []
    for week in _weeks(period):
        start, end = max(week, period.start), min(week + dt.timedelta(days=6), period.end)
        rows.append([start, created.get(week, 0), answered.get(week, 0)])
        links.append(
            [
                None,
                scope.link(created_from=start.isoformat(), created_to=end.isoformat()),
                scope.link(answered_from=start.isoformat(), answered_to=end.isoformat()),
            ]
        )
    return Rows(
        values=rows,
        links=links,
    )


def per_week(
    scope: Scope, period: Period, *, exact: bool = False
) -> tuple[dict[dt.date, int], dict[dt.date, int]]:
    """New and answered cases per week (its Monday): from the daily activity on PostgreSQL,
    with ``exact`` or on SQLite from the cases."""
    if not exact and activity.available():
        created: dict[dt.date, int] = defaultdict(int)
        answered: dict[dt.date, int] = defaultdict(int)
        for day, (new, done) in activity.daily_counts(scope, period).items():
            monday = day - dt.timedelta(days=day.weekday())
            created[monday] += new
            answered[monday] += done
        return _nonzero(created), _nonzero(answered)
    low, high = period.bounds()

    def count(field: str) -> dict[dt.date, int]:
        rows = (
            scope.cases()
            .filter(**{f"{field}__gte": low, f"{field}__lt": high})
            .annotate(week=TruncWeek(field))
            .values_list("week")
            .annotate(n=Count("*"))
            .values_list("week", "n")
        )
        return {
            timezone.localtime(week).date() if isinstance(week, dt.datetime) else week: n
            for week, n in rows
        }

    return count("created_at"), count("answered_at")


def _nonzero(counts: dict[dt.date, int]) -> dict[dt.date, int]:
    return {week: n for week, n in counts.items() if n}


def period_times(
    scope: Scope, period: Period, kind: str, *, exact: bool = False
) -> dict[str, dict[str, Any]]:
    """{key: {"created", "n", "first", "handling"}} of the period for all cases (kind ``a``,
    key ``""``), per channel (``c``) or per topic (``t``, the topic's id as text, ``""`` for
    none): cases created, answered, and the answered cases' median first-response and handling
    times in hours. Keys without any case created or answered in the period are left out.

    On PostgreSQL from the daily activity (bucketed medians, ``cases.dashboard.activity``);
    with ``exact`` or on SQLite from the cases (``percentile_cont``)."""
    if not exact and activity.available():
        return {
            key: {
                "created": a.created,
                "n": a.answered,
                "first": a.first_median,
                "handling": a.handling_median,
            }
            for key, a in activity.period_activity(scope, period, kind).items()
        }
    low, high = period.bounds()
    group = {str(ActivityKind.CHANNEL): "channel", str(ActivityKind.TOPIC): "topic"}.get(kind)
    created = scope.cases().filter(created_at__gte=low, created_at__lt=high)
    answered = scope.cases().filter(answered_at__gte=low, answered_at__lt=high)
    figures = {"n": Count("*"), "first": Median(FIRST_RESPONSE), "handling": Median(HANDLING)}
    if group is None:
        row = {"created": created.count(), **answered.aggregate(**figures)}
        return {"": row} if row["created"] or row["n"] else {}
    result: dict[str, dict[str, Any]] = {}
    for row in answered.values(group).annotate(**figures).order_by():
        result[_key(row.pop(group))] = {"created": 0, **row}
    for value, n in created.values_list(group).annotate(n=Count("*")).values_list(group, "n"):
        result.setdefault(_key(value), {"n": 0, "first": None, "handling": None})["created"] = n
    return result


def _key(value: Any) -> str:
    return "" if value is None else str(value)


def _answered(scope: Scope, period: Period, kind: str) -> dict[str, dict[str, Any]]:
    return {key: row for key, row in period_times(scope, period, kind).items() if row["n"]}


def times_by_channel(scope: Scope, period: Period) -> Rows:
    by_channel = _answered(scope, period, ActivityKind.CHANNEL)
    channels = [c for c in Channel if c.value in by_channel]
    answered = _period_links(period, "answered")
    return Rows(
        values=[
            [
                c.label,
                by_channel[c.value]["n"],
                _round(by_channel[c.value]["first"]),
                _round(by_channel[c.value]["handling"]),
            ]
            for c in channels
        ],
        links=[[None, scope.link(channel=c.value, **answered), None, None] for c in channels],
    )


def times_by_topic(scope: Scope, period: Period) -> Rows:
    by_topic = _answered(scope, period, ActivityKind.TOPIC)
    # The topics' names in the database's order (its collation), then "No topic".
    named = list(
        Topic.objects.filter(pk__in=[int(key) for key in by_topic if key])
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    ordered: list[tuple[int | None, str, dict[str, Any]]] = [
        (pk, topic_label(name), by_topic[str(pk)]) for pk, name in named
    ]
    if "" in by_topic:
        ordered.append((None, _("No topic"), by_topic[""]))
    answered = _period_links(period, "answered")
    return Rows(
        values=[
            [name, row["n"], _round(row["first"]), _round(row["handling"])]
            for _pk, name, row in ordered
        ],
        links=[
            [None, scope.link(topic=pk, **answered) if pk else None, None, None]
            for pk, _name, _row in ordered
        ],
    )


def satisfaction(scope: Scope, period: Period) -> Rows:
    """Survey answers of the period by rating, with whether the reply answered the question."""
    low, high = period.bounds()
    rows = {
        row["rating"]: row
        for row in scope.responses()
        .filter(created_at__gte=low, created_at__lt=high)
        .values("rating")
        .annotate(
            n=Count("*"),
            yes=Count("rating", filter=Q(answered="yes")),
            partly=Count("rating", filter=Q(answered="partly")),
            no=Count("rating", filter=Q(answered="no")),
        )
        .order_by("rating")
    }
    surveyed = _period_links(period, "surveyed")
    empty = {"n": 0, "yes": 0, "partly": 0, "no": 0}
    return Rows(
        values=[
            [
                rating,
                rows.get(rating, empty)["n"],
                rows.get(rating, empty)["yes"],
                rows.get(rating, empty)["partly"],
                rows.get(rating, empty)["no"],
            ]
            for rating in range(1, 6)
        ],
        links=[
            [None, scope.link(rating=rating, **surveyed), None, None, None]
            for rating in range(1, 6)
        ],
    )
