"""The figures of the impact report, in the order of the page, by section (``group``).

Each entry is the whole recipe of one figure: the page shows it in its section (its chart with
the table underneath, or the table alone), ``?export=<id>`` downloads its table, and the API
answer carries the part of the report it reads under ``api_field``. A figure's query lays out
the report computed once by ``selectors.cached_impact_report``: it runs no aggregate of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.spreadsheets import rounded
from cases.models import Channel, Topic, topic_label
from cases.reporting.figures import Chart, Figure, Report, Series
from drafting.experiment.models import BACKEND_NAMES
from drafting.models import Arm, Suggestion

from .statistics import HANDLING_BINS, binned, share


def _pct(value: float | None) -> float | None:
    return None if value is None else value * 100


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60


def _ci(ci: list[float] | None, scale: Callable[[Any], Any] = lambda v: v) -> list[Any]:
    return [scale(ci[0]), scale(ci[1])] if ci else [None, None]


def backend_name(backend: str) -> str:
    return str(BACKEND_NAMES.get(backend, backend or "—"))


def backend_label(backend: str, model_name: str) -> str:
    return f"{backend_name(backend)}{' · ' + model_name if model_name else ''}"


# --- handling time --------------------------------------------------------------------------


def _tenth(value: float | None) -> float | None:
    # Half up, as every figure of the app (accounts.spreadsheets.rounded): 17.25 reads 17.3.
    return None if value is None else float(rounded(value, 1))


def handling_time_rows(report: dict[str, Any]) -> list[list[Any]]:
    handling = report["handling_time"]
    # The medians as the table shows them (a tenth of a minute), and their difference computed
    # from those: 25.0 − 17.8 reads −7.2, not the −7.3 of the unrounded medians.
    assisted = _tenth(_minutes(handling["assisted"]["median_seconds"]))
    control = _tenth(_minutes(handling["control"]["median_seconds"]))
    difference = (
        _tenth(control - assisted)
        if assisted is not None and control is not None
        else _minutes(handling["difference_seconds"])
    )
    return [
        [_("Cases, assisted"), handling["assisted"]["cases"], None, None],
        [_("Cases, control"), handling["control"]["cases"], None, None],
        [_("Median, assisted (minutes)"), assisted, None, None],
        [_("Median, control (minutes)"), control, None, None],
        [
            _("Difference, control − assisted (minutes)"),
            difference,
            *_ci(handling["difference_ci"], _minutes),
        ],
        [
            _("Relative gain, share of the control median (%)"),
            # From the figures shown too: −7.2 / 17.8 reads −40.4 %.
            _pct(difference / control)
            if difference is not None and control
            else _pct(handling["relative_gain"]),
            *_ci(handling["relative_gain_ci"], _pct),
        ],
    ]


def handling_distribution_rows(report: dict[str, Any]) -> list[list[Any]]:
    handling = report["handling_time"]
    assisted_bins = binned(handling["distributions"][Arm.ASSISTED])
    control_bins = binned(handling["distributions"][Arm.CONTROL])
    n_a, n_c = handling["assisted"]["cases"], handling["control"]["cases"]
    return [
        [str(label), _pct(share(a, n_a)), _pct(share(c, n_c)), a, c]
        for (_low, _high, label), a, c in zip(
            HANDLING_BINS, assisted_bins, control_bins, strict=True
        )
    ]


# --- satisfaction ---------------------------------------------------------------------------


def satisfaction_rows(report: dict[str, Any]) -> list[list[Any]]:
    sat = report["satisfaction"]
    return [
        [_("Responses, assisted"), sat["assisted"]["responses"], None, None],
        [_("Responses, control"), sat["control"]["responses"], None, None],
        [_("Mean rating (1 to 5), assisted"), sat["assisted"]["mean_rating"], None, None],
        [_("Mean rating (1 to 5), control"), sat["control"]["mean_rating"], None, None],
        [
            _("Difference of mean ratings, assisted − control"),
            sat["mean_difference"],
            *_ci(sat["mean_difference_ci"]),
        ],
        [
            _("Question answered “yes”, assisted (%)"),
            _pct(sat["assisted"]["yes_share"]),
            None,
            None,
        ],
        [_("Question answered “yes”, control (%)"), _pct(sat["control"]["yes_share"]), None, None],
        [
            _("Difference of “yes” shares, assisted − control (points)"),
            _pct(sat["yes_share_difference"]),
            *_ci(sat["yes_share_difference_ci"], _pct),
        ],
    ]


def satisfaction_ratings_rows(report: dict[str, Any]) -> list[list[Any]]:
    assisted, control = report["satisfaction"]["assisted"], report["satisfaction"]["control"]
    return [
        [
            str(rating),
            _pct(share(assisted["ratings"][rating], assisted["responses"])),
            _pct(share(control["ratings"][rating], control["responses"])),
            assisted["ratings"][rating],
            control["ratings"][rating],
        ]
        for rating in range(1, 6)
    ]


# --- adoption and operations ----------------------------------------------------------------


def _adoption_columns(first: Any) -> tuple[Any, ...]:
    return (
        first,
        _("Drafts ready"),
        _("Shown, share of ready drafts (%)"),
        _("Accepted, share of shown drafts (%)"),
        _("Edited, share of shown drafts (%)"),
        _("Discarded, share of shown drafts (%)"),
        _("Edited replies: mean similarity to the draft (%, 100 = unchanged)"),
    )


def _adoption_row(label: str, row: dict[str, Any]) -> list[Any]:
    return [
        label,
        row["ready"],
        _pct(row["shown_share"]),
        _pct(row["accepted_share"]),
        _pct(row["edited_share"]),
        _pct(row["discarded_share"]),
        _pct(row["edited_mean_similarity"]),
    ]


def adoption_backend_rows(report: dict[str, Any]) -> list[list[Any]]:
    adoption = report["adoption"]
    rows = [
        _adoption_row(backend_label(r["backend"], r["model_name"]), r)
        for r in adoption["by_backend"]
    ]
    return rows + ([_adoption_row(_("All"), adoption["overall"])] if rows else [])


def adoption_channel_rows(report: dict[str, Any]) -> list[list[Any]]:
    channels = dict(Channel.choices)
    return [
        _adoption_row(str(channels.get(r["channel"], r["channel"])), r)
        for r in report["adoption"]["by_channel"]
    ]


def adoption_topic_rows(report: dict[str, Any]) -> list[list[Any]]:
    by_topic = report["adoption"]["by_topic"]
    topic_ids = [r["topic"] for r in by_topic if r["topic"]]
    topic_names = {
        pk: topic_label(name)
        for pk, name in Topic.objects.filter(pk__in=topic_ids).values_list("pk", "name")
    }
    return [_adoption_row(topic_names.get(r["topic"], _("No topic")), r) for r in by_topic]


def discard_reasons_rows(report: dict[str, Any]) -> list[list[Any]]:
    reasons = dict(Suggestion.DiscardReason.choices)
    return [
        [str(reasons.get(r["reason"], r["reason"])), r["count"], _pct(r["share"])]
        for r in report["adoption"]["discard_reasons"]
    ]


def operations_rows(report: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            backend_label(r["backend"], r["model_name"]),
            r["drafts"],
            r["failed"],
            _pct(r["failed_share"]),
            r["fell_back"],
            _pct(r["fell_back_share"]),
            *[(r["latency_ms"] or {}).get(key) for key in ("p50", "p90", "p95")],
            r["prompt_tokens"],
            r["completion_tokens"],
            r["tokens_per_draft"],
        ]
        for r in report["adoption"]["operations"]
    ]


# --- the registry ---------------------------------------------------------------------------

CI_COLUMNS = (_("Figure"), _("Value"), _("95% CI, low"), _("95% CI, high"))
ARMS = (Series(_("Assisted"), 1), Series(_("Control"), 2))

IMPACT = Report(
    "impact report",
    [
        Figure(
            id="handling-distribution",
            title=_("Distribution of handling times"),
            columns=(
                _("Handling time"),
                _("Assisted, share of cases (%)"),
                _("Control, share of cases (%)"),
                _("Assisted (cases)"),
                _("Control (cases)"),
            ),
            query=handling_distribution_rows,
            chart=Chart("bar", ARMS, unit=_("share of cases (%)"), id="chart-handling"),
            api_field="handling_time",
            group="handling",
        ),
        Figure(
            id="handling-time",
            title=_("Handling time (first opened → answered), cases answered by volunteers"),
            columns=CI_COLUMNS,
            query=handling_time_rows,
            api_field="handling_time",
            group="handling",
        ),
        Figure(
            id="satisfaction-ratings",
            title=_("Ratings given by usagers"),
            columns=(
                _("Rating"),
                _("Assisted, share of responses (%)"),
                _("Control, share of responses (%)"),
                _("Assisted (responses)"),
                _("Control (responses)"),
            ),
            query=satisfaction_ratings_rows,
            chart=Chart("bar", ARMS, unit=_("share of responses (%)"), id="chart-ratings"),
            api_field="satisfaction",
            group="satisfaction",
        ),
        Figure(
            id="satisfaction",
            title=_("Usager satisfaction"),
            columns=CI_COLUMNS,
            query=satisfaction_rows,
            api_field="satisfaction",
            group="satisfaction",
        ),
        Figure(
            id="adoption-channel",
            title=_("Adoption of the drafts by channel"),
            columns=_adoption_columns(_("Channel")),
            query=adoption_channel_rows,
            chart=Chart(
                "bar",
                [
                    Series(_("Accepted"), 3),
                    Series(_("Edited"), 4),
                    Series(_("Discarded"), 5),
                ],
                unit=_("share of drafts shown (%)"),
                horizontal=True,
                stacked=True,
                id="chart-adoption",
                title=_("Decisions on the drafts shown, by channel"),
            ),
            api_field="adoption",
            group="adoption",
        ),
        Figure(
            id="discard-reasons",
            title=_("Why drafts were discarded"),
            columns=(_("Reason"), _("Drafts"), _("Share of discarded drafts (%)")),
            query=discard_reasons_rows,
            chart=Chart(
                "bar",
                [Series(_("Share of discarded drafts"), 2)],
                unit=_("share of discarded drafts (%)"),
                horizontal=True,
                id="chart-reasons",
                empty=_("No draft was discarded in this period, with these filters."),
            ),
            api_field="adoption",
            group="adoption",
        ),
        Figure(
            id="adoption-backend",
            title=_("Adoption of the drafts by backend and model"),
            columns=_adoption_columns(_("Backend · model")),
            query=adoption_backend_rows,
            api_field="adoption",
            group="adoption",
        ),
        Figure(
            id="adoption-topic",
            title=_("Adoption of the drafts by topic"),
            columns=_adoption_columns(_("Topic")),
            query=adoption_topic_rows,
            api_field="adoption",
            group="adoption",
        ),
        Figure(
            id="operations",
            title=_("Drafting operations by backend and model"),
            columns=(
                _("Backend · model"),
                _("Drafts"),
                _("Failed"),
                _("Failed (%)"),
                _("Fallbacks to the offline drafter"),
                _("Fallbacks (%)"),
                _("Latency, median (ms)"),
                _("Latency, 90th percentile (ms)"),
                _("Latency, 95th percentile (ms)"),
                _("Prompt tokens"),
                _("Completion tokens"),
                _("Tokens per ready draft"),
            ),
            query=operations_rows,
            chart=Chart(
                "bar",
                [
                    Series(_("Median"), 6),
                    Series(_("90th percentile"), 7),
                    Series(_("95th percentile"), 8),
                ],
                unit=_("milliseconds"),
                id="chart-latency",
                title=_("Drafting latency by backend and model"),
                empty=_("No drafting time was recorded for the drafts of this period."),
            ),
            api_field="adoption",
            group="operations",
        ),
    ],
)
