"""The managers' workload dashboard: charts first, their tables below, drill-down links to the
inbox and CSV/XLSX exports with the same filters. Figures come from cases/dashboard.py."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.middleware import SESSION_KEY
from accounts.models import Administration
from accounts.permissions import VIEW_DASHBOARD, has_administration_perm

from . import dashboard
from .reports import ExportFormatError, export_response

ALL = "all"


class DashboardForm(forms.Form):
    periode = forms.ChoiceField(
        label=gettext_lazy("Period"),
        required=False,
        choices=[
            ("7", gettext_lazy("Last 7 days")),
            ("30", gettext_lazy("Last 30 days")),
            ("90", gettext_lazy("Last 90 days")),
            ("custom", gettext_lazy("Custom dates")),
        ],
    )
    du = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        error_messages={"invalid": gettext_lazy("Enter a valid start date (YYYY-MM-DD).")},
    )
    au = forms.DateField(
        label=gettext_lazy("To (included)"),
        required=False,
        error_messages={"invalid": gettext_lazy("Enter a valid end date (YYYY-MM-DD).")},
    )
    administration = forms.CharField(required=False, max_length=20)

    def clean(self):
        data = super().clean()
        preset = data.get("periode") or ""
        start, end = data.get("du"), data.get("au")
        custom = preset == "custom" or (not preset and (start or end))
        if self.errors:
            return data
        if not custom:
            data["period"] = dashboard.Period.last(int(preset or 30))
            return data
        if start is None or end is None:
            raise forms.ValidationError(_("Give both the start and the end date of the period."))
        if start > end:
            raise forms.ValidationError(_("The start date must be before the end date."))
        if end > timezone.localdate():
            raise forms.ValidationError(_("The period cannot end in the future."))
        if (end - start).days + 1 > dashboard.MAX_PERIOD_DAYS:
            raise forms.ValidationError(
                _("The period cannot be longer than %(days)s days.")
                % {"days": dashboard.MAX_PERIOD_DAYS}
            )
        data["period"] = dashboard.Period(start=start, end=end)
        return data


def resolve_scope(request: HttpRequest, requested: str) -> dashboard.Scope:
    """The administration whose dashboard ``request.user`` may see.

    National staff choose any administration, or all of them. Everyone else sees the
    administration they work in (the session's or the token's): naming another one answers 404,
    like a page that does not exist, and a role without the dashboard answers 403.
    """
    user = request.user
    requested = (requested or "").strip()
    if user.is_superuser:
        if requested in ("", ALL):
            return dashboard.Scope(administration=None, links=False)
        administration = (
            Administration.objects.filter(pk=int(requested)).first()
            if requested.isdigit()
            else None
        )
        if administration is None:
            raise Http404(_("No such administration."))
        return dashboard.Scope(administration=administration)
    from accounts.api_auth import request_administration

    # The token's administration for API calls, else the session's current one.
    current = request_administration(request)
    current = current if current else None
    if current is None:
        raise PermissionDenied(VIEW_DASHBOARD)
    if requested and requested != str(current.pk):
        raise Http404(_("No such administration."))
    if not has_administration_perm(user, VIEW_DASHBOARD, current):
        raise PermissionDenied(VIEW_DASHBOARD)
    return dashboard.Scope(administration=current)


TABLES = {
    "summary": lambda scope, period: dashboard.workload_summary(scope, period),
    "open-by-status": lambda scope, period: dashboard.workload_open_by_status(scope),
    "open-by-agent": lambda scope, period: dashboard.workload_open_by_agent(scope),
    "weekly": dashboard.workload_weekly,
    "times-by-channel": dashboard.workload_times_by_channel,
    "times-by-topic": dashboard.workload_times_by_topic,
    "satisfaction": dashboard.workload_satisfaction,
}


def _export(scope: dashboard.Scope, period: dashboard.Period, table_id: str, fmt: str):
    if table_id not in TABLES:
        return HttpResponseBadRequest(_("Unknown table to export."), content_type="text/plain")
    table = TABLES[table_id](scope, period)
    where = scope.administration.code if scope.administration else _("all administrations")
    filename = f"{table.title} {where} {period.start.isoformat()} {period.end.isoformat()}"
    try:
        return export_response(table, fmt, filename=filename)
    except ExportFormatError:
        return HttpResponseBadRequest(
            _("Unknown export format: choose csv or xlsx."), content_type="text/plain"
        )


@login_required
@require_GET
def workload(request: HttpRequest) -> HttpResponse:
    form = DashboardForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    requested = form.cleaned_data.get("administration", "") if valid and request.GET else ""
    if not valid:
        requested = request.GET.get("administration", "")
    scope = resolve_scope(request, requested)
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
            if request.user.is_superuser
            else []
        ),
        "presets": [("7", _("7 days")), ("30", _("30 days")), ("90", _("90 days"))],
    }
    if not valid:
        return render(request, "cases/dashboard.html", context, status=400)
    period = form.cleaned_data["period"] if request.GET else dashboard.Period.last(30)
    if "export" in request.GET:
        return _export(scope, period, request.GET["export"], request.GET.get("format", ""))
    tables = dashboard.workload_dashboard(scope, period)
    params = period.as_params()
    if request.user.is_superuser:
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
            "charts": dashboard.workload_charts(tables),
            "export_url": f"{reverse('cases:dashboard')}?{query}",
            "api_url": f"{reverse('api-dashboard-workload')}?{query}",
            "today": timezone.localdate(),
            "custom": period.preset is None,
        }
    )
    return render(request, "cases/dashboard.html", context)
