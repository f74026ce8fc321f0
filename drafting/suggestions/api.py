"""Drafting API: a case's current suggestion, a new draft, shown and discard.

The door lets in members who may view (GET) or work (POST) cases; the case or suggestion is
then looked up among those the user may see (404 otherwise), and the services check the
volunteer's consent and the experiment arm.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import AccessRule, administration_for
from accounts.api.common import TextField
from accounts.permissions import VIEW_CASES, WORK_CASES
from cases.api.cases import case_for_request

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
    # Blank until decided: declared so that the schema's enums include "".
    decision = serializers.ChoiceField(
        choices=Suggestion.Decision.choices, allow_blank=True, read_only=True
    )
    discard_reason = serializers.ChoiceField(
        choices=Suggestion.DiscardReason.choices, allow_blank=True, read_only=True
    )

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
    comment = TextField(required=False, allow_blank=True, max_length=2000)


def _suggestion_for_request(request, pk: int) -> Suggestion:
    """A suggestion of the request's administration only (a token acts only inside its own)."""
    suggestion = selectors.suggestion_get(request.user, pk)
    if suggestion.administration_id != administration_for(request).pk:
        raise Suggestion.DoesNotExist
    return suggestion


class CaseSuggestionView(APIView):
    access_rule = AccessRule("permission", perm=VIEW_CASES, per_method={"POST": WORK_CASES})

    @extend_schema(responses=SuggestionSerializer, summary="The case's current suggestion")
    def get(self, request, case_id: int):
        case = case_for_request(request, case_id)
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
        case = case_for_request(request, case_id)
        suggestion = services.suggestion_request(actor=request.user, case=case)
        suggestion.refresh_from_db()
        return Response(SuggestionSerializer(suggestion).data, status=status.HTTP_202_ACCEPTED)


class SuggestionShownView(APIView):
    access_rule = AccessRule("permission", perm=VIEW_CASES)

    @extend_schema(
        request=None, responses=SuggestionSerializer, summary="Record that the agent saw the draft"
    )
    def post(self, request, pk: int):
        suggestion = _suggestion_for_request(request, pk)
        suggestion = services.suggestion_mark_shown(actor=request.user, suggestion=suggestion)
        return Response(SuggestionSerializer(suggestion).data)


class SuggestionDiscardView(APIView):
    access_rule = AccessRule("permission", perm=WORK_CASES)

    @extend_schema(
        request=DiscardSerializer,
        responses=SuggestionSerializer,
        summary="Discard the draft with a reason",
    )
    def post(self, request, pk: int):
        suggestion = _suggestion_for_request(request, pk)
        serializer = DiscardSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        suggestion = services.suggestion_discard(
            actor=request.user,
            suggestion=suggestion,
            reason=serializer.validated_data["reason"],
            comment=serializer.validated_data.get("comment", ""),
        )
        return Response(SuggestionSerializer(suggestion).data)
