"""API of the knowledge base: the articles agents read, and the administrators' own articles
and imports.

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

from accounts import access
from accounts.access import AccessRule, administration_for, current_administration
from accounts.api.common import IdField, TextField
from accounts.models import Administration
from accounts.permissions import MANAGE_SETTINGS, VIEW_CASES
from cases.models import Topic

from . import selectors, services
from .forms import KnowledgeUploadForm, import_uploads
from .models import KnowledgeArticle

# --- the articles agents read -------------------------------------------------------------


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


class ArticleListView(APIView):
    access_rule = AccessRule("permission", perm=VIEW_CASES)

    @extend_schema(
        parameters=[ArticleQuerySerializer],
        responses=ArticlePageSerializer,
        operation_id="knowledge_articles_list",
        summary="Knowledge articles (national and the administration's own), by id",
    )
    def get(self, request):
        administration = administration_for(request, VIEW_CASES)
        query = ArticleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        rows = selectors.articles_in_use(administration).order_by("id")
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
    access_rule = AccessRule("permission", perm=VIEW_CASES)

    @extend_schema(responses=ArticleDetailSerializer, summary="One knowledge article")
    def get(self, request, pk: int):
        administration = administration_for(request, VIEW_CASES)
        return Response(
            ArticleDetailSerializer(selectors.articles_in_use(administration).get(pk=pk)).data
        )


# --- administrators: their own articles and imports ------------------------------------


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


def _article_for(administration: Administration | None, pk: int) -> KnowledgeArticle:
    article = selectors.article_readable(administration, pk)
    if article is None:
        raise NotFound()
    return article


ARTICLE_LIST_LIMIT = 200


class AdministrationArticleListView(APIView):
    access_rule = AccessRule("permission", perm=MANAGE_SETTINGS)

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


class AdministrationArticleDetailView(APIView):
    # Tenant first: the article lookup answers 404 for another administration's article, for
    # every role, before the role's 403 (``administration_for`` in each method).
    access_rule = access.MEMBER

    @extend_schema(
        responses=AdministrationArticleSerializer, summary="One article (own or national)"
    )
    def get(self, request, pk: int):
        # Tenant first: another administration's article is 404 for every role.
        article = _article_for(current_administration(request), pk)
        administration_for(request, MANAGE_SETTINGS)
        return Response(AdministrationArticleSerializer(article).data)

    @extend_schema(
        request=AdministrationArticleWriteSerializer,
        responses=AdministrationArticleSerializer,
        summary="Edit, retire (is_active false) or bring back an own article",
    )
    def patch(self, request, pk: int):
        article = _article_for(current_administration(request), pk)
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
    access_rule = AccessRule("permission", perm=MANAGE_SETTINGS)
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
