"""The workload dashboard as JSON: the same figures, filters and permissions as the page."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import dashboard
from cases.reports import Table
from cases.views_dashboard import DashboardForm, resolve_scope


def _table(table: Table) -> dict:
    return {
        "title": str(table.title),
        "columns": [str(c) for c in table.columns],
        "rows": [[v.isoformat() if hasattr(v, "isoformat") else v for v in r] for r in table.rows],
    }


class WorkloadDashboardView(APIView):
    @extend_schema(
        summary="Workload dashboard figures",
        parameters=[
            OpenApiParameter("periode", str, enum=["7", "30", "90", "custom"]),
            OpenApiParameter("du", OpenApiTypes.DATE, description="start (custom period)"),
            OpenApiParameter("au", OpenApiTypes.DATE, description="end, included"),
            OpenApiParameter("administration", str, description="national staff: an id, or 'all'"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        form = DashboardForm(request.query_params)
        if not form.is_valid():
            # Permissions first: a bad period must not tell a stranger anything.
            resolve_scope(request, request.query_params.get("administration", ""))
            raise ValidationError(
                {
                    field: [error["message"] for error in errors]
                    for field, errors in form.errors.get_json_data().items()
                }
            )
        scope = resolve_scope(request, form.cleaned_data.get("administration", ""))
        period = form.cleaned_data["period"]
        tables = dashboard.workload_dashboard(scope, period)
        summary = tables["summary"]
        administration = scope.administration
        return Response(
            {
                "administration": (
                    {
                        "id": administration.pk,
                        "code": administration.code,
                        "name": administration.name,
                    }
                    if administration
                    else None
                ),
                "period": {
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat(),
                    "days": period.days,
                },
                "figures": dict(
                    zip(summary.meta["keys"], [row[1] for row in summary.rows], strict=True)
                ),
                "tables": {table_id: _table(table) for table_id, table in tables.items()},
            }
        )
