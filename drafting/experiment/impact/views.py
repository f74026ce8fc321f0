"""The impact report page: filters, charts, tables and their exports.

The figures come from drafting.impact (database aggregations); this module only resolves who
may see which administration, parses the filters and lays the figures out as tables and charts.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import Administration, User
from accounts.permissions import VIEW_DASHBOARD, has_administration_perm
from cases.models import Channel, Topic
from cases.reports import ExportFormatError, Table, chart, export_response

from . import impact
from .models import Arm, ExperimentPeriod, Suggestion

ALL_PERIODS = "all"


# --- who sees which administration ---------------------------------------------------------


def impact_administration(user: User, current: Administration | None, requested: str | None):
    """The administration whose report ``user`` asked for.

    The tenant is the session's; only national staff choose another one (``requested``). Asking
    for an administration that is not yours answers 404, like one that does not exist; your own
    administration without the manager's permission answers 403.
    """
    administration = current
    if requested not in (None, ""):
        if not str(requested).isdigit():
            raise Http404
        if user.is_superuser:
            administration = Administration.objects.filter(pk=int(requested)).first()
        elif current is None or current.pk != int(requested):
            raise Http404
    if administration is None:
        raise Http404
    if not has_administration_perm(user, VIEW_DASHBOARD, administration):
        raise PermissionDenied(_("The impact report is for managers."))
    return administration


# --- filters --------------------------------------------------------------------------------


class ImpactFilterForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), required=False)
    backend = forms.ChoiceField(label=gettext_lazy("Drafting backend"), required=False)
    model = forms.ChoiceField(label=gettext_lazy("Model"), required=False)
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        required=False,
        choices=[("", gettext_lazy("All")), *Channel.choices],
    )
    topic = forms.TypedChoiceField(
        label=gettext_lazy("Topic"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, administration: Administration, **kwargs):
        super().__init__(*args, **kwargs)
        self.administration = administration
        self.periods = list(impact.periods_of(administration))
        self.fields["period"].choices = [(ALL_PERIODS, _("All periods"))] + [
            (str(p.pk), period_label(p)) for p in self.periods
        ]
        backends, models = impact.configurations_of(administration)
        self.fields["backend"].choices = [("", _("All"))] + [(b, b) for b in backends]
        self.fields["model"].choices = [("", _("All"))] + [(m, m) for m in models]
        topics = Topic.objects.filter(
            Q(administration=administration) | Q(administration__isnull=True)
        ).order_by("name")
        self.fields["topic"].choices = [("", _("All"))] + [(t.pk, t.name) for t in topics]
        for field in self.fields.values():
            field.widget.attrs["class"] = "fr-select"

    def clean_period(self) -> ExperimentPeriod | None:
        value = self.cleaned_data.get("period") or ""
        if value == ALL_PERIODS:
            return None
        if not value:  # by default, the latest configuration period
            return self.periods[0] if self.periods else None
        return next(p for p in self.periods if str(p.pk) == value)

    def filters(self) -> impact.ImpactFilters:
        data = self.cleaned_data
        return impact.ImpactFilters(
            administration=self.administration,
            period=data["period"],
            backend=data.get("backend") or "",
            model_name=data.get("model") or "",
            channel=data.get("channel") or "",
            topic_id=data.get("topic"),
        )


def period_label(period: ExperimentPeriod) -> str:
    start = formats.date_format(period.started_at, "SHORT_DATE_FORMAT")
    end = (
        formats.date_format(period.ended_at, "SHORT_DATE_FORMAT")
        if period.ended_at
        else _("running")
    )
    share = formats.number_format(float(period.assisted_share) * 100, decimal_pos=0)
    model = f"{period.backend}{' · ' + period.model_name if period.model_name else ''}"
    return _("%(start)s → %(end)s · %(model)s · %(share)s %% assisted") % {
        "start": start,
        "end": end,
        "model": model,
        "share": share,
    }


def parse_filters(administration: Administration, data) -> ImpactFilterForm:
    """The bound filter form. A period id that is not one of this administration's answers 404
    (it may exist elsewhere); any other bad value is the form's error (400)."""
    period = str(data.get("period") or "")
    if period.isdigit() and not impact.periods_of(administration).filter(pk=int(period)).exists():
        raise Http404
    form = ImpactFilterForm(data, administration=administration)
    if not period and form.periods:
        # By default the latest configuration period, shown as chosen in the form.
        data = data.copy()
        data["period"] = str(form.periods[0].pk)
        form.data = data
    return form


# --- tables and charts ----------------------------------------------------------------------


def _pct(value: float | None) -> float | None:
    return None if value is None else value * 100


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60


# Coarse bins for showing the handling-time distribution (the statistics use the fine ones).
HANDLING_BINS = [
    (0, 30 * 60, gettext_lazy("under 30 min")),
    (30 * 60, 3600, gettext_lazy("30 min – 1 h")),
    (3600, 2 * 3600, gettext_lazy("1 – 2 h")),
    (2 * 3600, 4 * 3600, gettext_lazy("2 – 4 h")),
    (4 * 3600, 8 * 3600, gettext_lazy("4 – 8 h")),
    (8 * 3600, 86400, gettext_lazy("8 – 24 h")),
    (86400, 3 * 86400, gettext_lazy("1 – 3 days")),
    (3 * 86400, 7 * 86400, gettext_lazy("3 – 7 days")),
    (7 * 86400, float("inf"), gettext_lazy("7 days or more")),
]


def _binned(pairs: list[tuple[float, int]]) -> list[int]:
    counts = [0] * len(HANDLING_BINS)
    for value, count in pairs:
        for index, (low, high, _label) in enumerate(HANDLING_BINS):
            if low <= value < high:
                counts[index] += count
                break
    return counts


def handling_verdict(result: dict[str, Any]) -> str:
    verdict = result["verdict"]
    if verdict == "too_few":
        return _(
            "Too few cases to conclude: at least %(min)s cases answered by volunteers are needed "
            "in each arm (assisted: %(assisted)s, control: %(control)s)."
        ) % {
            "min": result["min_cases_per_arm"],
            "assisted": result["assisted"]["cases"],
            "control": result["control"]["cases"],
        }
    return {
        "assisted_faster": _(
            "Assisted cases are answered faster: the confidence interval (95 %) of the difference "
            "lies above zero."
        ),
        "assisted_slower": _(
            "Assisted cases are answered more slowly: the confidence interval (95 %) of the "
            "difference lies below zero."
        ),
        "no_difference": _(
            "No difference in handling time can be concluded: the confidence interval (95 %) of "
            "the difference includes zero."
        ),
    }[verdict]


def satisfaction_verdict(result: dict[str, Any], key: str = "verdict") -> str:
    verdict = result[key]
    if verdict == "too_few":
        return _(
            "Too few responses to conclude: at least %(min)s survey responses are needed in each "
            "arm (assisted: %(assisted)s, control: %(control)s)."
        ) % {
            "min": result["min_cases_per_arm"],
            "assisted": result["assisted"]["responses"],
            "control": result["control"]["responses"],
        }
    return {
        "assisted_better": _(
            "Usagers of assisted cases are more satisfied: the confidence interval (95 %) lies "
            "above zero."
        ),
        "assisted_worse": _(
            "Usagers of assisted cases are less satisfied: the confidence interval (95 %) lies "
            "below zero."
        ),
        "no_difference": _(
            "No difference in satisfaction can be concluded: the confidence interval (95 %) "
            "includes zero."
        ),
    }[verdict]


def _ci(ci: list[float] | None, scale=lambda v: v) -> list[Any]:
    return [scale(ci[0]), scale(ci[1])] if ci else [None, None]


def _adoption_columns(first: str) -> list[str]:
    return [
        first,
        _("Drafts ready"),
        _("Shown, share of ready drafts (%)"),
        _("Accepted, share of shown drafts (%)"),
        _("Edited, share of shown drafts (%)"),
        _("Discarded, share of shown drafts (%)"),
        _("Mean similarity of edited replies"),
    ]


def _adoption_row(label: str, row: dict[str, Any]) -> list[Any]:
    return [
        label,
        row["ready"],
        _pct(row["shown_share"]),
        _pct(row["accepted_share"]),
        _pct(row["edited_share"]),
        _pct(row["discarded_share"]),
        row["edited_mean_similarity"],
    ]


def backend_label(backend: str, model_name: str) -> str:
    return f"{backend or '—'}{' · ' + model_name if model_name else ''}"


def build_tables(report: dict[str, Any]) -> dict[str, Table]:
    """Every table of the page, by id (the ids are the export parameter)."""
    tables: dict[str, Table] = {}
    handling = report["handling_time"]
    tables["handling-time"] = Table(
        id="handling-time",
        title=_("Handling time (first opened → answered), cases answered by volunteers"),
        columns=[_("Figure"), _("Value"), _("95 % CI, low"), _("95 % CI, high")],
        rows=[
            [_("Cases, assisted"), handling["assisted"]["cases"], None, None],
            [_("Cases, control"), handling["control"]["cases"], None, None],
            [
                _("Median, assisted (minutes)"),
                _minutes(handling["assisted"]["median_seconds"]),
                None,
                None,
            ],
            [
                _("Median, control (minutes)"),
                _minutes(handling["control"]["median_seconds"]),
                None,
                None,
            ],
            [
                _("Difference, control − assisted (minutes)"),
                _minutes(handling["difference_seconds"]),
                *_ci(handling["difference_ci"], _minutes),
            ],
            [
                _("Relative gain, share of the control median (%)"),
                _pct(handling["relative_gain"]),
                *_ci(handling["relative_gain_ci"], _pct),
            ],
            [_("Conclusion"), handling_verdict(handling), None, None],
        ],
    )
    assisted_bins = _binned(handling["distributions"][Arm.ASSISTED])
    control_bins = _binned(handling["distributions"][Arm.CONTROL])
    n_a, n_c = handling["assisted"]["cases"], handling["control"]["cases"]
    tables["handling-distribution"] = Table(
        id="handling-distribution",
        title=_("Distribution of handling times"),
        columns=[
            _("Handling time"),
            _("Assisted, share of cases (%)"),
            _("Control, share of cases (%)"),
            _("Assisted (cases)"),
            _("Control (cases)"),
        ],
        rows=[
            [
                str(label),
                _pct(impact._share(a, n_a)),
                _pct(impact._share(c, n_c)),
                a,
                c,
            ]
            for (_low, _high, label), a, c in zip(
                HANDLING_BINS, assisted_bins, control_bins, strict=True
            )
        ],
    )

    sat = report["satisfaction"]
    tables["satisfaction"] = Table(
        id="satisfaction",
        title=_("Usager satisfaction"),
        columns=[_("Figure"), _("Value"), _("95 % CI, low"), _("95 % CI, high")],
        rows=[
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
            [
                _("Question answered “yes”, control (%)"),
                _pct(sat["control"]["yes_share"]),
                None,
                None,
            ],
            [
                _("Difference of “yes” shares, assisted − control (points)"),
                _pct(sat["yes_share_difference"]),
                *_ci(sat["yes_share_difference_ci"], _pct),
            ],
            [_("Conclusion on the rating"), satisfaction_verdict(sat), None, None],
            [_("Conclusion on “yes”"), satisfaction_verdict(sat, "yes_verdict"), None, None],
        ],
    )
    tables["satisfaction-ratings"] = Table(
        id="satisfaction-ratings",
        title=_("Ratings given by usagers"),
        columns=[
            _("Rating"),
            _("Assisted, share of responses (%)"),
            _("Control, share of responses (%)"),
            _("Assisted (responses)"),
            _("Control (responses)"),
        ],
        rows=[
            [
                str(rating),
                _pct(
                    impact._share(sat["assisted"]["ratings"][rating], sat["assisted"]["responses"])
                ),
                _pct(impact._share(sat["control"]["ratings"][rating], sat["control"]["responses"])),
                sat["assisted"]["ratings"][rating],
                sat["control"]["ratings"][rating],
            ]
            for rating in range(1, 6)
        ],
    )

    adoption = report["adoption"]
    tables["adoption-backend"] = Table(
        id="adoption-backend",
        title=_("Adoption of the drafts by backend and model"),
        columns=_adoption_columns(_("Backend · model")),
        rows=[
            _adoption_row(backend_label(r["backend"], r["model_name"]), r)
            for r in adoption["by_backend"]
        ]
        + ([_adoption_row(_("All"), adoption["overall"])] if adoption["by_backend"] else []),
    )
    channels = dict(Channel.choices)
    tables["adoption-channel"] = Table(
        id="adoption-channel",
        title=_("Adoption of the drafts by channel"),
        columns=_adoption_columns(_("Channel")),
        rows=[
            _adoption_row(str(channels.get(r["channel"], r["channel"])), r)
            for r in adoption["by_channel"]
        ],
    )
    topic_ids = [r["topic"] for r in adoption["by_topic"] if r["topic"]]
    topic_names = dict(Topic.objects.filter(pk__in=topic_ids).values_list("pk", "name"))
    tables["adoption-topic"] = Table(
        id="adoption-topic",
        title=_("Adoption of the drafts by topic"),
        columns=_adoption_columns(_("Topic")),
        rows=[
            _adoption_row(topic_names.get(r["topic"], _("No topic")), r)
            for r in adoption["by_topic"]
        ],
    )
    reasons = dict(Suggestion.DiscardReason.choices)
    tables["discard-reasons"] = Table(
        id="discard-reasons",
        title=_("Why drafts were discarded"),
        columns=[_("Reason"), _("Drafts"), _("Share of discarded drafts (%)")],
        rows=[
            [str(reasons.get(r["reason"], r["reason"])), r["count"], _pct(r["share"])]
            for r in adoption["discard_reasons"]
        ],
    )
    tables["operations"] = Table(
        id="operations",
        title=_("Drafting operations by backend and model"),
        columns=[
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
        ],
        rows=[
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
            for r in adoption["operations"]
        ],
    )
    return tables


def build_charts(tables: dict[str, Table]) -> dict[str, dict[str, Any]]:
    distribution = tables["handling-distribution"]
    ratings = tables["satisfaction-ratings"]
    channel = tables["adoption-channel"]
    reasons = tables["discard-reasons"]
    operations = tables["operations"]
    return {
        "handling-distribution": chart(
            id="chart-handling",
            title=distribution.title,
            type="bar",
            labels=distribution.column(0),
            datasets=[
                {"label": _("Assisted"), "data": distribution.column(1)},
                {"label": _("Control"), "data": distribution.column(2)},
            ],
            unit=_("share of cases (%)"),
        ),
        "satisfaction-ratings": chart(
            id="chart-ratings",
            title=ratings.title,
            type="bar",
            labels=ratings.column(0),
            datasets=[
                {"label": _("Assisted"), "data": ratings.column(1)},
                {"label": _("Control"), "data": ratings.column(2)},
            ],
            unit=_("share of responses (%)"),
        ),
        "adoption-channel": chart(
            id="chart-adoption",
            title=_("Decisions on the drafts shown, by channel"),
            type="bar",
            labels=channel.column(0),
            datasets=[
                {"label": _("Accepted"), "data": channel.column(3)},
                {"label": _("Edited"), "data": channel.column(4)},
                {"label": _("Discarded"), "data": channel.column(5)},
            ],
            unit=_("share of drafts shown (%)"),
            horizontal=True,
            stacked=True,
        ),
        "discard-reasons": chart(
            id="chart-reasons",
            title=reasons.title,
            type="bar",
            labels=reasons.column(0),
            datasets=[{"label": _("Share of discarded drafts"), "data": reasons.column(2)}],
            unit=_("share of discarded drafts (%)"),
            horizontal=True,
        ),
        "operations": chart(
            id="chart-latency",
            title=_("Drafting latency by backend and model"),
            type="bar",
            labels=operations.column(0),
            datasets=[
                {"label": _("Median"), "data": operations.column(6)},
                {"label": _("90th percentile"), "data": operations.column(7)},
                {"label": _("95th percentile"), "data": operations.column(8)},
            ],
            unit=_("milliseconds"),
        ),
    }


# --- the page -------------------------------------------------------------------------------


@login_required
@require_GET
def impact_report(request: HttpRequest) -> HttpResponse:
    administration = impact_administration(
        request.user, request.administration or None, request.GET.get("administration")
    )
    form = parse_filters(administration, request.GET)
    context: dict[str, Any] = {
        "form": form,
        "administration": administration,
        "administrations": (
            Administration.objects.order_by("name") if request.user.is_superuser else None
        ),
        "has_periods": bool(form.periods),
        "min_cases": impact.MIN_CASES_PER_ARM,
        "resamples": impact.BOOTSTRAP_RESAMPLES,
    }
    if not form.is_valid():
        return render(request, "drafting/impact.html", context, status=400)
    filters = form.filters()
    report = impact.cached_impact_report(filters)
    tables = build_tables(report)
    export = request.GET.get("export")
    if export:
        table = tables.get(export)
        if table is None:
            raise Http404
        try:
            return export_response(table, request.GET.get("format", "csv"))
        except ExportFormatError:
            return HttpResponseBadRequest(_("Exports are in CSV or XLSX."))
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("format", None)
    context.update(
        report=report,
        period=filters.period,
        period_label=period_label(filters.period) if filters.period else "",
        # Template variables cannot hold hyphens: the ids (export parameters) keep theirs.
        tables={key.replace("-", "_"): table for key, table in tables.items()},
        charts={key.replace("-", "_"): spec for key, spec in build_charts(tables).items()},
        handling_verdict=handling_verdict(report["handling_time"]),
        satisfaction_verdict=satisfaction_verdict(report["satisfaction"]),
        yes_verdict=satisfaction_verdict(report["satisfaction"], "yes_verdict"),
        export_url=f"{request.path}?{query.urlencode()}" if query else request.path,
    )
    return render(request, "drafting/impact.html", context)
