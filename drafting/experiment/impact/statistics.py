"""The statistics of the impact report: pure functions on the summaries the database returns
(value counts, rating counts), no query. See docs/design.md, "Statistics of the impact report",
for the choices."""

from __future__ import annotations

import bisect
import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

# Below this many cases in either arm, no comparison is concluded.
MIN_CASES_PER_ARM = 30
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20260601
CONFIDENCE = 0.95
_Z = 1.959963984540054  # standard normal quantile for a two-sided 95 % interval


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
    for _resample in range(resamples):
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


def verdict(ci: list[float] | tuple[float, float] | None, *, positive: str, negative: str) -> str:
    if ci is None:
        return "too_few"
    if ci[0] > 0:
        return positive
    if ci[1] < 0:
        return negative
    return "no_difference"


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


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


# Coarse bins for showing the handling-time distribution (the statistics use the fine ones).
HANDLING_BINS = [
    (0, 30 * 60, _("under 30 min")),
    (30 * 60, 3600, _("30 min – 1 h")),
    (3600, 2 * 3600, _("1 – 2 h")),
    (2 * 3600, 4 * 3600, _("2 – 4 h")),
    (4 * 3600, 8 * 3600, _("4 – 8 h")),
    (8 * 3600, 86400, _("8 – 24 h")),
    (86400, 3 * 86400, _("1 – 3 days")),
    (3 * 86400, 7 * 86400, _("3 – 7 days")),
    (7 * 86400, float("inf"), _("7 days or more")),
]


def binned(pairs: list[tuple[float, int]]) -> list[int]:
    counts = [0] * len(HANDLING_BINS)
    for value, count in pairs:
        for index, (low, high, _label) in enumerate(HANDLING_BINS):
            if low <= value < high:
                counts[index] += count
                break
    return counts
