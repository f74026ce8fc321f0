"""The impact report page: filters, charts, tables and their exports.

The figures are the registry in ``figures.py``, laid out from the report computed by
``selectors.py``; this module only parses the request and renders.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import AuthenticatedHttpRequest, requires
from accounts.permissions import VIEW_DASHBOARD
from cases.reporting.exports import ExportFormatError, export_response

from .figures import IMPACT
from .forms import parse_filters, period_label
from .scope import impact_scope
from .selectors import cached_impact_report
from .statistics import BOOTSTRAP_RESAMPLES, MIN_CASES_PER_ARM
from .verdicts import adoption_caution, handling_verdict, satisfaction_verdict


@requires(VIEW_DASHBOARD)
@require_GET
def impact_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = impact_scope(request, request.GET.get("administration"))
    administration = scope.administration
    form = parse_filters(administration, request.GET)
    context: dict[str, Any] = {
        "form": form,
        "administration": administration,
        # National staff choose the administration.
        "administrations": scope.choices,
        "has_periods": bool(form.periods),
        "min_cases": MIN_CASES_PER_ARM,
        "resamples": BOOTSTRAP_RESAMPLES,
    }
    if not form.is_valid():
        return render(request, "drafting/impact.html", context, status=400)
    filters = form.filters()
    report = cached_impact_report(filters)
    export = request.GET.get("export")
    if export:
        figure = IMPACT.get(export)
        if figure is None:
            raise Http404
        table = figure.table(report)
        # Named after the administration and the period, as the dashboard's: two exports of
        # two periods or administrations never overwrite each other.
        period = filters.period
        when = (
            [
                timezone.localdate(period.started_at).isoformat(),
                timezone.localdate(period.ended_at).isoformat()
                if period.ended_at
                else _("running"),
            ]
            if period
            else [_("all periods")]
        )
        filename = " ".join(str(part) for part in (table.title, filters.administration.code, *when))
        try:
            return export_response(table, request.GET.get("format", "csv"), filename=filename)
        except ExportFormatError:
            return HttpResponseBadRequest(_("Exports are in CSV or XLSX."))
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("format", None)
    context.update(
        report=report,
        period=filters.period,
        period_label=period_label(filters.period) if filters.period else "",
        # By section of the page: (chart spec or None, table) of each figure, in order.
        figures=IMPACT.groups(IMPACT.tables(report)),
        handling_verdict=handling_verdict(report["handling_time"]),
        satisfaction_verdict=satisfaction_verdict(report["satisfaction"]),
        yes_verdict=satisfaction_verdict(report["satisfaction"], "yes_verdict"),
        adoption_caution=adoption_caution(report["adoption"]["overall"]),
        export_url=f"{request.path}?{query.urlencode()}" if query else request.path,
    )
    return render(request, "drafting/impact.html", context)
