"""The workload dashboard as JSON: the same figures (the registry in ``figures.py``), filters
and permissions as the page."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import AccessRule
from accounts.permissions import VIEW_DASHBOARD

from .figures import DASHBOARD
from .forms import DashboardForm
from .scope import dashboard_scope


class WorkloadDashboardView(APIView):
    access_rule = AccessRule("permission", perm=VIEW_DASHBOARD)

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
            dashboard_scope(request, request.query_params.get("administration", ""))
            raise ValidationError(
                {
                    field: [error["message"] for error in errors]
                    for field, errors in form.errors.get_json_data().items()
                }
            )
        scope = dashboard_scope(request, form.cleaned_data.get("administration", ""))
        period = form.cleaned_data["period"]
        tables = DASHBOARD.tables(scope, period)
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
                "tables": DASHBOARD.api_tables(tables),
            }
        )
