"""The period's activity read from ``DailyActivity`` (PostgreSQL): counts summed over the
period's local days, and the medians of first-response and handling times from the days'
merged histograms.

Bucketed medians (docs/design.md, "Scale: 17,500,000 cases"): a duration is kept as its bucket
(migration ``cases/0013``): under 47.95 h the duration rounded to 0.1 h, beyond that buckets 1 %
wide. The median is PostgreSQL's ``percentile_cont(0.5)`` over the sorted durations, each one
estimated from its bucket: the j-th of the c durations of a bucket [lo, hi) is taken at
lo + (j + 0.5) / c x (hi - lo) (a lone one at the bucket's middle, i.e. the rounded value).
Under 48 h it is the exact median to 0.05 h, i.e. the same to the displayed 0.1 h or one unit
off; beyond, within 1 %.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections, router

from cases.models import ActivityKind, DailyActivity

from .scope import Period, Scope

FINE_BUCKETS = 480  # 0.1 h buckets under 47.95 h
FINE_LIMIT_HOURS = 47.95
RATIO = 1.01


def available() -> bool:
    """The table is kept on PostgreSQL only (SQLite has no triggers for it)."""
    return connections[router.db_for_read(DailyActivity)].vendor == "postgresql"


def bucket_bounds(bucket: int) -> tuple[float, float]:
    """The hours [lo, hi) of a bucket (the inverse of SQL ``cases_activity_bucket``)."""
    if bucket < 0:
        lo, hi = bucket_bounds(-bucket)
        return -hi, -lo
    if bucket < FINE_BUCKETS:
        return (bucket - 0.5) / 10, (bucket + 0.5) / 10
    k = bucket - FINE_BUCKETS
    return FINE_LIMIT_HOURS * RATIO**k, FINE_LIMIT_HOURS * RATIO ** (k + 1)


def median(histogram: dict[int, int]) -> float | None:
    """``percentile_cont(0.5)`` of the durations of a histogram {bucket: count}."""
    buckets = sorted((b, n) for b, n in histogram.items() if n > 0)
    total = sum(n for _b, n in buckets)
    if not total:
        return None
    position = 0.5 * (total - 1)
    low_rank = math.floor(position)
    low = _value_at(buckets, low_rank)
    if position == low_rank:
        return low
    return low + (position - low_rank) * (_value_at(buckets, low_rank + 1) - low)


def _value_at(buckets: list[tuple[int, int]], rank: int) -> float:
    seen = 0
    for bucket, count in buckets:
        if rank < seen + count:
            lo, hi = bucket_bounds(bucket)
            return lo + (rank - seen + 0.5) / count * (hi - lo)
        seen += count
    raise IndexError(rank)


@dataclass
class Activity:
    """The period's figures of one key (all cases, a channel, a topic)."""

    created: int = 0
    answered: int = 0
    first: dict[int, int] = field(default_factory=dict)
    handling: dict[int, int] = field(default_factory=dict)

    @property
    def first_median(self) -> float | None:
        return median(self.first)

    @property
    def handling_median(self) -> float | None:
        return median(self.handling)


def _where(scope: Scope, period: Period, kind: str) -> tuple[str, list]:
    clauses = ["day BETWEEN %s AND %s", "kind = %s"]
    params: list = [period.start, period.end, kind]
    if scope.administration is not None:
        clauses.insert(0, "administration_id = %s")
        params.insert(0, scope.administration.pk)
    return " AND ".join(clauses), params


def period_activity(scope: Scope, period: Period, kind: str) -> dict[str, Activity]:
    """{key: Activity} over the period for one kind (``ActivityKind``), in one query: the
    counts per key and the histograms merged per key and bucket by PostgreSQL (a few thousand
    rows at most, whatever the number of cases)."""
    where, params = _where(scope, period, kind)
    table = DailyActivity._meta.db_table
    sql = f"""
        SELECT key, 'n', created, answered FROM (
            SELECT key, sum(created)::bigint AS created, sum(answered)::bigint AS answered
            FROM {table} WHERE {where} GROUP BY key) AS t
        UNION ALL
        SELECT key, 'f', b, sum(n)::bigint FROM {table}, unnest(first_buckets, first_counts)
            AS u(b, n) WHERE {where} GROUP BY key, b
        UNION ALL
        SELECT key, 'h', b, sum(n)::bigint FROM {table}, unnest(handling_buckets,
            handling_counts) AS u(b, n) WHERE {where} GROUP BY key, b
    """  # noqa: S608 (the table's name and fixed clauses; values are parameters)
    result: dict[str, Activity] = defaultdict(Activity)
    with connections[router.db_for_read(DailyActivity)].cursor() as cursor:
        cursor.execute(sql, params * 3)
        for key, part, a, b in cursor.fetchall():
            activity = result[key]
            if part == "n":
                activity.created, activity.answered = int(a), int(b)
            elif part == "f":
                activity.first[int(a)] = int(b)
            else:
                activity.handling[int(a)] = int(b)
    return {key: a for key, a in result.items() if a.created or a.answered}


def daily_counts(scope: Scope, period: Period) -> dict[dt.date, tuple[int, int]]:
    """{local day: (created, answered)} of the period's days with any."""
    where, params = _where(scope, period, ActivityKind.ALL)
    table = DailyActivity._meta.db_table
    sql = (
        f"SELECT day, sum(created)::bigint, sum(answered)::bigint FROM {table} "  # noqa: S608
        f"WHERE {where} GROUP BY day"
    )
    with connections[router.db_for_read(DailyActivity)].cursor() as cursor:
        cursor.execute(sql, params)
        return {day: (int(c), int(a)) for day, c, a in cursor.fetchall()}
