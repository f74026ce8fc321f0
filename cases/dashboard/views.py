"""The managers' workload dashboard: charts first, their tables below, drill-down links to the
inbox and CSV/XLSX exports with the same filters. The figures are the registry in
``figures.py``."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import ALL, AuthenticatedHttpRequest, is_national_staff, requires
from accounts.middleware import SESSION_KEY
from accounts.models import Administration
from accounts.permissions import VIEW_DASHBOARD
from cases.reporting.exports import ExportFormatError, export_response

from .figures import DASHBOARD
from .forms import DashboardForm
from .scope import Period, Scope, dashboard_scope


def _export(scope: Scope, period: Period, figure_id: str, fmt: str) -> HttpResponse:
    figure = DASHBOARD.get(figure_id)
    if figure is None:
        return HttpResponseBadRequest(_("Unknown table to export."), content_type="text/plain")
    table = figure.table(scope, period)
    where = scope.administration.code if scope.administration else _("all administrations")
    filename = f"{table.title} {where} {period.start.isoformat()} {period.end.isoformat()}"
    try:
        return export_response(table, fmt, filename=filename)
    except ExportFormatError:
        return HttpResponseBadRequest(
            _("Unknown export format: choose csv or xlsx."), content_type="text/plain"
        )


@requires(VIEW_DASHBOARD)
@require_GET
def workload(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DashboardForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    requested = form.cleaned_data.get("administration", "") if valid and request.GET else ""
    if not valid:
        requested = request.GET.get("administration", "")
    scope = dashboard_scope(request, requested)
    if scope.administration is not None and request.session.get(SESSION_KEY) != (
        scope.administration.pk
    ):
        # National staff looking at one administration work in it: the drill-down links open
        # its inbox.
        request.session[SESSION_KEY] = scope.administration.pk
    context = {
        "form": form,
        "scope": scope,
        "administrations": (
            list(Administration.objects.order_by("name").only("pk", "name"))
            if is_national_staff(request.user)
            else []
        ),
        "presets": [("7", _("7 days")), ("30", _("30 days")), ("90", _("90 days"))],
    }
    if not valid:
        return render(request, "cases/dashboard.html", context, status=400)
    period = form.cleaned_data["period"] if request.GET else Period.last(30)
    if "export" in request.GET:
        return _export(scope, period, request.GET["export"], request.GET.get("format", ""))
    tables = DASHBOARD.tables(scope, period)
    params = period.as_params()
    if is_national_staff(request.user):
        params["administration"] = str(scope.administration.pk) if scope.administration else ALL
    query = "&".join(f"{k}={v}" for k, v in params.items())
    summary = tables["summary"]
    context.update(
        {
            "period": period,
            "summary": [
                {"key": key, "label": row[0], "value": cells[1]["text"], "url": cells[1]["url"]}
                for key, row, cells in zip(
                    summary.meta["keys"], summary.rows, summary.display_rows, strict=True
                )
            ],
            "summary_table": summary,
            "charts": DASHBOARD.charts(tables),
            "export_url": f"{reverse('cases:dashboard')}?{query}",
            "api_url": f"{reverse('api-dashboard-workload')}?{query}",
            "today": timezone.localdate(),
            "custom": period.preset is None,
        }
    )
    return render(request, "cases/dashboard.html", context)
