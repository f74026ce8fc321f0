"""Serializers of the cases API: parse and render only (the rules are in services)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.common import IdField, TextField
from cases.counter.services import AnswerGiven
from cases.models import (
    Attachment,
    Case,
    CaseEvent,
    Channel,
    Delivery,
    InternalNote,
    Priority,
    Reply,
    Status,
    Topic,
)
from cases.permissions import Ability, case_abilities
from cases.services import MAX_TEXT_LENGTH
from cases.transitions import TRANSITIONS, allowed_actions


class CaseListSerializer(serializers.ModelSerializer):
    topic = serializers.IntegerField(source="topic_id", allow_null=True, read_only=True)
    topic_name = serializers.SerializerMethodField()
    assignee = serializers.IntegerField(source="assignee_id", allow_null=True, read_only=True)
    assignee_name = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "channel",
            "subject",
            "status",
            "priority",
            "topic",
            "topic_name",
            "assignee",
            "assignee_name",
            "due_at",
            "created_at",
            "version",
        ]
        read_only_fields = fields

    def get_topic_name(self, case: Case) -> str | None:
        return case.topic.name if case.topic_id else None

    def get_assignee_name(self, case: Case) -> str | None:
        return case.assignee.display_name if case.assignee_id else None


class ReplyAttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size"]
        read_only_fields = fields


class CaseReplySerializer(serializers.ModelSerializer):
    author = serializers.IntegerField(source="author_id", read_only=True)
    author_name = serializers.CharField(source="author.display_name", read_only=True)
    attachments = ReplyAttachmentSerializer(many=True, read_only=True)
    # Null for a reply without a delivery row (sent before deliveries existed).
    delivery_status = serializers.ChoiceField(
        source="delivery.status",
        choices=Delivery.Status.choices,
        allow_null=True,
        read_only=True,
        help_text=_("Where the reply's delivery to the usager stands."),
    )

    class Meta:
        model = Reply
        fields = [
            "id",
            "created_at",
            "author",
            "author_name",
            "body",
            "attachments",
            "delivery_status",
        ]
        read_only_fields = fields


class CaseDetailSerializer(CaseListSerializer):
    replies = CaseReplySerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()
    abilities = serializers.SerializerMethodField()
    transferred_from = serializers.IntegerField(
        source="transferred_from_id", allow_null=True, read_only=True
    )
    # Blank when the usager gave none: a plain string in the schema, not format "email".
    usager_email = serializers.CharField(read_only=True)

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "body",
            "usager_name",
            "usager_email",
            "usager_phone",
            "assigned_at",
            "first_opened_at",
            "answered_at",
            "closed_at",
            "transferred_from",
            "replies",
            "actions",
            "abilities",
        ]
        read_only_fields = fields

    def get_actions(self, case: Case) -> list[str]:
        """The lifecycle actions the case's status allows (the actor's role is checked on use)."""
        return allowed_actions(case.status)

    def get_abilities(self, case: Case) -> list[str]:
        """What the requesting user may do with the case now (cases/permissions.py): the same
        answer as the buttons of the case page and the services' checks."""
        request = self.context.get("request")
        if request is None:
            return []
        granted = case_abilities(request.user, case)
        return [ability.value for ability in Ability if ability in granted]


class CasePageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True, help_text=_("Cursor of the next page."))
    results = CaseListSerializer(many=True)


class CaseCreateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    subject = TextField(max_length=300)
    body = TextField(max_length=MAX_TEXT_LENGTH)
    usager_name = TextField(max_length=200, required=False, allow_blank=True, default="")
    usager_email = serializers.EmailField(
        max_length=254, required=False, allow_blank=True, default=""
    )
    usager_phone = TextField(max_length=40, required=False, allow_blank=True, default="")
    topic = IdField(required=False, allow_null=True, default=None)
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, default=Priority.NORMAL
    )


class InboxQuerySerializer(serializers.Serializer):
    box = serializers.ChoiceField(choices=["mine", "queue", "all"], required=False, default="all")
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    topic = IdField(required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    overdue = serializers.BooleanField(required=False, default=False)
    q = TextField(required=False, max_length=200, allow_blank=True)
    cursor = TextField(required=False, max_length=100)
    size = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)


class VersionMixin(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=_("The case version the client last read; a stale one is refused."),
    )


class AssignSerializer(VersionMixin):
    assignee = IdField(help_text=_("Id of the member to assign (your own id to take the case)."))


class TransitionSerializer(VersionMixin):
    action = serializers.ChoiceField(choices=[n for n, t in TRANSITIONS.items() if t.generic])
    reason = TextField(required=False, allow_blank=True, max_length=2000, default="")


class ReplySerializer(VersionMixin):
    body = TextField(max_length=MAX_TEXT_LENGTH)
    # multipart/form-data only: files checked by content like intake's (PDF, PNG, JPEG,
    # OpenDocument; INTAKE_ATTACHMENT_MAX_FILES / _MAX_BYTES).
    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True), required=False, max_length=100
    )


class AnswerGivenSerializer(ReplySerializer):
    """The reply's fields, and how the answer reached the usager (nothing is delivered)."""

    given = serializers.ChoiceField(
        choices=AnswerGiven.choices,
        help_text=_("How the answer was given: at the counter (in person) or on the phone."),
        error_messages={
            "required": _("Say how the answer was given: at the counter or on the phone."),
            "invalid_choice": _("Say how the answer was given: at the counter or on the phone."),
        },
    )


class NoteCreateSerializer(serializers.Serializer):
    body = TextField(max_length=MAX_TEXT_LENGTH)


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.IntegerField(source="author_id", read_only=True)
    author_name = serializers.CharField(source="author.display_name", read_only=True)

    class Meta:
        model = InternalNote
        fields = ["id", "author", "author_name", "body", "created_at"]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.IntegerField(source="actor_id", allow_null=True, read_only=True)
    from_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)
    to_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "actor", "from_status", "to_status", "data", "created_at"]
        read_only_fields = fields


class TopicSerializer(serializers.ModelSerializer):
    national = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = ["id", "name", "slug", "national"]
        read_only_fields = fields

    def get_national(self, topic: Topic) -> bool:
        return topic.administration_id is None
