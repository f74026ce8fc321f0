"""Audit journal API: the entries an administrator may read, filtered, with cursor pages."""

from __future__ import annotations

import base64
import binascii

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ..access import AccessRule, current_administration, is_national_staff
from ..audit import (
    PAGE_SIZE,
    AuditFilterForm,
    Words,
    format_cursor,
    journal_scope,
    parse_cursor,
)
from ..models import AuditEntry
from ..permissions import VIEW_AUDIT
from ..selectors import audit_entries, audit_page

MAX_PAGE_SIZE = 200


class AuditEntrySerializer(serializers.ModelSerializer):
    administration = serializers.IntegerField(source="administration_id", read_only=True)
    actor = serializers.CharField(source="actor_label", read_only=True)
    category_label = serializers.SerializerMethodField()
    action_label = serializers.SerializerMethodField()
    target = serializers.CharField(source="target_label", read_only=True)
    details = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "administration",
            "created_at",
            "actor",
            "category",
            "category_label",
            "action",
            "action_label",
            "target",
            "data",
            "details",
        ]
        read_only_fields = fields

    @property
    def _words(self) -> Words:
        # One vocabulary for the whole page of entries (the list serializer's context).
        return self.context.setdefault("words", Words())

    def get_category_label(self, entry: AuditEntry) -> str:
        return self._words.category(entry.category)

    def get_action_label(self, entry: AuditEntry) -> str:
        return self._words.action(entry.action)

    def get_details(self, entry: AuditEntry) -> list[str]:
        return [detail.text for detail in self._words.describe(entry.data)]


# Tenant first: whose journal (``journal_scope``) or which entry is decided before the role
# is asked, so that another administration's journal is 404 for every role.
AUDITORS_TENANT_FIRST = AccessRule("permission", perm=VIEW_AUDIT, tenant_first=True)


def _encode(cursor) -> str:
    return base64.urlsafe_b64encode(format_cursor(cursor).encode()).decode().rstrip("=")


def _decode(value: str):
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return parse_cursor(raw)


def _page_size(value: str | None) -> int:
    if value in (None, ""):
        return PAGE_SIZE
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE_SIZE:
        raise ValidationError({"page_size": [f"A whole number from 1 to {MAX_PAGE_SIZE}."]})
    return int(value)


_FILTER_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Free text (action, people, details)."),
    OpenApiParameter("category", OpenApiTypes.STR, enum=AuditEntry.Category.values),
    OpenApiParameter("action", OpenApiTypes.STR, description='e.g. "membership.role_changed".'),
    OpenApiParameter("actor", OpenApiTypes.STR, description="The actor's e-mail contains this."),
    OpenApiParameter("target", OpenApiTypes.STR, description="The subject contains this."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="From this day (inclusive)."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="To this day (inclusive)."),
    OpenApiParameter(
        "administration", OpenApiTypes.INT, description="National staff only: one journal."
    ),
    OpenApiParameter("cursor", OpenApiTypes.STR, description='The "next" link\'s cursor.'),
    OpenApiParameter("page_size", OpenApiTypes.INT, description=f"1 to {MAX_PAGE_SIZE}."),
]


class AuditListView(APIView):
    access_rule = AUDITORS_TENANT_FIRST

    @extend_schema(
        operation_id="audit_list",
        summary="The audit journal, newest first",
        parameters=_FILTER_PARAMETERS,
        responses=inline_serializer(
            "AuditPage",
            {
                "results": AuditEntrySerializer(many=True),
                "next": serializers.URLField(allow_null=True),
            },
        ),
    )
    def get(self, request):
        scope = journal_scope(request, request.query_params.get("administration"))
        form = AuditFilterForm(request.query_params, administrations=scope.choices)
        if not form.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        administration = (
            form.cleaned_data.get("administration") if scope.national else scope.administration
        )
        after = None
        if request.query_params.get("cursor"):
            after = _decode(request.query_params["cursor"])
            if after is None:
                raise ValidationError({"cursor": ["This cursor is not valid."]})
        size = _page_size(request.query_params.get("page_size"))
        rows, cursor = audit_page(
            audit_entries(request.user, administration, form.filters()), after=after, size=size
        )
        next_url = None
        if cursor is not None:
            params = request.query_params.copy()
            params["cursor"] = _encode(cursor)
            next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        return Response({"results": AuditEntrySerializer(rows, many=True).data, "next": next_url})


class AuditDetailView(APIView):
    access_rule = AUDITORS_TENANT_FIRST

    @extend_schema(
        operation_id="audit_entry_retrieve",
        summary="One audit journal entry",
        responses=AuditEntrySerializer,
    )
    def get(self, request, pk: int):
        # Tenant first: another administration's entry is 404 for every role, like a missing
        # one; then a role without the permission gets 403 (the door, on the entry found).
        entries = AuditEntry.objects.all()
        if not is_national_staff(request.user):
            entries = entries.filter(administration=current_administration(request))
        entry = entries.filter(pk=pk).first()
        if entry is None:
            raise NotFound("No such journal entry.")
        self.check_object_permissions(request, entry)
        return Response(AuditEntrySerializer(entry).data)
