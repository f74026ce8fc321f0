"""The impact report of the drafting experiment: reads only.

Every figure is an aggregation done by the database; Python receives summaries (counts per
group, the handling-time distribution per arm in fine buckets, the rating counts per arm) and
turns them into shares, medians and confidence intervals. See docs/design.md, "Statistics of
the impact report", for the choices.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Floor
from django.utils import timezone

from accounts.models import Administration, Enrolment
from cases.models import Case, SatisfactionResponse

from .models import Arm, CaseArm, ExperimentPeriod, ImpactCase, ImpactDraft, Suggestion

# Below this many cases in either arm, no comparison is concluded.
MIN_CASES_PER_ARM = 30
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20260601
CONFIDENCE = 0.95
_Z = 1.959963984540054  # standard normal quantile for a two-sided 95 % interval

LATENCY_PERCENTILES = (0.5, 0.9, 0.95)


# --- filters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpactFilters:
    """What the report is about. ``period`` None means all periods of the administration."""

    administration: Administration
    period: ExperimentPeriod | None = None
    backend: str = ""
    model_name: str = ""
    channel: str = ""
    topic_id: int | None = None


def periods_of(administration: Administration) -> QuerySet[ExperimentPeriod]:
    return ExperimentPeriod.objects.filter(administration=administration).order_by("-started_at")


def period_get(administration: Administration, pk: int) -> ExperimentPeriod:
    """A period of this administration; another administration's raises DoesNotExist."""
    return periods_of(administration).get(pk=pk)


def configurations_of(administration: Administration) -> tuple[list[str], list[str]]:
    """The backends and models the administration's periods were configured with."""
    rows = periods_of(administration).order_by().values_list("backend", "model_name").distinct()
    backends = sorted({b for b, _m in rows if b})
    models = sorted({m for _b, m in rows if m})
    return backends, models


def _case_filter(filters: ImpactFilters, prefix: str = "") -> Q:
    """The experiment cases the report covers, as a Q on a model reaching Case by ``prefix``.
    The administration comes first: every query of the report is one tenant's."""
    q = Q(**{f"{prefix}administration": filters.administration})
    if filters.period is not None:
        q &= Q(**{f"{prefix}arm__period": filters.period})
    else:
        # Through the period index of the arms, not a scan of every arm of every administration.
        period_ids = list(periods_of(filters.administration).values_list("pk", flat=True))
        q &= Q(**{f"{prefix}arm__period_id__in": period_ids})
    if filters.backend:
        q &= Q(**{f"{prefix}arm__period__backend": filters.backend})
    if filters.model_name:
        q &= Q(**{f"{prefix}arm__period__model_name": filters.model_name})
    if filters.channel:
        q &= Q(**{f"{prefix}channel": filters.channel})
    if filters.topic_id:
        q &= Q(**{f"{prefix}topic_id": filters.topic_id})
    return q


def use_facts() -> bool:
    """Whether the report reads its fact tables (``ImpactCase``, ``ImpactDraft``), kept by
    PostgreSQL triggers, rather than joining the source tables. SQLite (``make run``) has no
    triggers for them: the source tables there. ``IMPACT_REPORT_FACTS = False`` forces the
    source tables (the tests compare both)."""
    return connection.vendor == "postgresql" and getattr(settings, "IMPACT_REPORT_FACTS", True)


def _fact_periods(filters: ImpactFilters) -> Q:
    """The periods covered, as a condition on a fact's ``period_id`` (a subquery on the few
    periods of the administration when the backend or model filters them)."""
    periods = periods_of(filters.administration).order_by()
    if not filters.backend and not filters.model_name:
        # A fact's period is always one of its administration's (the triggers join on it).
        return Q(period_id=filters.period.pk) if filters.period is not None else Q()
    if filters.period is not None:
        periods = periods.filter(pk=filters.period.pk)
    if filters.backend:
        periods = periods.filter(backend=filters.backend)
    if filters.model_name:
        periods = periods.filter(model_name=filters.model_name)
    return Q(period_id__in=periods.values("pk"))


def _facts(model: type[ImpactCase] | type[ImpactDraft], filters: ImpactFilters) -> QuerySet:
    """The fact rows the report covers: one administration, its periods, one index range."""
    rows = model.objects.filter(_fact_periods(filters), administration_id=filters.administration.pk)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.topic_id:
        rows = rows.filter(topic_id=filters.topic_id)
    return rows


# --- SQL helpers ----------------------------------------------------------------------------


class Seconds(Func):
    """``end - start`` in seconds, as a float."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):  # SQLite, the development default
        return super().as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))::double precision",
            arg_joiner=" - ",
            **extra,
        )


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set ``percentile_cont(f) WITHIN GROUP (ORDER BY x)``."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def __init__(self, expression, fraction: float, **extra):
        # A float we chose, never user input: safe to put in the SQL text.
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


def _bucket():
    """Fine buckets of a duration: 10 s under an hour, a minute under a day, 10 minutes under
    a week, an hour beyond. A year of durations is at most ~10,000 buckets, whatever the
    number of cases; each bucket is then represented by the mean of its values."""
    return CaseWhen(
        When(Q(_s__lt=3600), then=Floor(F("_s") / 10) * 10),
        When(Q(_s__lt=86400), then=Floor(F("_s") / 60) * 60),
        When(Q(_s__lt=7 * 86400), then=Floor(F("_s") / 600) * 600),
        default=Floor(F("_s") / 3600) * 3600,
        output_field=FloatField(),
    )


# --- statistics (pure functions on summaries) -----------------------------------------------


@dataclass
class Distribution:
    """A sample given as sorted (value, count) pairs."""

    values: list[float]
    counts: list[int]
    cumulative: list[int] = field(init=False)

    def __post_init__(self):
        total, self.cumulative = 0, []
        for count in self.counts:
            total += count
            self.cumulative.append(total)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[float, int]]) -> Distribution:
        merged: dict[float, int] = defaultdict(int)
        for value, count in pairs:
            merged[float(value)] += int(count)
        values = sorted(merged)
        return cls(values=values, counts=[merged[v] for v in values])

    @property
    def n(self) -> int:
        return self.cumulative[-1] if self.cumulative else 0

    def order_statistic(self, k: int) -> float:
        """The k-th smallest value (1-based)."""
        return self.values[bisect.bisect_left(self.cumulative, k)]

    def median(self) -> float | None:
        n = self.n
        if n == 0:
            return None
        if n % 2:
            return self.order_statistic((n + 1) // 2)
        return (self.order_statistic(n // 2) + self.order_statistic(n // 2 + 1)) / 2

    def quantile_of_uniform(self, u: float) -> float:
        """The empirical quantile function: the value that a uniform ``u`` maps to."""
        k = min(max(math.ceil(u * self.n), 1), self.n)
        return self.order_statistic(k)

    def bootstrap_median(self, rng: random.Random) -> float:
        """The median of one bootstrap resample, drawn exactly without drawing the resample.

        A resample is n draws from the empirical distribution F, i.e. F⁻¹ of n uniforms, so its
        k-th order statistic is F⁻¹ of the k-th uniform order statistic, which is Beta(k, n-k+1);
        the next one is u + (1-u)·Beta(1, n-k). This has the distribution of the resampled
        median and costs two draws whatever n is.
        """
        n = self.n
        k = (n + 1) // 2 if n % 2 else n // 2
        u = rng.betavariate(k, n - k + 1)
        low = self.quantile_of_uniform(u)
        if n % 2:
            return low
        u_next = u + (1 - u) * rng.betavariate(1, n - k)
        return (low + self.quantile_of_uniform(u_next)) / 2


def _quantile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (type 7, as numpy's default)."""
    position = (len(sorted_values) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def median_difference_ci(
    control: Distribution,
    assisted: Distribution,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, Any]:
    """Difference of medians (control − assisted) and relative gain (difference / control
    median), with 95 % percentile bootstrap intervals (fixed seed: the same data always gives
    the same interval)."""
    rng = random.Random(seed)  # noqa: S311 (statistics, not secrets)
    differences, gains = [], []
    for _ in range(resamples):
        c = control.bootstrap_median(rng)
        a = assisted.bootstrap_median(rng)
        differences.append(c - a)
        if c > 0:
            gains.append((c - a) / c)
    differences.sort()
    gains.sort()
    alpha = (1 - CONFIDENCE) / 2
    return {
        "difference_ci": [_quantile(differences, alpha), _quantile(differences, 1 - alpha)],
        "relative_gain_ci": (
            [_quantile(gains, alpha), _quantile(gains, 1 - alpha)] if gains else None
        ),
    }


def wilson_interval(successes: int, n: int) -> tuple[float, float]:
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denominator = 1 + _Z**2 / n
    centre = (p + _Z**2 / (2 * n)) / denominator
    half = _Z * math.sqrt(p * (1 - p) / n + _Z**2 / (4 * n**2)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def proportion_difference_ci(s1: int, n1: int, s2: int, n2: int) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p1 − p2 (from two Wilson intervals)."""
    p1, p2 = s1 / n1, s2 / n2
    l1, u1 = wilson_interval(s1, n1)
    l2, u2 = wilson_interval(s2, n2)
    d = p1 - p2
    return (
        d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


def mean_difference_ci(
    mean1: float, var1: float, n1: int, mean2: float, var2: float, n2: int
) -> tuple[float, float]:
    """Welch's normal interval for mean1 − mean2 (ratings are bounded: with 30 or more per arm
    the normal approximation of each mean holds)."""
    d = mean1 - mean2
    half = _Z * math.sqrt(var1 / n1 + var2 / n2)
    return (d - half, d + half)


def _verdict(ci: list[float] | tuple[float, float] | None, *, positive: str, negative: str) -> str:
    if ci is None:
        return "too_few"
    if ci[0] > 0:
        return positive
    if ci[1] < 0:
        return negative
    return "no_difference"


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- adoption and operations ----------------------------------------------------------------


def _suggestions(filters: ImpactFilters, *, with_case: bool = True) -> QuerySet[Suggestion]:
    """The drafts of the report's cases. Without ``with_case`` (and no channel or topic filter)
    the cases table is not joined: the arms of the period say which cases count."""
    drafts = Suggestion.objects.filter(administration=filters.administration)
    if with_case or filters.channel or filters.topic_id:
        return drafts.filter(_case_filter(filters, "case__"))
    arms = CaseArm.objects.all()
    if filters.period is not None:
        arms = arms.filter(period=filters.period)
    else:
        arms = arms.filter(
            period_id__in=list(periods_of(filters.administration).values_list("pk", flat=True))
        )
    if filters.backend:
        arms = arms.filter(period__backend=filters.backend)
    if filters.model_name:
        arms = arms.filter(period__model_name=filters.model_name)
    return drafts.filter(case_id__in=arms.values("case_id"))


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
        "shown_share": _share(shown, acc["ready"]),
        "accepted_share": _share(acc["accepted"], shown),
        "edited_share": _share(acc["edited"], shown),
        "discarded_share": _share(acc["discarded"], shown),
        "edited_mean_similarity": (
            acc["similarity_sum"] / acc["similarity_n"] if acc["similarity_n"] else None
        ),
    }


def adoption_and_operations(filters: ImpactFilters) -> dict[str, Any]:
    """One grouped scan of the drafts, rolled up by backend/model, channel and topic.

    The groups (backend × model × channel × topic × decision × discard reason) number in the
    hundreds at most, whatever the number of drafts, and every figure here is a sum of them.
    """
    if use_facts():
        shown = Q(was_shown=True)
        drafts = _facts(ImpactDraft, filters).values(
            "backend", "model_name", "decision", "discard_reason", "channel", topic=F("topic_id")
        )
    else:
        shown = Q(shown_at__isnull=False)
        drafts = _suggestions(filters).values(
            "backend",
            "model_name",
            "decision",
            "discard_reason",
            channel=F("case__channel"),
            topic=F("case__topic_id"),
        )
    rows = drafts.order_by().annotate(
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
    overall = _empty_adoption()
    by_backend: dict[tuple[str, str], dict] = defaultdict(_empty_adoption)
    by_channel: dict[str, dict] = defaultdict(_empty_adoption)
    by_topic: dict[int | None, dict] = defaultdict(_empty_adoption)
    reasons: dict[str, int] = defaultdict(int)
    for row in rows:
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
                "failed_share": _share(acc["failed"], acc["drafts"]),
                "fell_back_share": _share(acc["fell_back"], acc["drafts"]),
                "prompt_tokens": acc["prompt_tokens"],
                "completion_tokens": acc["completion_tokens"],
                "tokens_per_draft": _share(
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
            {"reason": reason, "count": count, "share": _share(count, discarded)}
            for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
        ],
        "operations": operations,
    }


def percentile_cont(distribution: Distribution, fraction: float) -> float:
    """PostgreSQL's ``percentile_cont``: linear interpolation between the order statistics
    around position ``fraction × (n − 1)``, read from a distribution of exact values."""
    position = fraction * (distribution.n - 1)
    low = math.floor(position)
    first = distribution.order_statistic(low + 1)
    if position == low:
        return first
    second = distribution.order_statistic(low + 2)
    return first + (second - first) * (position - low)


def latency_percentiles(filters: ImpactFilters) -> dict[tuple[str, str], dict[str, float]]:
    """Latency percentiles of the ready drafts per backend/model, exactly as PostgreSQL's
    ``percentile_cont`` computes them, from the count of each latency value (latencies are
    whole milliseconds: a few thousand distinct values, and a hash aggregate instead of a sort
    of every draft). None on SQLite (``make run``), as before."""
    if connection.vendor != "postgresql":
        return {}
    drafts = _facts(ImpactDraft, filters) if use_facts() else _suggestions(filters, with_case=False)
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
    approved, withdrawn = set(), {}
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


def handling_time_distributions(
    filters: ImpactFilters, *, with_totals: bool = False
) -> dict[str, Distribution] | tuple[dict[str, Distribution], dict[str, int]]:
    """Per arm, the distribution of first opened → answered, in seconds, of the cases answered
    by volunteers, as fine buckets: one grouped query, a few thousand rows at most.

    The same scan counts every experiment case per arm (the rows whose bucket is NULL are the
    cases that are not part of the comparison), so that the report reads the cases once.
    """
    volunteer = _answered_by_volunteer(filters.administration)
    if use_facts():
        # The duration and its bucket are computed once, when the fact row is written.
        measured = Q(handling_seconds__isnull=False) & volunteer
        cases = _facts(ImpactCase, filters).annotate(_s=F("handling_seconds"))
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
        cases = Case.objects.filter(_case_filter(filters))
        cases, arm = cases.annotate(_s=Seconds("answered_at", "first_opened_at")), "arm__arm"
        bucket = _bucket()
    rows = (
        cases.annotate(bucket=CaseWhen(When(measured, then=bucket), default=None))
        .order_by()
        .values(arm, "bucket")
        .annotate(n=Count("pk"), mean=Avg("_s"))
    )
    pairs: dict[str, list[tuple[float, int]]] = {Arm.ASSISTED: [], Arm.CONTROL: []}
    totals = {Arm.ASSISTED.value: 0, Arm.CONTROL.value: 0}
    for row in rows:
        totals[row[arm]] += row["n"]
        if row["bucket"] is not None:
            pairs[row[arm]].append((row["mean"], row["n"]))
    distributions = {arm: Distribution.from_pairs(p) for arm, p in pairs.items()}
    return (distributions, totals) if with_totals else distributions


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
    if assisted.n and control.n:
        c, a = control.median(), assisted.median()
        result["difference_seconds"] = c - a
        result["relative_gain"] = (c - a) / c if c else None
    if result["enough_cases"]:
        result.update(median_difference_ci(control, assisted))
    result["verdict"] = _verdict(
        result["difference_ci"], positive="assisted_faster", negative="assisted_slower"
    )
    return result


# --- satisfaction ---------------------------------------------------------------------------


def satisfaction(filters: ImpactFilters) -> dict[str, Any]:
    """Per arm: the counts per (rating, answered) from one grouped query, 30 rows at most."""
    if use_facts():
        responses = (
            _facts(ImpactCase, filters)
            .filter(rating__isnull=False)
            .values("rating", "arm", answered=F("survey_answered"))
        )
    else:
        responses = SatisfactionResponse.objects.filter(_case_filter(filters, "case__")).values(
            "rating", "answered", arm=F("case__arm__arm")
        )
    rows = responses.order_by().annotate(n=Count("pk"))
    counts: dict[str, dict] = {
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

    def arm_summary(acc: dict) -> dict[str, Any]:
        n = acc["n"]
        mean = acc["sum"] / n if n else None
        variance = (acc["sum_sq"] - n * mean**2) / (n - 1) if n > 1 else None
        yes = acc["answered"].get("yes", 0)
        return {
            "responses": n,
            "mean_rating": mean,
            "variance": variance,
            "ratings": {rating: acc["ratings"].get(rating, 0) for rating in range(1, 6)},
            "answered": {key: acc["answered"].get(key, 0) for key in ("yes", "partly", "no")},
            "yes_share": _share(yes, n),
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
    result["verdict"] = _verdict(
        result["mean_difference_ci"], positive="assisted_better", negative="assisted_worse"
    )
    result["yes_verdict"] = _verdict(
        result["yes_share_difference_ci"], positive="assisted_better", negative="assisted_worse"
    )
    return result


# --- the report -----------------------------------------------------------------------------


def arm_counts(filters: ImpactFilters) -> dict[str, int]:
    """How many experiment cases each arm holds under the filters."""
    rows = (
        Case.objects.filter(_case_filter(filters))
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
    report = cache.get(key)
    if report is None:
        report = impact_report(filters)
        cache.set(key, report, seconds)
    return report
