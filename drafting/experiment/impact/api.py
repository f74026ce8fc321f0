"""The impact report as JSON: the same figures as the page, under the same permissions."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import request_administration

from . import impact
from .models import Arm
from .views_impact import HANDLING_BINS, _binned, impact_administration, parse_filters


class ImpactReportView(APIView):
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
        administration = impact_administration(
            request.user,
            request_administration(request),
            request.query_params.get("administration"),
        )
        form = parse_filters(administration, request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        report = impact.cached_impact_report(form.filters())
        handling = dict(report["handling_time"])  # the cached report stays whole
        report = {**report, "handling_time": handling}
        # The fine buckets serve the statistics; the API gives the distribution as the page
        # shows it.
        fine = handling.pop("distributions")
        handling["distribution"] = [
            {
                "from_seconds": low,
                "to_seconds": None if high == float("inf") else high,
                "assisted": assisted,
                "control": control,
            }
            for (low, high, _label), assisted, control in zip(
                HANDLING_BINS, _binned(fine[Arm.ASSISTED]), _binned(fine[Arm.CONTROL]), strict=True
            )
        ]
        return Response(report)
