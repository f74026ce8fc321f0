"""API of the experiment set-up: its state and periods, starting, changing and stopping it.

The administration is the one of the session (or token), never a request field. A role
without the permission gets 403.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import AccessRule, administration_for
from accounts.models import Administration
from accounts.permissions import MANAGE_EXPERIMENT
from drafting.suggestions.backends import backend_label, backends_offered

from . import services
from .models import ExperimentPeriod
from .selectors import experiment_has_volunteer


class PeriodSerializer(serializers.ModelSerializer):
    assisted_percent = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    backend_label = serializers.SerializerMethodField()
    started_by = serializers.SerializerMethodField()

    class Meta:
        model = ExperimentPeriod
        fields = [
            "id",
            "assisted_share",
            "assisted_percent",
            "unit",
            "backend",
            "model_name",
            "backend_label",
            "started_at",
            "ended_at",
            "started_by",
        ]
        read_only_fields = fields

    def get_assisted_percent(self, period) -> float:
        return float(period.assisted_share * 100)

    def get_unit(self, period) -> str:
        return "case"

    def get_backend_label(self, period) -> str:
        return backend_label(period.backend, period.model_name)

    def get_started_by(self, period) -> str:
        return period.started_by.email if period.started_by else ""


class OfferedBackendSerializer(serializers.Serializer):
    backend = serializers.CharField()
    model_name = serializers.CharField(allow_blank=True)
    label = serializers.CharField()


class ExperimentSerializer(serializers.Serializer):
    running = PeriodSerializer(allow_null=True)
    has_volunteer = serializers.BooleanField()
    backends_offered = OfferedBackendSerializer(many=True)
    periods = PeriodSerializer(many=True)


class ExperimentConfigureSerializer(serializers.Serializer):
    assisted_percent = serializers.IntegerField(min_value=1, max_value=99)
    backend = serializers.CharField(max_length=32)
    model_name = serializers.CharField(max_length=200, required=False, allow_blank=True)


def _experiment_payload(administration: Administration) -> dict:
    periods = list(
        ExperimentPeriod.objects.filter(administration=administration)
        .select_related("started_by")
        .order_by("-started_at", "-pk")
    )
    return {
        "running": next((p for p in periods if p.ended_at is None), None),
        "has_volunteer": experiment_has_volunteer(administration),
        "backends_offered": [
            {"backend": b, "model_name": m, "label": backend_label(b, m)}
            for b, m in backends_offered()
        ],
        "periods": periods,
    }


class ExperimentView(APIView):
    access_rule = AccessRule("permission", perm=MANAGE_EXPERIMENT)

    @extend_schema(responses=ExperimentSerializer, summary="The experiment: state and periods")
    def get(self, request):
        administration = administration_for(request, MANAGE_EXPERIMENT)
        return Response(ExperimentSerializer(_experiment_payload(administration)).data)

    @extend_schema(
        request=ExperimentConfigureSerializer,
        responses={201: PeriodSerializer},
        summary="Start the experiment or change its set-up (a new frozen period)",
    )
    def post(self, request):
        administration = administration_for(request, MANAGE_EXPERIMENT)
        serializer = ExperimentConfigureSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = services.experiment_configure(
            actor=request.user, administration=administration, **serializer.validated_data
        )
        return Response(PeriodSerializer(period).data, status=status.HTTP_201_CREATED)


class ExperimentStopView(APIView):
    access_rule = AccessRule("permission", perm=MANAGE_EXPERIMENT)

    @extend_schema(request=None, responses=PeriodSerializer, summary="Stop the experiment")
    def post(self, request):
        administration = administration_for(request, MANAGE_EXPERIMENT)
        period = services.experiment_end(actor=request.user, administration=administration)
        return Response(PeriodSerializer(period).data)
