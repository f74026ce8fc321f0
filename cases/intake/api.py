"""Intake endpoints: one per channel, each accepting that channel's natural payload.

``POST /api/v1/intake/<channel>/`` with a token of scope ``intake`` (or ``full``) and an
``Idempotency-Key`` header. The administration is the token's, never a field of the payload.
201 with the case reference; the same delivery again answers 200 with the same body; the same
key with another payload answers 422.

Attachments: ``attachments: [{"filename", "content_base64"}]`` in a JSON body, or a multipart
body with the payload as JSON in a ``payload`` part and files in ``attachments`` parts. With
an antivirus configured (``CLAMAV_URL``), an infected file is a 400 naming it (and journaled);
an antivirus out of reach answers 503 ``scanner_unavailable`` with nothing written.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import AccessRule, DoorPermission, current_administration
from accounts.api.common import error_response
from accounts.api_auth import (
    ThrottleAnonymous,
    TokenAuthentication,
    TokenScope,
    request_token,
)
from accounts.api_parsers import JSONParser

from ..files import ScannerUnavailable
from ..models import Channel
from .attachments import AttachmentData
from .serializers import (
    ErrorSerializer,
    FranceServicesRecordSerializer,
    IntakeResultSerializer,
    MultipartSerializer,
    ServicePublicQuestionSerializer,
    ServicesPublicsPlusExperienceSerializer,
)
from .services import IdempotencyConflict, intake_receive

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def flatten_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors as one level: ``author.email``, ``attachments[1].filename``."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for name, value in errors.items():
            key = f"{prefix}.{name}" if prefix else str(name)
            if isinstance(name, int):
                key = f"{prefix}[{name}]"
            flat.update(flatten_errors(value, key))
    elif isinstance(errors, list) and errors and all(isinstance(e, dict | list) for e in errors):
        for index, value in enumerate(errors):
            if value:
                flat.update(flatten_errors(value, f"{prefix}[{index}]"))
    else:
        items = errors if isinstance(errors, list) else [errors]
        flat[prefix or "non_field_errors"] = [str(e) for e in items]
    return flat


class _IntakeView(APIView):
    # Sessions are recognised only to answer them 403 (not 401): they are not channels.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [ThrottleAnonymous, IsAuthenticated, TokenScope, DoorPermission]
    required_scope = "intake"
    # Channels, not people: a token of scope intake (TokenScope) acts in its administration;
    # a signed-in person is answered 403 token_required by the view itself.
    access_rule = AccessRule(
        "signed_in", reason="channel intake: an API token of scope intake (TokenScope)"
    )
    parser_classes = [JSONParser, MultiPartParser]
    serializer_class: type[serializers.Serializer]
    channel: str

    @property
    def max_body_bytes(self) -> int:
        # accounts.api_parsers.JSONParser: a JSON body carries the attachments in base64.
        return settings.INTAKE_MAX_BODY_BYTES

    def post(self, request):
        if request_token(request) is None:
            # A signed-in person, not a channel: intake is for tokens only.
            return error_response(
                str(_("Intake endpoints take an API token of scope intake.")),
                "token_required",
                status.HTTP_403_FORBIDDEN,
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty
        if length > settings.INTAKE_MAX_BODY_BYTES:
            return error_response(
                str(_("The request is too large (%(max)d MB at most)."))
                % {"max": settings.INTAKE_MAX_BODY_BYTES // (1024 * 1024)},
                "too_large",
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        raw, files = self._payload(request)
        serializer = self.serializer_class(data=raw)
        if not serializer.is_valid():
            raise ValidationError(flatten_errors(serializer.errors))
        data = dict(serializer.validated_data)
        attachments = files or [
            AttachmentData(name=a["filename"], content=a["content_base64"])
            for a in data.pop("attachments", [])
        ]
        data.pop("attachments", None)
        raw_payload = {k: v for k, v in raw.items() if k != "attachments"}
        try:
            result = intake_receive(
                administration=current_administration(request),
                channel=self.channel,
                # Without the header, the channel's own id of what it sent is the key.
                key=request.headers.get("Idempotency-Key")
                or (f"id:{data['id']}" if data.get("id") else ""),
                data=data,
                raw_payload=raw_payload,
                attachments=attachments,
            )
        except ScannerUnavailable:
            # Fail closed: nothing was written; the channel sends the same delivery again.
            response = error_response(
                str(
                    _(
                        "The antivirus cannot check the attachments right now: nothing was "
                        "saved. Send the same delivery again in a few minutes."
                    )
                ),
                "scanner_unavailable",
                status.HTTP_503_SERVICE_UNAVAILABLE,
            )
            response["Retry-After"] = "60"
            return response
        except IdempotencyConflict:
            return error_response(
                str(
                    _(
                        "This Idempotency-Key was already used with a different payload. "
                        "Send a new key for a new delivery."
                    )
                ),
                "idempotency_key_reused",
                status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        delivery = result.delivery
        body = IntakeResultSerializer(
            {
                "reference": result.case.reference,
                "channel": delivery.channel,
                "idempotency_key": delivery.key,
                "external_id": delivery.external_id,
                "received_at": delivery.created_at,
                "attachments": result.case.attachments.count(),
            }
        ).data
        return Response(body, status=status.HTTP_200_OK if result.replayed else 201)

    def _payload(self, request) -> tuple[dict, list[AttachmentData]]:
        if request.content_type.startswith("multipart/"):
            try:
                raw = json.loads(request.data.get("payload") or "")
            except ValueError as exc:
                raise ValidationError({"payload": [_("Send the payload as JSON.")]}) from exc
            files = request.FILES.getlist("attachments")
            max_bytes = settings.INTAKE_ATTACHMENT_MAX_BYTES
            # One byte more than allowed is enough to refuse a file: never read the rest.
            attachments = [
                AttachmentData(
                    name=f.name or "",
                    content=f.read(max_bytes + 1),
                )
                for f in files
            ]
        else:
            raw = request.data
            attachments = []
        if not isinstance(raw, dict):
            raise ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        return raw, attachments


_IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=_(
        "Unique per delivery (1 to 200 characters; without it, the payload's id). A retry "
        "with the same key and payload returns the first answer; the same key with another "
        "payload is refused (422)."
    ),
)

_RESPONSES = {
    201: IntakeResultSerializer,
    200: OpenApiResponse(IntakeResultSerializer, description=_("Replay of an earlier delivery.")),
    400: OpenApiResponse(ErrorSerializer, description=_("Invalid payload, by field.")),
    401: ErrorSerializer,
    403: ErrorSerializer,
    413: ErrorSerializer,
    422: OpenApiResponse(ErrorSerializer, description=_("Idempotency-Key reused.")),
    503: OpenApiResponse(
        ErrorSerializer,
        description=_("The antivirus is out of reach: nothing saved, send again later."),
    ),
}


def _schema(serializer, summary: StrOrPromise):
    return extend_schema(
        summary=summary,
        tags=["intake"],
        request={"application/json": serializer, "multipart/form-data": MultipartSerializer},
        parameters=[_IDEMPOTENCY],
        responses=_RESPONSES,
    )


@_schema(
    ServicesPublicsPlusExperienceSerializer,
    _("Receive a Services Publics+ experience"),
)
class ServicesPublicsPlusIntake(_IntakeView):
    serializer_class = ServicesPublicsPlusExperienceSerializer
    channel = Channel.SERVICES_PUBLICS_PLUS


@_schema(ServicePublicQuestionSerializer, _("Receive a service-public.fr question"))
class ServicePublicQuestionIntake(_IntakeView):
    serializer_class = ServicePublicQuestionSerializer
    channel = Channel.SERVICE_PUBLIC_QUESTION


@_schema(
    FranceServicesRecordSerializer,
    _("Receive a France Services accompaniment record"),
)
class FranceServicesIntake(_IntakeView):
    serializer_class = FranceServicesRecordSerializer
    channel = Channel.FRANCE_SERVICES
