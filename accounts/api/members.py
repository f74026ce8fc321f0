"""Administrators' API: members, volunteer enrolment and API tokens of their administration.

Objects of another administration answer 404; other roles of the same administration get 403.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services, tokens
from accounts.access import AccessRule, administration_for
from accounts.api_auth import request_token
from accounts.models import ApiToken, Enrolment, Membership, Role
from accounts.permissions import MANAGE_MEMBERS

from .common import TextField, error_response

# Collections: administrators of the request's administration.
ADMINISTRATORS = AccessRule("permission", perm=MANAGE_MEMBERS)
MEMBERS_BY_SESSION = _(
    "Members are invited and changed from a signed-in session, not with an API token."
)
# One object: found in the request's administration first (another's is 404, for every role),
# then the role is asked (403).
ADMINISTRATORS_TENANT_FIRST = AccessRule("permission", perm=MANAGE_MEMBERS, tenant_first=True)


class MemberSerializer(serializers.ModelSerializer):
    # The account's id only once the person accepted: a waiting invitation's account id would
    # tell a known address (an older id) from a new one (created with the invitation).
    user = serializers.SerializerMethodField()
    email = serializers.CharField(source="user.email", read_only=True)
    first_name = serializers.SerializerMethodField()
    last_name = serializers.SerializerMethodField()

    # An invitation still waiting for its person shows the names typed with it, nothing of
    # the person's account (Membership.shown_names).
    def get_user(self, membership) -> int | None:
        return None if membership.pending else membership.user_id

    def get_first_name(self, membership) -> str:
        return membership.shown_names[0]

    def get_last_name(self, membership) -> str:
        return membership.shown_names[1]

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "email",
            "first_name",
            "last_name",
            "role",
            "team",
            "is_active",
            "pending",
            "created_at",
            "deactivated_at",
        ]
        read_only_fields = fields


class MemberInviteSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)
    first_name = TextField(max_length=150, required=False, allow_blank=True, default="")
    last_name = TextField(max_length=150, required=False, allow_blank=True, default="")
    team = TextField(max_length=100, required=False, allow_blank=True, default="")


class MemberChangeSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    team = TextField(max_length=100, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class EnrolmentSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)
    consent_version = serializers.IntegerField(
        source="consent.version", allow_null=True, read_only=True
    )

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "user",
            "email",
            "status",
            "consent_version",
            "consented_at",
            "cohort",
            "starts_on",
            "requested_at",
            "decided_at",
            "message",
            "withdrawn_at",
        ]
        read_only_fields = fields


class EnrolmentQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Enrolment.Status.choices, required=False)


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    message = TextField(max_length=2000, required=False, allow_blank=True, default="")


class TokenSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.email", read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "scope",
            "prefix",
            "created_by",
            "created_at",
            "last_used_at",
            "revoked_at",
            "expires_at",
        ]
        read_only_fields = fields


class TokenCreatedSerializer(TokenSerializer):
    key = serializers.CharField(
        read_only=True, help_text=_("The key, shown this once only: store it now.")
    )

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class TokenCreateSerializer(serializers.Serializer):
    name = TextField(max_length=100)
    scope = serializers.ChoiceField(choices=ApiToken.Scope.choices)
    expires_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_(
            "Optional: the last day the token works (from today to three years ahead); "
            "without it, the token works until revoked."
        ),
    )


def _members(administration):
    return Membership.objects.filter(administration=administration).select_related("user")


def _own(view: APIView, request, queryset, pk: int):
    """Tenant first: an object of another administration is 404 (for every role, like a missing
    one); one of the request's administration is then 403 for a role without the permission."""
    obj = queryset.filter(administration=administration_for(request)).get(pk=pk)
    view.check_object_permissions(request, obj)
    return obj


def _token_refused(request, message: str):
    """403 ``session_required`` for a request made with an API token, else None. What gives
    lasting access (a key, a member, a role) is granted by a person signed in: a stolen key,
    once revoked as the runbook says, must leave nothing of its own behind."""
    if request_token(request) is None:
        return None
    return error_response(message, "session_required", status.HTTP_403_FORBIDDEN)


class MemberListView(APIView):
    access_rule = ADMINISTRATORS

    @extend_schema(responses=MemberSerializer(many=True), summary="Members of the administration")
    def get(self, request):
        administration = administration_for(request, MANAGE_MEMBERS)
        rows = _members(administration).order_by("user__last_name", "user__email")
        return Response(MemberSerializer(rows, many=True).data)

    @extend_schema(
        request=MemberInviteSerializer,
        responses={201: MemberSerializer},
        summary="Invite someone by e-mail (a new person gets a link to choose a password; "
        "signed-in sessions only)",
    )
    def post(self, request):
        administration = administration_for(request, MANAGE_MEMBERS)
        refused = _token_refused(request, str(MEMBERS_BY_SESSION))
        if refused is not None:
            return refused
        serializer = MemberInviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.member_invite(
            actor=request.user, administration=administration, **serializer.validated_data
        )
        membership = _members(administration).get(pk=membership.pk)
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)


class MemberDetailView(APIView):
    access_rule = ADMINISTRATORS_TENANT_FIRST

    @extend_schema(responses=MemberSerializer, summary="One member")
    def get(self, request, pk: int):
        membership = _own(self, request, Membership.objects.select_related("user"), pk)
        return Response(MemberSerializer(membership).data)

    @extend_schema(
        request=MemberChangeSerializer,
        responses={
            200: MemberSerializer,
            204: OpenApiResponse(description="A waiting invitation was withdrawn: nothing remains"),
        },
        summary="Change a member's role or team, deactivate or reactivate them (signed-in "
        "sessions only); deactivating a waiting invitation withdraws it",
    )
    def patch(self, request, pk: int):
        refused = _token_refused(request, str(MEMBERS_BY_SESSION))
        if refused is not None:
            return refused
        membership = _own(self, request, Membership.objects.all(), pk)
        administration = membership.administration
        serializer = MemberChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "role" in data or "team" in data:
            membership = services.membership_change_role(
                membership=membership,
                role=data.get("role", membership.role),
                team=data.get("team"),
                actor=request.user,
            )
        if "is_active" in data:
            membership = services.membership_set_active(
                membership=membership, active=data["is_active"], actor=request.user
            )
        changed = _members(administration).filter(pk=pk).first()
        if changed is None:  # a waiting invitation, withdrawn (it was a 500)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(MemberSerializer(changed).data)


class EnrolmentListView(APIView):
    access_rule = ADMINISTRATORS

    @extend_schema(
        parameters=[EnrolmentQuerySerializer],
        responses=EnrolmentSerializer(many=True),
        summary="Volunteer enrolments of the administration",
    )
    def get(self, request):
        administration = administration_for(request, MANAGE_MEMBERS)
        query = EnrolmentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = Enrolment.objects.filter(administration=administration).select_related(
            "user", "consent"
        )
        if query.validated_data.get("status"):
            rows = rows.filter(status=query.validated_data["status"])
        return Response(EnrolmentSerializer(rows.order_by("-requested_at"), many=True).data)


class EnrolmentDecisionView(APIView):
    access_rule = ADMINISTRATORS_TENANT_FIRST

    @extend_schema(
        request=DecisionSerializer,
        responses=EnrolmentSerializer,
        summary="Approve or refuse a volunteer's request",
    )
    def post(self, request, pk: int):
        enrolment = _own(self, request, Enrolment.objects.all(), pk)
        serializer = DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.enrolment_decide(
            actor=request.user,
            enrolment=enrolment,
            approve=serializer.validated_data["approve"],
            message=serializer.validated_data["message"],
        )
        enrolment = Enrolment.objects.select_related("user", "consent").get(pk=pk)
        return Response(EnrolmentSerializer(enrolment).data)


class TokenListView(APIView):
    access_rule = ADMINISTRATORS

    @extend_schema(responses=TokenSerializer(many=True), summary="API tokens of the administration")
    def get(self, request):
        administration = administration_for(request, MANAGE_MEMBERS)
        return Response(TokenSerializer(tokens.api_tokens_of(administration), many=True).data)

    @extend_schema(
        request=TokenCreateSerializer,
        responses={201: TokenCreatedSerializer},
        summary="Create a token (its key is in this response only; signed-in sessions only)",
    )
    def post(self, request):
        administration = administration_for(request, MANAGE_MEMBERS)
        # A key must not mint keys: a stolen one would leave behind tokens that outlive its
        # revocation, the one remedy the runbook gives. People create tokens, signed in.
        refused = _token_refused(
            request, str(_("API tokens are created from a signed-in session, not with a token."))
        )
        if refused is not None:
            return refused
        serializer = TokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = tokens.api_token_create(
            actor=request.user, administration=administration, **serializer.validated_data
        )
        data = TokenSerializer(token).data
        data["key"] = key
        return Response(data, status=status.HTTP_201_CREATED)


class TokenRevokeView(APIView):
    access_rule = ADMINISTRATORS_TENANT_FIRST

    @extend_schema(request=None, responses=TokenSerializer, summary="Revoke a token at once")
    def post(self, request, pk: int):
        token = _own(self, request, ApiToken.objects.select_related("administration"), pk)
        token = tokens.api_token_revoke(actor=request.user, token=token)
        return Response(TokenSerializer(token).data)
