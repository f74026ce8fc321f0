"""API of the administrators' drafting set-up: the experiment and the knowledge base.

The administration is the one of the session (or token), never a request field. A role
without the permission gets 403; an article of another administration 404.
"""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import request_administration
from accounts.models import Administration
from accounts.permissions import MANAGE_EXPERIMENT, MANAGE_SETTINGS, has_administration_perm
from cases.models import Topic

from . import services
from .backends import backend_label, backends_offered
from .forms_setup import KnowledgeUploadForm, import_uploads
from .models import ExperimentPeriod, KnowledgeArticle


def administration_for(request, perm: str) -> Administration:
    """The request's administration, if the user holds ``perm`` on it; else 403."""
    administration = request_administration(request)
    if not administration or not has_administration_perm(request.user, perm, administration):
        raise PermissionDenied()
    return administration


# --- experiment --------------------------------------------------------------------------------


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
        "has_volunteer": services.experiment_has_volunteer(administration),
        "backends_offered": [
            {"backend": b, "model_name": m, "label": backend_label(b, m)}
            for b, m in backends_offered()
        ],
        "periods": periods,
    }


class ExperimentView(APIView):
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
    @extend_schema(request=None, responses=PeriodSerializer, summary="Stop the experiment")
    def post(self, request):
        administration = administration_for(request, MANAGE_EXPERIMENT)
        period = services.experiment_end(actor=request.user, administration=administration)
        return Response(PeriodSerializer(period).data)


# --- knowledge ---------------------------------------------------------------------------------


class AdministrationArticleSerializer(serializers.ModelSerializer):
    scope = serializers.SerializerMethodField()
    topic = serializers.IntegerField(source="topic_id", allow_null=True, read_only=True)
    # Empty for articles without a source: a plain string, not a "uri" that "" would violate.
    source_url = serializers.CharField(read_only=True)

    class Meta:
        model = KnowledgeArticle
        fields = [
            "id",
            "external_id",
            "title",
            "summary",
            "body",
            "source_url",
            "topic",
            "source_format",
            "is_active",
            "scope",
            "updated_on",
            "modified_at",
        ]
        read_only_fields = fields

    def get_scope(self, article) -> str:
        return "national" if article.administration_id is None else "administration"


class AdministrationArticleWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    body = serializers.CharField(max_length=200_000)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5_000)
    source_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    topic = serializers.IntegerField(required=False, allow_null=True)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    is_active = serializers.BooleanField(required=False)

    def validate_topic(self, value):
        if value is None:
            return None
        administration = self.context["administration"]
        topic = Topic.objects.filter(
            Q(administration__isnull=True) | Q(administration=administration), pk=value
        ).first()
        if topic is None:
            raise serializers.ValidationError("Unknown topic.")
        return topic


def _article_for(administration: Administration, pk: int) -> KnowledgeArticle:
    article = KnowledgeArticle.objects.filter(
        Q(administration__isnull=True) | Q(administration=administration), pk=pk
    ).first()
    if article is None:
        raise NotFound()
    return article


ARTICLE_LIST_LIMIT = 200


class ArticleListView(APIView):
    @extend_schema(
        responses=AdministrationArticleSerializer(many=True),
        summary="The administration's own articles (?scope=national: the national fiches)",
    )
    def get(self, request):
        administration = administration_for(request, MANAGE_SETTINGS)
        articles = KnowledgeArticle.objects.order_by("title", "pk")
        if request.query_params.get("scope") == "national":
            articles = articles.filter(administration__isnull=True)
        else:
            articles = articles.filter(administration=administration)
        return Response(
            AdministrationArticleSerializer(articles[:ARTICLE_LIST_LIMIT], many=True).data
        )

    @extend_schema(
        request=AdministrationArticleWriteSerializer,
        responses={201: AdministrationArticleSerializer},
        summary="Write an article of the administration",
    )
    def post(self, request):
        administration = administration_for(request, MANAGE_SETTINGS)
        serializer = AdministrationArticleWriteSerializer(
            data=request.data, context={"administration": administration}
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("is_active", None)
        article = services.article_write(actor=request.user, administration=administration, **data)
        return Response(
            AdministrationArticleSerializer(article).data, status=status.HTTP_201_CREATED
        )


class ArticleDetailView(APIView):
    @extend_schema(
        responses=AdministrationArticleSerializer, summary="One article (own or national)"
    )
    def get(self, request, pk: int):
        # Tenant first: another administration's article is 404 for every role.
        article = _article_for(request_administration(request), pk)
        administration_for(request, MANAGE_SETTINGS)
        return Response(AdministrationArticleSerializer(article).data)

    @extend_schema(
        request=AdministrationArticleWriteSerializer,
        responses=AdministrationArticleSerializer,
        summary="Edit, retire (is_active false) or bring back an own article",
    )
    def patch(self, request, pk: int):
        article = _article_for(request_administration(request), pk)
        administration = administration_for(request, MANAGE_SETTINGS)
        if article.administration_id is None:
            raise PermissionDenied("National articles are read-only.")
        serializer = AdministrationArticleWriteSerializer(
            data=request.data, context={"administration": administration}, partial=True
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("external_id", None)
        is_active = data.pop("is_active", None)
        if data:
            fields = {
                "title": article.title,
                "body": article.body,
                "summary": article.summary,
                "source_url": article.source_url,
                "topic": article.topic,
                **data,
            }
            article = services.article_write(
                actor=request.user, administration=administration, article=article, **fields
            )
        if is_active is not None:
            article = services.article_retire(
                actor=request.user, administration=administration, article=article, active=is_active
            )
        article.refresh_from_db()
        return Response(AdministrationArticleSerializer(article).data)


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skipped = serializers.IntegerField()


class KnowledgeImportView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                },
            }
        },
        responses={201: ImportResultSerializer},
        summary="Import fiches (.xml, .md) into the administration, all or nothing",
    )
    def post(self, request):
        administration = administration_for(request, MANAGE_SETTINGS)
        form = KnowledgeUploadForm(data={}, files=request.FILES)
        if not form.is_valid():
            raise serializers.ValidationError({"files": form.errors.get("files") or ["?"]})
        report, errors = import_uploads(
            actor=request.user, administration=administration, files=form.cleaned_data["files"]
        )
        if report is None:
            raise serializers.ValidationError({"files": errors})
        return Response(ImportResultSerializer(vars(report)).data, status=status.HTTP_201_CREATED)
