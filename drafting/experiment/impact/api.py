"""The impact report as JSON: the same figures as the page, under the same permissions.

The answer is the report's header and, for each field the registry's figures read
(``figures.IMPACT.api_fields()``), that part of the report.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import AccessRule
from accounts.permissions import VIEW_DASHBOARD
from drafting.models import Arm

from .figures import IMPACT
from .forms import parse_filters
from .scope import impact_scope
from .selectors import cached_impact_report
from .statistics import HANDLING_BINS, binned

HEADER_FIELDS = ("computed_at", "administration", "period", "filters", "cases")


def _handling_time(handling: dict[str, Any]) -> dict[str, Any]:
    """The fine buckets serve the statistics; the API gives the distribution as the page
    shows it (a copy: the cached report stays whole)."""
    handling = dict(handling)
    fine = handling.pop("distributions")
    handling["distribution"] = [
        {
            "from_seconds": low,
            "to_seconds": None if high == float("inf") else high,
            "assisted": assisted,
            "control": control,
        }
        for (low, high, _label), assisted, control in zip(
            HANDLING_BINS, binned(fine[Arm.ASSISTED]), binned(fine[Arm.CONTROL]), strict=True
        )
    ]
    return handling


# How a part of the report is given, when not as it is.
SERIALIZERS = {"handling_time": _handling_time}


class ImpactReportView(APIView):
    access_rule = AccessRule("permission", perm=VIEW_DASHBOARD)

    @extend_schema(
        summary="Impact report of the drafting experiment",
        parameters=[
            OpenApiParameter("period", str, description="A period id, or `all` (default: latest)"),
            OpenApiParameter("backend", str),
            OpenApiParameter("model", str),
            OpenApiParameter("channel", str),
            OpenApiParameter("topic", int),
            OpenApiParameter("administration", int, description="National staff only"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        scope = impact_scope(request, request.query_params.get("administration"))
        form = parse_filters(scope.administration, request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        report = cached_impact_report(form.filters())
        answer = {key: report[key] for key in HEADER_FIELDS}
        for field in IMPACT.api_fields():
            answer[field] = SERIALIZERS.get(field, lambda part: part)(report[field])
        return Response(answer)
