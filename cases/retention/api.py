"""API of rights requests and the retention period (administrators of the current
administration; another administration's usager is never reached: the search is tenant-scoped).

- ``POST rights/export/`` ``{"identifier"}``: a ZIP of everything held about the usager.
- ``POST rights/erase/`` ``{"identifier", "reason"}``: erasure, journaled with the reason.
- ``GET/PUT administration/retention/``: the retention period for closed cases.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import AccessRule, administration_for
from accounts.permissions import MANAGE_SETTINGS

from . import services
from .models import MAX_DAYS, MIN_DAYS, retention_days

RIGHTS_RULE = AccessRule("permission", perm=MANAGE_SETTINGS)


class RightsExportSerializer(serializers.Serializer):
    identifier = serializers.CharField(max_length=254, trim_whitespace=True)


class RightsEraseSerializer(RightsExportSerializer):
    reason = serializers.CharField(max_length=1000, trim_whitespace=True)


class RightsEraseResultSerializer(serializers.Serializer):
    cases = serializers.IntegerField()


class RetentionSerializer(serializers.Serializer):
    closed_case_days = serializers.IntegerField(min_value=MIN_DAYS, max_value=MAX_DAYS)
    default_days = serializers.IntegerField(read_only=True)


class RightsExportView(APIView):
    access_rule = RIGHTS_RULE

    @extend_schema(
        request=RightsExportSerializer,
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)},
        summary="Export everything held about a usager (ZIP: data.json and attachments)",
    )
    def post(self, request):
        administration = administration_for(request, MANAGE_SETTINGS)
        serializer = RightsExportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        content, _count = services.usager_export(
            actor=request.user,
            administration=administration,
            identifier=serializer.validated_data["identifier"],
        )
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="donnees-usager.zip"'
        return response


class RightsEraseView(APIView):
    access_rule = RIGHTS_RULE

    @extend_schema(
        request=RightsEraseSerializer,
        responses=RightsEraseResultSerializer,
        summary="Erase a usager's data on request (journaled with the reason)",
    )
    def post(self, request):
        administration = administration_for(request, MANAGE_SETTINGS)
        serializer = RightsEraseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = services.usager_erase(
            actor=request.user,
            administration=administration,
            identifier=serializer.validated_data["identifier"],
            reason=serializer.validated_data["reason"],
        )
        return Response({"cases": count})


class RetentionView(APIView):
    access_rule = RIGHTS_RULE

    def _payload(self, administration) -> dict:
        return {
            "closed_case_days": retention_days(administration),
            "default_days": services.default_days(),
        }

    @extend_schema(responses=RetentionSerializer, summary="The retention period of closed cases")
    def get(self, request):
        administration = administration_for(request, MANAGE_SETTINGS)
        return Response(RetentionSerializer(self._payload(administration)).data)

    @extend_schema(
        request=RetentionSerializer,
        responses=RetentionSerializer,
        summary="Set the retention period of closed cases",
    )
    def put(self, request):
        administration = administration_for(request, MANAGE_SETTINGS)
        serializer = RetentionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.retention_policy_set(
            actor=request.user,
            administration=administration,
            days=serializer.validated_data["closed_case_days"],
        )
        return Response(RetentionSerializer(self._payload(administration)).data)
