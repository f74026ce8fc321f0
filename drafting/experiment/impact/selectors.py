"""The impact report of the drafting experiment: reads only.

Every figure is an aggregation done by the database; Python receives summaries (counts per
group, the handling-time distribution per arm in fine buckets, the rating counts per arm) and
turns them into shares, medians and confidence intervals (``statistics.py``). The report is
computed once per filters (``cached_impact_report``); its figures (``figures.py``) lay it out.
See docs/design.md, "Statistics of the impact report", for the choices.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypedDict, overload

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, F, FloatField, Q, QuerySet, Sum, When
from django.db.models import Case as CaseWhen
from django.db.models.functions import Floor
from django.utils import timezone

from accounts.models import Administration, Enrolment
from cases.models import Case, SatisfactionResponse
from cases.reporting.sql import SecondsBetween
from drafting.models import Arm, ImpactCase, ImpactDraft, Suggestion

from . import rollups
from .filters import ImpactFilters, case_filter, facts_of, suggestions_of, use_facts
from .statistics import (
    BOOTSTRAP_RESAMPLES,
    MIN_CASES_PER_ARM,
    Distribution,
    mean_difference_ci,
    median_difference_ci,
    percentile_cont,
    proportion_difference_ci,
    share,
    verdict,
)

LATENCY_PERCENTILES = (0.5, 0.9, 0.95)


def _bucket() -> CaseWhen:
    """Fine buckets of a duration: 10 s under an hour, a minute under a day, 10 minutes under
    a week, an hour beyond. A year of durations is at most ~10,000 buckets, whatever the
    number of cases; each bucket is then represented by the mean of its values. The fact
    tables' triggers compute the same buckets (migration 0004)."""
    return CaseWhen(
        When(Q(_s__lt=3600), then=Floor(F("_s") / 10) * 10),
        When(Q(_s__lt=86400), then=Floor(F("_s") / 60) * 60),
        When(Q(_s__lt=7 * 86400), then=Floor(F("_s") / 600) * 600),
        default=Floor(F("_s") / 3600) * 3600,
        output_field=FloatField(),
    )


# --- adoption and operations ----------------------------------------------------------------


def _empty_adoption() -> dict[str, Any]:
    return {
        "drafts": 0,
        "ready": 0,
        "failed": 0,
        "fell_back": 0,
        "shown": 0,
        "accepted": 0,
        "edited": 0,
        "discarded": 0,
        "similarity_sum": 0.0,
        "similarity_n": 0,
        "prompt_tokens": 0,
        "completion_tokens": 0,
    }


def _finish_adoption(acc: dict[str, Any]) -> dict[str, Any]:
    shown = acc["shown"]
    return {
        "drafts": acc["drafts"],
        "ready": acc["ready"],
        "shown": shown,
        "accepted": acc["accepted"],
        "edited": acc["edited"],
        "discarded": acc["discarded"],
        "shown_share": share(shown, acc["ready"]),
        "accepted_share": share(acc["accepted"], shown),
        "edited_share": share(acc["edited"], shown),
        "discarded_share": share(acc["discarded"], shown),
        "edited_mean_similarity": (
            acc["similarity_sum"] / acc["similarity_n"] if acc["similarity_n"] else None
        ),
    }


def adoption_and_operations(filters: ImpactFilters) -> dict[str, Any]:
    """One grouped scan of the drafts, rolled up by backend/model, channel and topic.

    The groups (backend × model × channel × topic × decision × discard reason) number in the
    hundreds at most, whatever the number of drafts, and every figure here is a sum of them.
    """
    overall = _empty_adoption()
    by_backend: dict[tuple[str, str], dict[str, Any]] = defaultdict(_empty_adoption)
    by_channel: dict[str, dict[str, Any]] = defaultdict(_empty_adoption)
    by_topic: dict[int | None, dict[str, Any]] = defaultdict(_empty_adoption)
    reasons: dict[str, int] = defaultdict(int)
    for row in _adoption_rows(filters):
        decided = {
            "accepted": row["shown"] if row["decision"] == "accepted" else 0,
            "edited": row["shown"] if row["decision"] == "edited" else 0,
            "discarded": row["shown"] if row["decision"] == "discarded" else 0,
        }
        if row["decision"] == "discarded" and row["shown"]:
            reasons[row["discard_reason"]] += row["shown"]
        for acc in (
            overall,
            by_backend[(row["backend"], row["model_name"])],
            by_channel[row["channel"]],
            by_topic[row["topic"]],
        ):
            for key in ("drafts", "ready", "failed", "fell_back", "shown", "similarity_n"):
                acc[key] += row[key]
            for key, value in decided.items():
                acc[key] += value
            acc["similarity_sum"] += row["similarity_sum"] or 0.0
            acc["prompt_tokens"] += row["prompt_tokens"] or 0
            acc["completion_tokens"] += row["completion_tokens"] or 0
    return _adoption_report(filters, overall, by_backend, by_channel, by_topic, reasons)


def _adoption_rows(filters: ImpactFilters) -> Iterable[Mapping[str, Any]]:
    """The drafts grouped by backend, model, decision, reason, channel and topic, with their
    counts and sums: from the rollups, the facts or the source tables."""
    if rollups.use_rollups(filters):
        return rollups.adoption_rows(filters)
    drafts: QuerySet[Any, Mapping[str, Any]]
    if use_facts():
        shown = Q(was_shown=True)
        drafts = facts_of(ImpactDraft, filters).values(
            "backend", "model_name", "decision", "discard_reason", "channel", topic=F("topic_id")
        )
    else:
        shown = Q(shown_at__isnull=False)
        drafts = suggestions_of(filters).values(
            "backend",
            "model_name",
            "decision",
            "discard_reason",
            channel=F("case__channel"),
            topic=F("case__topic_id"),
        )
    return drafts.order_by().annotate(
        drafts=Count("pk"),
        ready=Count("pk", filter=Q(status=Suggestion.Status.READY)),
        failed=Count("pk", filter=Q(status=Suggestion.Status.FAILED)),
        fell_back=Count("pk", filter=Q(fell_back=True)),
        shown=Count("pk", filter=shown),
        similarity_sum=Sum("similarity", filter=shown & Q(decision="edited")),
        similarity_n=Count("similarity", filter=shown & Q(decision="edited")),
        prompt_tokens=Sum("prompt_tokens"),
        completion_tokens=Sum("completion_tokens"),
    )


def _adoption_report(
    filters: ImpactFilters,
    overall: dict[str, Any],
    by_backend: dict[tuple[str, str], dict[str, Any]],
    by_channel: dict[str, dict[str, Any]],
    by_topic: dict[int | None, dict[str, Any]],
    reasons: dict[str, int],
) -> dict[str, Any]:
    percentiles = latency_percentiles(filters)
    operations = []
    for (backend, model_name), acc in sorted(by_backend.items()):
        operations.append(
            {
                "backend": backend,
                "model_name": model_name,
                "drafts": acc["drafts"],
                "failed": acc["failed"],
                "fell_back": acc["fell_back"],
                "failed_share": share(acc["failed"], acc["drafts"]),
                "fell_back_share": share(acc["fell_back"], acc["drafts"]),
                "prompt_tokens": acc["prompt_tokens"],
                "completion_tokens": acc["completion_tokens"],
                "tokens_per_draft": share(
                    acc["prompt_tokens"] + acc["completion_tokens"], acc["ready"]
                ),
                "latency_ms": percentiles.get((backend, model_name)),
            }
        )
    discarded = sum(reasons.values())
    return {
        "overall": _finish_adoption(overall),
        "by_backend": [
            {"backend": b, "model_name": m, **_finish_adoption(acc)}
            for (b, m), acc in sorted(by_backend.items())
        ],
        "by_channel": [
            {"channel": channel, **_finish_adoption(acc)}
            for channel, acc in sorted(by_channel.items())
        ],
        "by_topic": [
            {"topic": topic, **_finish_adoption(acc)}
            for topic, acc in sorted(by_topic.items(), key=lambda item: item[0] or 0)
        ],
        "discard_reasons": [
            {"reason": reason, "count": count, "share": share(count, discarded)}
            for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
        ],
        "operations": operations,
    }


def latency_percentiles(filters: ImpactFilters) -> dict[tuple[str, str], dict[str, float]]:
    """Latency percentiles of the ready drafts per backend/model, exactly as PostgreSQL's
    ``percentile_cont`` computes them, from the count of each latency value (latencies are
    whole milliseconds: a few thousand distinct values, and a hash aggregate instead of a sort
    of every draft). On SQLite (``make run``) from the drafts themselves, like any report
    without the fact tables."""
    rows: Iterable[tuple[str, str, int, int]]
    if rollups.use_rollups(filters):
        rows = rollups.latency_rows(filters)
    else:
        drafts = (
            facts_of(ImpactDraft, filters)
            if use_facts()
            else suggestions_of(filters, with_case=False)
        )
        rows = (
            drafts.filter(status=Suggestion.Status.READY, latency_ms__isnull=False)
            .order_by()
            .values_list("backend", "model_name", "latency_ms")
            .annotate(n=Count("pk"))
        )
    pairs: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
    for backend, model_name, latency, n in rows:
        pairs[(backend, model_name)].append((latency, n))
    result = {}
    for key, values in pairs.items():
        distribution = Distribution.from_pairs(values)
        result[key] = {
            f"p{round(q * 100)}": percentile_cont(distribution, q) for q in LATENCY_PERCENTILES
        }
    return result


# --- handling time --------------------------------------------------------------------------


def _answered_by_volunteer(administration: Administration) -> Q:
    """The agent who answered had volunteered: an approved enrolment, or one withdrawn after
    the answer. Enrolments are a few rows per agent: read first, they become a plain condition
    on the case row instead of a correlated subquery run for every case."""
    approved: set[int] = set()
    withdrawn: dict[int, dt.datetime] = {}
    for user_id, status, withdrawn_at in Enrolment.objects.filter(
        administration=administration,
        status__in=[Enrolment.Status.APPROVED, Enrolment.Status.WITHDRAWN],
    ).values_list("user_id", "status", "withdrawn_at"):
        if status == Enrolment.Status.APPROVED:
            approved.add(user_id)
        elif withdrawn_at is not None:
            withdrawn[user_id] = max(withdrawn_at, withdrawn.get(user_id, withdrawn_at))
    condition = Q(assignee_id__in=sorted(approved))
    for user_id, until in withdrawn.items():
        if user_id not in approved:
            condition |= Q(assignee_id=user_id, answered_at__lt=until)
    return condition


@overload
def handling_time_distributions(
    filters: ImpactFilters, *, with_totals: Literal[False] = False
) -> dict[str, Distribution]: ...


@overload
def handling_time_distributions(
    filters: ImpactFilters, *, with_totals: Literal[True]
) -> tuple[dict[str, Distribution], dict[str, int]]: ...


def handling_time_distributions(
    filters: ImpactFilters, *, with_totals: bool = False
) -> dict[str, Distribution] | tuple[dict[str, Distribution], dict[str, int]]:
    """Per arm, the distribution of first opened → answered, in seconds, of the cases answered
    by volunteers, as fine buckets: one grouped query, a few thousand rows at most.

    The same scan counts every experiment case per arm (the rows whose bucket is NULL are the
    cases that are not part of the comparison), so that the report reads the cases once.
    """
    pairs: dict[str, list[tuple[float, int]]] = {Arm.ASSISTED: [], Arm.CONTROL: []}
    totals = {Arm.ASSISTED.value: 0, Arm.CONTROL.value: 0}
    for row in _handling_rows(filters):
        totals[row["arm"]] += row["n"]
        if row["bucket"] is not None:
            pairs[row["arm"]].append((row["mean"], row["n"]))
    distributions = {arm: Distribution.from_pairs(p) for arm, p in pairs.items()}
    return (distributions, totals) if with_totals else distributions


def _handling_rows(filters: ImpactFilters) -> Iterable[Mapping[str, Any]]:
    """Per arm and bucket (None: not measured), the cases and the mean of their seconds."""
    if rollups.use_rollups(filters):
        return rollups.handling_rows(filters)
    volunteer = _answered_by_volunteer(filters.administration)
    bucket: F | CaseWhen
    if use_facts():
        # The duration and its bucket are computed once, when the fact row is written.
        measured = Q(handling_seconds__isnull=False) & volunteer
        cases = facts_of(ImpactCase, filters).annotate(_s=F("handling_seconds"))
        bucket, arm = F("handling_bucket"), "arm"
    else:
        measured = (
            Q(
                answered_at__isnull=False,
                first_opened_at__isnull=False,
                answered_at__gte=F("first_opened_at"),
            )
            & volunteer
        )
        cases = Case.objects.filter(case_filter(filters))
        cases, arm = cases.annotate(_s=SecondsBetween("answered_at", "first_opened_at")), "arm__arm"
        bucket = _bucket()
    # Count("*"), not the primary key: the facts' covering index (impactcase_report_idx) holds
    # every other column read here, so PostgreSQL answers from the index alone (measured at
    # 17.5 million cases: an index-only scan instead of reading the table, docs/design.md).
    rows = (
        cases.annotate(bucket=CaseWhen(When(measured, then=bucket), default=None))
        .order_by()
        .values(arm, "bucket")
        .annotate(n=Count("*"), mean=Avg("_s"))
    )
    return ({**row, "arm": row[arm]} for row in rows)


def handling_time(filters: ImpactFilters) -> dict[str, Any]:
    distributions, totals = handling_time_distributions(filters, with_totals=True)
    assisted, control = distributions[Arm.ASSISTED], distributions[Arm.CONTROL]
    result: dict[str, Any] = {
        "assisted": {"cases": assisted.n, "median_seconds": assisted.median()},
        "control": {"cases": control.n, "median_seconds": control.median()},
        "difference_seconds": None,
        "relative_gain": None,
        "difference_ci": None,
        "relative_gain_ci": None,
        "enough_cases": min(assisted.n, control.n) >= MIN_CASES_PER_ARM,
        "min_cases_per_arm": MIN_CASES_PER_ARM,
        "method": "bootstrap-median",
        "resamples": BOOTSTRAP_RESAMPLES,
        "arm_cases": totals,
        "distributions": {
            Arm.ASSISTED: list(zip(assisted.values, assisted.counts, strict=True)),
            Arm.CONTROL: list(zip(control.values, control.counts, strict=True)),
        },
    }
    c, a = control.median(), assisted.median()
    if c is not None and a is not None:  # both arms have cases (a median is None only when n = 0)
        result["difference_seconds"] = c - a
        result["relative_gain"] = (c - a) / c if c else None
    if result["enough_cases"]:
        result.update(median_difference_ci(control, assisted))
    result["verdict"] = verdict(
        result["difference_ci"], positive="assisted_faster", negative="assisted_slower"
    )
    return result


# --- satisfaction ---------------------------------------------------------------------------


class _RatingCounts(TypedDict):
    """One arm's survey answers, summed over the grouped rows."""

    n: int
    sum: int
    sum_sq: int
    ratings: defaultdict[int, int]
    answered: dict[str, int]


def _satisfaction_rows(filters: ImpactFilters) -> Iterable[Mapping[str, Any]]:
    """Per arm, rating and answer: how many survey answers."""
    if rollups.use_rollups(filters):
        return rollups.satisfaction_rows(filters)
    responses: QuerySet[Any, Mapping[str, Any]]
    if use_facts():
        responses = (
            facts_of(ImpactCase, filters)
            .filter(rating__isnull=False)
            .values("rating", "arm", answered=F("survey_answered"))
        )
    else:
        responses = SatisfactionResponse.objects.filter(case_filter(filters, "case__")).values(
            "rating", "answered", arm=F("case__arm__arm")
        )
    return responses.order_by().annotate(n=Count("pk"))


def satisfaction(filters: ImpactFilters) -> dict[str, Any]:
    """Per arm: the counts per (rating, answered) from one grouped query, 30 rows at most."""
    rows = _satisfaction_rows(filters)
    counts: dict[str, _RatingCounts] = {
        arm: {"n": 0, "sum": 0, "sum_sq": 0, "ratings": defaultdict(int), "answered": {}}
        for arm in (Arm.ASSISTED, Arm.CONTROL)
    }
    for row in rows:
        acc = counts[row["arm"]]
        acc["n"] += row["n"]
        acc["sum"] += row["rating"] * row["n"]
        acc["sum_sq"] += row["rating"] ** 2 * row["n"]
        acc["ratings"][row["rating"]] += row["n"]
        acc["answered"][row["answered"]] = acc["answered"].get(row["answered"], 0) + row["n"]

    def arm_summary(acc: _RatingCounts) -> dict[str, Any]:
        n = acc["n"]
        mean: float | None = None
        variance: float | None = None
        if n:
            mean = acc["sum"] / n
            if n > 1:
                variance = (acc["sum_sq"] - n * mean**2) / (n - 1)
        yes = acc["answered"].get("yes", 0)
        return {
            "responses": n,
            "mean_rating": mean,
            "variance": variance,
            "ratings": {rating: acc["ratings"].get(rating, 0) for rating in range(1, 6)},
            "answered": {key: acc["answered"].get(key, 0) for key in ("yes", "partly", "no")},
            "yes_share": share(yes, n),
        }

    assisted, control = arm_summary(counts[Arm.ASSISTED]), arm_summary(counts[Arm.CONTROL])
    n_a, n_c = assisted["responses"], control["responses"]
    enough = min(n_a, n_c) >= MIN_CASES_PER_ARM
    result: dict[str, Any] = {
        "assisted": assisted,
        "control": control,
        "enough_cases": enough,
        "min_cases_per_arm": MIN_CASES_PER_ARM,
        "mean_difference": None,
        "mean_difference_ci": None,
        "yes_share_difference": None,
        "yes_share_difference_ci": None,
        "method": "welch-normal; newcombe-wilson",
    }
    if n_a and n_c:
        result["mean_difference"] = assisted["mean_rating"] - control["mean_rating"]
        result["yes_share_difference"] = assisted["yes_share"] - control["yes_share"]
    if enough:
        result["mean_difference_ci"] = list(
            mean_difference_ci(
                assisted["mean_rating"],
                assisted["variance"],
                n_a,
                control["mean_rating"],
                control["variance"],
                n_c,
            )
        )
        result["yes_share_difference_ci"] = list(
            proportion_difference_ci(
                assisted["answered"]["yes"], n_a, control["answered"]["yes"], n_c
            )
        )
    result["verdict"] = verdict(
        result["mean_difference_ci"], positive="assisted_better", negative="assisted_worse"
    )
    result["yes_verdict"] = verdict(
        result["yes_share_difference_ci"], positive="assisted_better", negative="assisted_worse"
    )
    return result


# --- the report -----------------------------------------------------------------------------


def arm_counts(filters: ImpactFilters) -> dict[str, int]:
    """How many experiment cases each arm holds under the filters."""
    rows = (
        Case.objects.filter(case_filter(filters))
        .order_by()
        .values("arm__arm")
        .annotate(n=Count("pk"))
    )
    counts = {Arm.ASSISTED.value: 0, Arm.CONTROL.value: 0}
    for row in rows:
        counts[row["arm__arm"]] = row["n"]
    return counts


def impact_report(filters: ImpactFilters) -> dict[str, Any]:
    period = filters.period
    handling = handling_time(filters)
    return {
        "computed_at": timezone.now(),
        "administration": {"id": filters.administration.pk, "name": filters.administration.name},
        "period": (
            None
            if period is None
            else {
                "id": period.pk,
                "started_at": period.started_at,
                "ended_at": period.ended_at,
                "assisted_share": float(period.assisted_share),
                "backend": period.backend,
                "model_name": period.model_name,
            }
        ),
        "filters": {
            "backend": filters.backend,
            "model_name": filters.model_name,
            "channel": filters.channel,
            "topic": filters.topic_id,
        },
        "cases": handling["arm_cases"],
        "adoption": adoption_and_operations(filters),
        "handling_time": handling,
        "satisfaction": satisfaction(filters),
    }


def cached_impact_report(filters: ImpactFilters) -> dict[str, Any]:
    """The report, computed at most once every ``IMPACT_REPORT_CACHE_SECONDS`` (default five
    minutes) per administration and filters: an experiment is judged over weeks, and the page,
    its exports and the API then show the same figures. The page says when they were computed."""
    seconds = getattr(settings, "IMPACT_REPORT_CACHE_SECONDS", 300)
    if not seconds:
        return impact_report(filters)
    parts = [
        filters.administration.pk,
        filters.period.pk if filters.period else "all",
        filters.backend,
        filters.model_name,
        filters.channel,
        filters.topic_id or "",
    ]
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"impact-report:{filters.administration.pk}:{digest}"
    report: dict[str, Any] | None = cache.get(key)
    if report is None:
        report = impact_report(filters)
        cache.set(key, report, seconds)
    return report
