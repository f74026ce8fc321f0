"""The impact report's figures read from the per-period rollups of the fact tables.

The rollups (``drafting/models/impact_rollups.py``) are the facts grouped by period and by what
the report reads, kept exact by PostgreSQL triggers in the same transaction as every change of
the facts (migration 0011). A report without a channel or topic filter is a sum of them: a few
thousand rows whatever the number of cases, where the facts are a year of the administration's
cases. Each reader returns the same rows as the selectors' grouped queries over the facts
(``selectors.py``), so that the figures are computed once, from either source.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Sum

from drafting.models import (
    ImpactAdoptionRollup,
    ImpactHandlingRollup,
    ImpactLatencyRollup,
    ImpactSatisfactionRollup,
)

from .filters import ImpactFilters, fact_periods, use_facts

RollupModel = (
    type[ImpactAdoptionRollup]
    | type[ImpactHandlingRollup]
    | type[ImpactLatencyRollup]
    | type[ImpactSatisfactionRollup]
)

ADOPTION_COUNTS = ("drafts", "ready", "failed", "fell_back", "shown", "similarity_n")


def use_rollups(filters: ImpactFilters) -> bool:
    """Whether this report can be read from the rollups: on the facts' database, and filtered
    by nothing finer than periods (the backend and model select periods). The rollups have no
    channel or topic for the cases: those reports read the facts. ``IMPACT_REPORT_ROLLUPS =
    False`` forces the facts (the tests compare both)."""
    return (
        use_facts()
        and not filters.channel
        and not filters.topic_id
        and getattr(settings, "IMPACT_REPORT_ROLLUPS", True)
    )


def rollups_of(model: RollupModel, filters: ImpactFilters) -> QuerySet[Any]:
    return model.objects.filter(fact_periods(filters), administration_id=filters.administration.pk)


def adoption_rows(filters: ImpactFilters) -> list[dict[str, Any]]:
    """Per backend, model, decision, reason, channel and topic: the drafts' counts and sums."""
    rows = (
        rollups_of(ImpactAdoptionRollup, filters)
        .order_by()
        .values("backend", "model_name", "decision", "discard_reason", "channel", "topic_id")
        .annotate(
            **{f"_{name}": Sum(name) for name in ADOPTION_COUNTS},
            _similarity_sum=Sum("similarity_sum"),
            _prompt_tokens=Sum("prompt_tokens"),
            _completion_tokens=Sum("completion_tokens"),
        )
    )
    return [
        {
            "backend": row["backend"],
            "model_name": row["model_name"],
            "decision": row["decision"],
            "discard_reason": row["discard_reason"],
            "channel": row["channel"],
            "topic": row["topic_id"],
            **{name: int(row[f"_{name}"]) for name in ADOPTION_COUNTS},
            "similarity_sum": float(row["_similarity_sum"]),
            "prompt_tokens": int(row["_prompt_tokens"]),
            "completion_tokens": int(row["_completion_tokens"]),
        }
        for row in rows
    ]


def latency_rows(filters: ImpactFilters) -> list[tuple[str, str, int, int]]:
    """(backend, model, latency in ms, ready drafts with that latency)."""
    rows = (
        rollups_of(ImpactLatencyRollup, filters)
        .order_by()
        .values_list("backend", "model_name", "latency_ms")
        .annotate(n=Sum("drafts"))
    )
    return [(backend, model, latency, int(n)) for backend, model, latency, n in rows]


def handling_rows(filters: ImpactFilters) -> list[dict[str, Any]]:
    """Per arm and bucket, as ``selectors.handling_time_distributions`` groups the facts: the
    volunteers' measured cases per bucket with the mean of their seconds, and the other cases
    of the arm under the bucket None."""
    rows = (
        rollups_of(ImpactHandlingRollup, filters)
        .order_by()
        .values_list("arm", "volunteer", "handling_bucket")
        .annotate(n=Sum("cases"), seconds=Sum("seconds"))
    )
    grouped: dict[tuple[str, float | None], list[Any]] = {}
    for arm, volunteer, bucket, n, seconds in rows:
        key = (arm, bucket if volunteer else None)
        acc = grouped.setdefault(key, [0, 0])
        acc[0] += int(n)
        acc[1] += seconds
    return [
        {"arm": arm, "bucket": bucket, "n": n, "mean": float(seconds / n) if n else None}
        for (arm, bucket), (n, seconds) in grouped.items()
    ]


def satisfaction_rows(filters: ImpactFilters) -> list[dict[str, Any]]:
    """Per arm, rating and answer: how many survey answers."""
    rows = (
        rollups_of(ImpactSatisfactionRollup, filters)
        .order_by()
        .values_list("arm", "rating", "survey_answered")
        .annotate(n=Sum("responses"))
    )
    return [
        {"arm": arm, "rating": rating, "answered": answered, "n": int(n)}
        for arm, rating, answered, n in rows
    ]
