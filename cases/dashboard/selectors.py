"""Selectors of the managers' workload dashboard.

Every figure is one aggregation in the database over the cases of a scope (one administration,
or all of them for national staff); nothing here loads cases into Python. The scope is decided by
the caller after its permission check: these functions trust it.

Two kinds of figures: the workload *now* (open cases by status and by agent, the queue, overdue
and due within 48 h) and the activity of a *period* (new and answered cases per week, median
first-response and handling times per channel and topic, the usagers' satisfaction).

- first-response time: from the case's arrival to the first reply sent;
- handling time: from the first opening by its agent (or its assignment) to the first reply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import (
    Aggregate,
    Avg,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Administration

from .models import OPEN_STATUSES, Case, Channel, SatisfactionResponse, Status
from .reports import Table, chart
from .selectors import DUE_SOON, day_bounds

PRESET_DAYS = (7, 30, 90)
MAX_PERIOD_DAYS = 731


class Median(Aggregate):
    """The median (PostgreSQL's ordered-set ``percentile_cont``; a registered aggregate on
    SQLite, for ``make run``)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function="guichet_median",
            template="%(function)s(%(expressions)s)",
            **extra_context,
        )


class HoursBetween(Func):
    """(end - start) in hours, as a float."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)",
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 24.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class _SQLiteMedian:
    def __init__(self):
        self.values: list[float] = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        if not self.values:
            return None
        values = sorted(self.values)
        middle = len(values) // 2
        if len(values) % 2:
            return values[middle]
        return (values[middle - 1] + values[middle]) / 2


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """connection_created receiver: the median aggregate for SQLite (development only)."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("guichet_median", 1, _SQLiteMedian)


FIRST_RESPONSE = HoursBetween("answered_at", "created_at")
HANDLING = HoursBetween("answered_at", Coalesce("first_opened_at", "assigned_at", "created_at"))


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    preset: int | None = None

    @classmethod
    def last(cls, days: int, today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(start=today - dt.timedelta(days=days - 1), end=today, preset=days)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        low, high = day_bounds(self.start, self.end)
        return low or _never(), high or _never()

    def as_params(self) -> dict[str, str]:
        if self.preset:
            return {"periode": str(self.preset)}
        return {"du": self.start.isoformat(), "au": self.end.isoformat()}


@dataclass
class Scope:
    """What the dashboard shows: one administration, or all (``administration`` None)."""

    administration: Administration | None
    # Drill-down links open the inbox, which works in the session's administration.
    links: bool = True
    extra: dict = field(default_factory=dict)

    def cases(self) -> QuerySet[Case]:
        if self.administration is None:
            return Case.objects.all()
        return Case.objects.filter(administration=self.administration)

    def responses(self) -> QuerySet[SatisfactionResponse]:
        if self.administration is None:
            return SatisfactionResponse.objects.all()
        return SatisfactionResponse.objects.filter(administration=self.administration)

    def link(self, **params) -> str | None:
        if not self.links or self.administration is None:
            return None
        query = {"box": "all"}
        query.update({k: v for k, v in params.items() if v not in (None, "")})
        if query.get("box") == "queue":
            query = {"box": "queue"}
        return f"{reverse('cases:inbox')}?{urlencode(query)}"


def _period_links(period: Period, prefix: str) -> dict[str, str]:
    return {f"{prefix}_from": period.start.isoformat(), f"{prefix}_to": period.end.isoformat()}


def _never() -> dt.datetime:
    raise ValueError("A period always has both bounds.")


# --- workload now -----------------------------------------------------------------------------


def workload_summary(scope: Scope, period: Period) -> Table:
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
    created = scope.cases().filter(created_at__gte=low, created_at__lt=high).count()
    answered = (
        scope.cases()
        .filter(answered_at__gte=low, answered_at__lt=high)
        .aggregate(n=Count("*"), first=Median(FIRST_RESPONSE), handling=Median(HANDLING))
    )
    satisfaction = (
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
            satisfaction["n"],
            scope.link(**_period_links(period, "surveyed")),
        ),
        ("rating", _("Average rating (1 to 5)"), _round(satisfaction["rating"], 2), None),
    ]
    return Table(
        id="summary",
        title=_("Key figures"),
        columns=[_("Figure"), _("Value")],
        rows=[[label, value] for _key, label, value, _link in rows],
        links=[[link, link] for *_rest, link in rows],
        meta={"keys": [key for key, *_rest in rows]},
    )


def _round(value, digits: int = 1):
    return None if value is None else round(float(value), digits)


def workload_open_by_status(scope: Scope) -> Table:
    counts = dict(
        scope.cases()
        .filter(status__in=OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("*"))
        .values_list("status", "n")
    )
    statuses = [s for s in Status if s in OPEN_STATUSES]
    return Table(
        id="open-by-status",
        title=_("Open cases by status"),
        columns=[_("Status"), _("Cases")],
        rows=[[s.label, counts.get(s.value, 0)] for s in statuses],
        links=[[None, scope.link(status=s.value)] for s in statuses],
    )


def workload_open_by_agent(scope: Scope) -> Table:
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

    def name(row) -> str:
        full = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
        return full or row["assignee__email"]

    return Table(
        id="open-by-agent",
        title=_("Open cases by agent"),
        columns=[_("Agent"), _("Open cases"), _("Overdue"), _("Due within 48 h")],
        rows=[[name(r), r["n"], r["overdue"], r["due_soon"]] for r in rows],
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


def workload_weekly(scope: Scope, period: Period) -> Table:
    """New and answered cases per week (weeks start on Monday; the first and last weeks are
    cut to the period)."""
    low, high = period.bounds()

    def per_week(field: str) -> dict[dt.date, int]:
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

    created, answered = per_week("created_at"), per_week("answered_at")
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
    return Table(
        id="weekly",
        title=_("New and answered cases per week"),
        columns=[_("Week of"), _("New"), _("Answered")],
        rows=rows,
        links=links,
    )


def _times(scope: Scope, period: Period, group: str) -> list[dict]:
    low, high = period.bounds()
    return list(
        scope.cases()
        .filter(answered_at__gte=low, answered_at__lt=high)
        .values(group)
        .annotate(n=Count("*"), first=Median(FIRST_RESPONSE), handling=Median(HANDLING))
        .order_by(group)
    )


def workload_times_by_channel(scope: Scope, period: Period) -> Table:
    by_channel = {row["channel"]: row for row in _times(scope, period, "channel")}
    channels = [c for c in Channel if c.value in by_channel]
    answered = _period_links(period, "answered")
    return Table(
        id="times-by-channel",
        title=_("Median times by channel (cases answered in the period)"),
        columns=[
            _("Channel"),
            _("Cases answered"),
            _("Median first response (h)"),
            _("Median handling (h)"),
        ],
        rows=[
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


def workload_times_by_topic(scope: Scope, period: Period) -> Table:
    low, high = period.bounds()
    rows = list(
        scope.cases()
        .filter(answered_at__gte=low, answered_at__lt=high)
        .values("topic", "topic__name")
        .annotate(n=Count("*"), first=Median(FIRST_RESPONSE), handling=Median(HANDLING))
        .order_by(F("topic__name").asc(nulls_last=True))
    )
    answered = _period_links(period, "answered")
    return Table(
        id="times-by-topic",
        title=_("Median times by topic (cases answered in the period)"),
        columns=[
            _("Topic"),
            _("Cases answered"),
            _("Median first response (h)"),
            _("Median handling (h)"),
        ],
        rows=[
            [r["topic__name"] or _("No topic"), r["n"], _round(r["first"]), _round(r["handling"])]
            for r in rows
        ],
        links=[
            [None, scope.link(topic=r["topic"], **answered) if r["topic"] else None, None, None]
            for r in rows
        ],
    )


def workload_satisfaction(scope: Scope, period: Period) -> Table:
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
    return Table(
        id="satisfaction",
        title=_("Usagers' satisfaction (survey answers in the period)"),
        columns=[
            _("Rating"),
            _("Answers"),
            _("Answered the question: yes"),
            _("Partly"),
            _("No"),
        ],
        rows=[
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


# --- the whole dashboard ----------------------------------------------------------------------


def workload_dashboard(scope: Scope, period: Period) -> dict[str, Table]:
    """Every table of the dashboard, by id."""
    tables = [
        workload_summary(scope, period),
        workload_open_by_status(scope),
        workload_open_by_agent(scope),
        workload_weekly(scope, period),
        workload_times_by_channel(scope, period),
        workload_times_by_topic(scope, period),
        workload_satisfaction(scope, period),
    ]
    return {table.id: table for table in tables}


def workload_charts(tables: dict[str, Table]) -> list[tuple[dict, Table]]:
    """A chart for each table but the key figures, in the order of the page."""

    status, agent = tables["open-by-status"], tables["open-by-agent"]
    weekly, channel = tables["weekly"], tables["times-by-channel"]
    topic, satisfaction = tables["times-by-topic"], tables["satisfaction"]
    return [
        (
            chart(
                id="chart-open-by-status",
                title=status.title,
                type="bar",
                labels=status.column(0),
                datasets=[{"label": _("Cases"), "data": status.column(1)}],
                unit=_("cases"),
            ),
            status,
        ),
        (
            chart(
                id="chart-open-by-agent",
                title=agent.title,
                type="bar",
                labels=agent.column(0),
                datasets=[
                    {"label": _("Open cases"), "data": agent.column(1)},
                    {"label": _("Overdue"), "data": agent.column(2)},
                ],
                unit=_("cases"),
                horizontal=True,
            ),
            agent,
        ),
        (
            chart(
                id="chart-weekly",
                title=weekly.title,
                type="line",
                labels=[row[0].isoformat() for row in weekly.rows],
                datasets=[
                    {"label": _("New"), "data": weekly.column(1)},
                    {"label": _("Answered"), "data": weekly.column(2)},
                ],
                unit=_("cases"),
            ),
            weekly,
        ),
        (
            chart(
                id="chart-times-by-channel",
                title=channel.title,
                type="bar",
                labels=channel.column(0),
                datasets=[
                    {"label": _("Median first response (h)"), "data": channel.column(2)},
                    {"label": _("Median handling (h)"), "data": channel.column(3)},
                ],
                unit=_("hours"),
            ),
            channel,
        ),
        (
            chart(
                id="chart-times-by-topic",
                title=topic.title,
                type="bar",
                labels=topic.column(0),
                datasets=[
                    {"label": _("Median first response (h)"), "data": topic.column(2)},
                    {"label": _("Median handling (h)"), "data": topic.column(3)},
                ],
                unit=_("hours"),
                horizontal=True,
            ),
            topic,
        ),
        (
            chart(
                id="chart-satisfaction",
                title=satisfaction.title,
                type="bar",
                labels=satisfaction.column(0),
                datasets=[
                    {"label": _("Answered the question: yes"), "data": satisfaction.column(2)},
                    {"label": _("Partly"), "data": satisfaction.column(3)},
                    {"label": _("No"), "data": satisfaction.column(4)},
                ],
                unit=_("answers"),
                stacked=True,
            ),
            satisfaction,
        ),
    ]
