"""The SQL the reports share, written once for PostgreSQL (production, tests) and SQLite
(``make run``): durations between two timestamps, medians and percentiles.

Each helper renders the same SQL text the dashboard and the impact report wrote before they
shared it, so that the plans (and the PostgreSQL fact-table triggers, which compute the same
durations) stay as they are.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, FloatField, Func


class _Between(Func):
    """``end - start`` as a float, in the unit of the subclass."""

    output_field = FloatField()
    arity = 2
    postgresql_template = ""
    sqlite_template = ""

    def as_sql(self, compiler, connection, **extra_context):  # PostgreSQL
        return super().as_sql(
            compiler,
            connection,
            template=self.postgresql_template,
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template=self.sqlite_template,
            arg_joiner=") - julianday(",
            **extra_context,
        )


class HoursBetween(_Between):
    """``HoursBetween(end, start)``: (end - start) in hours."""

    postgresql_template = "(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)"
    sqlite_template = "((julianday(%(expressions)s)) * 24.0)"


class SecondsBetween(_Between):
    """``SecondsBetween(end, start)``: (end - start) in seconds."""

    postgresql_template = "EXTRACT(EPOCH FROM (%(expressions)s))::double precision"
    sqlite_template = "((julianday(%(expressions)s)) * 86400.0)"


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set ``percentile_cont(f) WITHIN GROUP (ORDER BY x)``."""

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def __init__(self, expression: Any, fraction: float, **extra: Any):
        # A float we chose, never user input: safe to put in the SQL text.
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


class Median(PercentileCont):
    """The median: ``percentile_cont(0.5)`` on PostgreSQL, a registered aggregate on SQLite
    (``register_sqlite_functions``, for ``make run``)."""

    name = "Median"

    def __init__(self, expression: Any, **extra: Any):
        super().__init__(expression, 0.5, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function="guichet_median",
            template="%(function)s(%(expressions)s)",
            **extra_context,
        )


class _SQLiteMedian:
    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        if not self.values:
            return None
        values = sorted(self.values)
        middle = len(values) // 2
        if len(values) % 2:
            return values[middle]
        return (values[middle - 1] + values[middle]) / 2


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created receiver: the median aggregate for SQLite (development only)."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("guichet_median", 1, _SQLiteMedian)
