"""API of the administration settings (administrators): deadlines, texts, the references
list in replies, own topics.

The administration is the one of the session (or token), never a request field. A role
without the permission gets 403; a topic of another administration 404, a national one 403.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access
from accounts import services as account_services
from accounts.access import AccessRule, administration_for, current_administration
from accounts.models import Administration
from accounts.permissions import MANAGE_SETTINGS

from ..models import DEFAULT_RESPONSE_DAYS, Channel, ResponseDeadline, Topic
from . import services

SETTINGS_RULE = AccessRule("permission", perm=MANAGE_SETTINGS)


class DeadlineSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    days = serializers.IntegerField(min_value=1, max_value=365, allow_null=True)
    default_days = serializers.IntegerField(read_only=True)
    effective_days = serializers.IntegerField(read_only=True)


class SettingsSerializer(serializers.Serializer):
    administration = serializers.CharField(read_only=True)
    signature = serializers.CharField(allow_blank=True, max_length=2000, trim_whitespace=True)
    closing = serializers.CharField(allow_blank=True, max_length=300, trim_whitespace=True)
    # Replies built from a draft end with the cited fiches' public links (default on).
    reply_references = serializers.BooleanField(required=False)
    response_deadlines = DeadlineSerializer(many=True)

    def validate_response_deadlines(self, rows):
        # A PATCH makes nested fields optional too: each row still needs its channel and days.
        if any("channel" not in row or "days" not in row for row in rows):
            raise serializers.ValidationError("Each deadline needs its channel and days.")
        channels = [row["channel"] for row in rows]
        if len(set(channels)) != len(channels):
            raise serializers.ValidationError("Each channel at most once.")
        return rows


def _settings_payload(administration: Administration) -> dict:
    configured = dict(
        ResponseDeadline.objects.filter(administration=administration).values_list(
            "channel", "days"
        )
    )
    return {
        "administration": administration.name,
        "signature": administration.signature,
        "closing": administration.closing,
        "reply_references": administration.reply_references,
        "response_deadlines": [
            {
                "channel": channel.value,
                "days": configured.get(channel.value),
                "default_days": DEFAULT_RESPONSE_DAYS[channel],
                "effective_days": configured.get(channel.value) or DEFAULT_RESPONSE_DAYS[channel],
            }
            for channel in Channel
        ],
    }


class AdministrationSettingsView(APIView):
    access_rule = SETTINGS_RULE

    @extend_schema(responses=SettingsSerializer, summary="The administration's settings")
    def get(self, request):
        administration = administration_for(request, MANAGE_SETTINGS)
        return Response(SettingsSerializer(_settings_payload(administration)).data)

    def _write(self, request, *, partial: bool):
        administration = administration_for(request, MANAGE_SETTINGS)
        serializer = SettingsSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Both writes or neither: the texts and the deadlines share one transaction.
        with transaction.atomic():
            if "signature" in data or "closing" in data:
                administration = account_services.administration_update_texts(
                    actor=request.user,
                    administration=administration,
                    signature=data.get("signature", administration.signature),
                    closing=data.get("closing", administration.closing),
                )
            if "reply_references" in data:
                administration = services.reply_references_set(
                    actor=request.user,
                    administration=administration,
                    enabled=data["reply_references"],
                )
            if "response_deadlines" in data:
                services.response_deadlines_set(
                    actor=request.user,
                    administration=administration,
                    days={row["channel"]: row["days"] for row in data["response_deadlines"]},
                )
        administration.refresh_from_db()
        return Response(SettingsSerializer(_settings_payload(administration)).data)

    @extend_schema(
        request=SettingsSerializer,
        responses=SettingsSerializer,
        summary="Replace the settings (deadlines not listed are left as they are)",
    )
    def put(self, request):
        return self._write(request, partial=False)

    @extend_schema(
        request=SettingsSerializer, responses=SettingsSerializer, summary="Change some settings"
    )
    def patch(self, request):
        return self._write(request, partial=True)


class AdministrationTopicSerializer(serializers.ModelSerializer):
    scope = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = ["id", "name", "slug", "is_active", "scope"]
        read_only_fields = ["id", "slug", "scope"]

    def get_scope(self, topic) -> str:
        return "national" if topic.administration_id is None else "administration"


class AdministrationTopicWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    is_active = serializers.BooleanField(required=False)


class TopicListView(APIView):
    access_rule = SETTINGS_RULE

    @extend_schema(
        responses=AdministrationTopicSerializer(many=True),
        summary="National topics (read-only) and the administration's own ones",
    )
    def get(self, request):
        administration = administration_for(request, MANAGE_SETTINGS)
        topics = Topic.objects.filter(
            Q(administration__isnull=True) | Q(administration=administration)
        ).order_by("name", "pk")
        return Response(AdministrationTopicSerializer(topics, many=True).data)

    @extend_schema(
        request=AdministrationTopicWriteSerializer,
        responses={201: AdministrationTopicSerializer},
        summary="Create a topic of the administration",
    )
    def post(self, request):
        administration = administration_for(request, MANAGE_SETTINGS)
        serializer = AdministrationTopicWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        topic = services.topic_create(
            actor=request.user,
            administration=administration,
            name=serializer.validated_data["name"],
        )
        return Response(AdministrationTopicSerializer(topic).data, status=status.HTTP_201_CREATED)


class TopicDetailView(APIView):
    # Members reach it: another administration's topic answers 404 before the role's 403.
    access_rule = access.MEMBER

    def _topic(self, administration: Administration, pk: int) -> Topic:
        topic = Topic.objects.filter(
            Q(administration__isnull=True) | Q(administration=administration), pk=pk
        ).first()
        if topic is None:
            raise NotFound()
        return topic

    def _checked(self, request, pk: int) -> tuple[Administration, Topic]:
        # Tenant first: another administration's topic is "not there" (404) for every role,
        # before the role is checked (403).
        topic = self._topic(current_administration(request), pk)
        return administration_for(request, MANAGE_SETTINGS), topic

    @extend_schema(responses=AdministrationTopicSerializer, summary="One topic")
    def get(self, request, pk: int):
        _administration, topic = self._checked(request, pk)
        return Response(AdministrationTopicSerializer(topic).data)

    @extend_schema(
        request=AdministrationTopicWriteSerializer,
        responses=AdministrationTopicSerializer,
        summary="Rename, retire (is_active false) or bring back an own topic",
    )
    def patch(self, request, pk: int):
        administration, topic = self._checked(request, pk)
        if topic.administration_id is None:
            raise PermissionDenied("National topics are read-only.")
        serializer = AdministrationTopicWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        topic = services.topic_update(
            actor=request.user,
            administration=administration,
            topic=topic,
            name=serializer.validated_data.get("name"),
            is_active=serializer.validated_data.get("is_active"),
        )
        return Response(AdministrationTopicSerializer(topic).data)
