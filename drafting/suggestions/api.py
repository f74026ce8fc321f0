"""Drafting API: a case's current suggestion, a new draft, shown and discard."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.common import IdField, TextField, administration_or_denied, require_perm
from accounts.permissions import VIEW_CASES
from cases.api.cases import case_for_request

from . import selectors, services
from .models import KnowledgeArticle, Suggestion


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
    if suggestion.administration_id != administration_or_denied(request).pk:
        raise Suggestion.DoesNotExist
    return suggestion


class CaseSuggestionView(APIView):
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
    @extend_schema(
        request=None, responses=SuggestionSerializer, summary="Record that the agent saw the draft"
    )
    def post(self, request, pk: int):
        suggestion = _suggestion_for_request(request, pk)
        suggestion = services.suggestion_mark_shown(actor=request.user, suggestion=suggestion)
        return Response(SuggestionSerializer(suggestion).data)


class SuggestionDiscardView(APIView):
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


class ArticleSerializer(serializers.ModelSerializer):
    topic = serializers.IntegerField(source="topic_id", allow_null=True, read_only=True)
    # Empty for articles without a source: a plain string, not a "uri" that "" would violate.
    source_url = serializers.CharField(read_only=True)
    national = serializers.SerializerMethodField()

    class Meta:
        model = KnowledgeArticle
        fields = [
            "id",
            "external_id",
            "title",
            "summary",
            "source_url",
            "topic",
            "national",
            "is_active",
            "updated_on",
        ]
        read_only_fields = fields

    def get_national(self, article: KnowledgeArticle) -> bool:
        return article.administration_id is None


class ArticleDetailSerializer(ArticleSerializer):
    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body"]
        read_only_fields = fields


class ArticlePageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    results = ArticleSerializer(many=True)


class ArticleQuerySerializer(serializers.Serializer):
    q = TextField(required=False, allow_blank=True, max_length=200)
    national = serializers.BooleanField(required=False, allow_null=True, default=None)
    after = IdField(required=False, help_text="Id of the last article of the previous page.")
    size = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)


def _articles_for(administration):
    return KnowledgeArticle.objects.filter(
        Q(administration__isnull=True) | Q(administration=administration), is_active=True
    )


class ArticleListView(APIView):
    @extend_schema(
        parameters=[ArticleQuerySerializer],
        responses=ArticlePageSerializer,
        operation_id="knowledge_articles_list",
        summary="Knowledge articles (national and the administration's own), by id",
    )
    def get(self, request):
        administration = require_perm(request, VIEW_CASES)
        query = ArticleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        rows = _articles_for(administration).order_by("id")
        if params.get("q"):
            rows = rows.filter(title__icontains=params["q"])
        if params["national"] is not None:
            rows = rows.filter(administration__isnull=params["national"])
        if params.get("after"):
            rows = rows.filter(id__gt=params["after"])
        page = list(rows[: params["size"] + 1])
        next_url = None
        if len(page) > params["size"]:
            page = page[: params["size"]]
            query_dict = request.query_params.copy()
            query_dict["after"] = str(page[-1].pk)
            next_url = request.build_absolute_uri(f"{request.path}?{query_dict.urlencode()}")
        return Response({"next": next_url, "results": ArticleSerializer(page, many=True).data})


class ArticleDetailView(APIView):
    @extend_schema(responses=ArticleDetailSerializer, summary="One knowledge article")
    def get(self, request, pk: int):
        administration = require_perm(request, VIEW_CASES)
        return Response(ArticleDetailSerializer(_articles_for(administration).get(pk=pk)).data)
