"""API of the answer bank under /api/v1/answers/: list and create (agents), update and retire
(managers and administrators). The administration is the token's or the session's; another
administration's answer is 404."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import AccessRule, administration_for
from accounts.models import Administration
from accounts.permissions import VIEW_CASES, WORK_CASES
from cases.models import Topic

from . import selectors, services
from .models import BankAnswer

LIST_LIMIT = 200


class BankAnswerSerializer(serializers.ModelSerializer):
    topic = serializers.IntegerField(source="topic_id", allow_null=True, read_only=True)
    source_case = serializers.IntegerField(source="source_case_id", allow_null=True, read_only=True)

    class Meta:
        model = BankAnswer
        fields = [
            "id",
            "kind",
            "status",
            "question",
            "answer",
            "topic",
            "source_case",
            "uses",
            "last_used_at",
            "quality",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class BankAnswerWriteSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=services.MAX_QUESTION_CHARS)
    answer = serializers.CharField(max_length=services.MAX_ANSWER_CHARS)
    topic = serializers.IntegerField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=BankAnswer.Status.choices, required=False)

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


def _answer(request, administration: Administration, pk: int) -> BankAnswer:
    try:
        return selectors.bank_answer_get(request.user, administration, pk)
    except BankAnswer.DoesNotExist as exc:
        raise NotFound() from exc


class AnswerListView(APIView):
    access_rule = AccessRule("permission", perm=VIEW_CASES, per_method={"POST": WORK_CASES})

    @extend_schema(
        responses=BankAnswerSerializer(many=True),
        summary="The administration's answer bank (?q= words, ?kind=model|learned, "
        "?status=active|retired)",
    )
    def get(self, request):
        administration = administration_for(request, VIEW_CASES)
        params = request.query_params
        kind = params.get("kind", "")
        state = params.get("status", BankAnswer.Status.ACTIVE)
        answers = selectors.bank_search(
            administration,
            q=params.get("q", "")[:200],
            kind=kind if kind in BankAnswer.Kind.values else "",
            status=state if state in BankAnswer.Status.values else BankAnswer.Status.ACTIVE,
        )
        return Response(BankAnswerSerializer(answers[:LIST_LIMIT], many=True).data)

    @extend_schema(
        request=BankAnswerWriteSerializer,
        responses={201: BankAnswerSerializer},
        summary="Write a model answer",
    )
    def post(self, request):
        administration = administration_for(request, WORK_CASES)
        serializer = BankAnswerWriteSerializer(
            data=request.data, context={"administration": administration}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        answer = services.bank_answer_create(
            actor=request.user,
            administration=administration,
            question=data["question"],
            answer=data["answer"],
            topic=data.get("topic"),
        )
        return Response(BankAnswerSerializer(answer).data, status=status.HTTP_201_CREATED)


class AnswerDetailView(APIView):
    # Tenant first: another administration's answer is 404 whatever the role, so the door
    # only asks for membership; editing and retiring (managers) are checked by the services.
    access_rule = AccessRule("permission", perm=VIEW_CASES)

    @extend_schema(responses=BankAnswerSerializer, summary="One bank answer")
    def get(self, request, pk: int):
        administration = administration_for(request, VIEW_CASES)
        return Response(BankAnswerSerializer(_answer(request, administration, pk)).data)

    @extend_schema(
        request=BankAnswerWriteSerializer,
        responses=BankAnswerSerializer,
        summary="Edit a bank answer, retire it (status retired) or bring it back",
    )
    def patch(self, request, pk: int):
        administration = administration_for(request)
        answer = _answer(request, administration, pk)
        serializer = BankAnswerWriteSerializer(
            data=request.data, context={"administration": administration}, partial=True
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        state = data.pop("status", None)
        if data:
            answer = services.bank_answer_update(actor=request.user, bank_answer=answer, **data)
        if state is not None:
            answer = services.bank_answer_retire(
                actor=request.user, bank_answer=answer, active=state == BankAnswer.Status.ACTIVE
            )
        answer.refresh_from_db()
        return Response(BankAnswerSerializer(answer).data)

    @extend_schema(request=None, responses=BankAnswerSerializer, summary="Retire a bank answer")
    def delete(self, request, pk: int):
        administration = administration_for(request)
        answer = _answer(request, administration, pk)
        answer = services.bank_answer_retire(actor=request.user, bank_answer=answer)
        return Response(BankAnswerSerializer(answer).data)
