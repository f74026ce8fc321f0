"""Drafting API: a case's current suggestion, a new draft, shown and discard."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.selectors import case_get

from . import selectors, services
from .models import Suggestion


class SourceSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    excerpt = serializers.CharField()
    score = serializers.FloatField()


class SuggestionSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    sources = SourceSerializer(many=True, read_only=True)

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "case",
            "sequence",
            "status",
            "text",
            "sources",
            "backend",
            "model_name",
            "prompt_version",
            "fell_back",
            "error",
            "latency_ms",
            "retrieval_ms",
            "prompt_tokens",
            "completion_tokens",
            "created_at",
            "finished_at",
            "shown_at",
            "decision",
            "decided_at",
            "discard_reason",
            "discard_comment",
            "similarity",
            "seconds_to_decision",
        ]
        read_only_fields = fields


class DiscardSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=[c for c in Suggestion.DiscardReason.choices if c[0] != "not_used"]
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CaseSuggestionView(APIView):
    @extend_schema(responses=SuggestionSerializer, summary="The case's current suggestion")
    def get(self, request, case_id: int):
        case = case_get(request.user, pk=case_id)
        panel = selectors.panel_context(request.user, case)
        suggestion = None if panel["hidden"] else panel["suggestion"]
        if suggestion is None:
            return Response(
                {"detail": "This case has no suggestion.", "code": "not_found", "fields": {}},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(SuggestionSerializer(suggestion).data)

    @extend_schema(
        request=None, responses={202: SuggestionSerializer}, summary="Ask for a new draft"
    )
    def post(self, request, case_id: int):
        case = case_get(request.user, pk=case_id)
        suggestion = services.suggestion_request(actor=request.user, case=case)
        suggestion.refresh_from_db()
        return Response(SuggestionSerializer(suggestion).data, status=status.HTTP_202_ACCEPTED)


class SuggestionShownView(APIView):
    @extend_schema(
        request=None, responses=SuggestionSerializer, summary="Record that the agent saw the draft"
    )
    def post(self, request, pk: int):
        suggestion = selectors.suggestion_get(request.user, pk)
        suggestion = services.suggestion_mark_shown(actor=request.user, suggestion=suggestion)
        return Response(SuggestionSerializer(suggestion).data)


class SuggestionDiscardView(APIView):
    @extend_schema(
        request=DiscardSerializer,
        responses=SuggestionSerializer,
        summary="Discard the draft with a reason",
    )
    def post(self, request, pk: int):
        suggestion = selectors.suggestion_get(request.user, pk)
        serializer = DiscardSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        suggestion = services.suggestion_discard(
            actor=request.user,
            suggestion=suggestion,
            reason=serializer.validated_data["reason"],
            comment=serializer.validated_data.get("comment", ""),
        )
        return Response(SuggestionSerializer(suggestion).data)
