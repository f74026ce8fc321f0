"""Intake endpoints: one per channel, each accepting that channel's natural payload.

``POST /api/v1/intake/<channel>/`` with a token of scope ``intake`` (or ``full``) and an
``Idempotency-Key`` header. The administration is the token's, never a field of the payload.
201 with the case reference; the same delivery again answers 200 with the same body; the same
key with another payload answers 422.

Attachments: ``attachments: [{"filename", "content_base64"}]`` in a JSON body, or a multipart
body with the payload as JSON in a ``payload`` part and files in ``attachments`` parts.
"""

from __future__ import annotations

import base64
import binascii
import json

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
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import (
    TokenAuthentication,
    TokenScope,
    request_administration,
    request_token,
)
from config.api import error_response

from .. import intake
from ..models import Channel

# --- payloads --------------------------------------------------------------------------------


class AttachmentSerializer(serializers.Serializer):
    filename = serializers.CharField(max_length=255)
    content_base64 = serializers.CharField(
        allow_blank=True,
        help_text=_("The file's bytes in base64. PDF, PNG or JPEG, checked by content."),
    )

    def validate_content_base64(self, value: str) -> bytes:
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise serializers.ValidationError(_("This is not valid base64.")) from exc


class PersonSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)


class UsagerWithEmailSerializer(PersonSerializer):
    email = serializers.EmailField()
    postal_code = serializers.RegexField(
        r"^\d{5}$", required=False, allow_blank=True, help_text=_("Five digits.")
    )


class StructureSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200)
    site = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=_("Agency, office, desk.")
    )
    siret = serializers.RegexField(r"^\d{14}$", required=False, allow_blank=True)


class _WithAttachments(serializers.Serializer):
    attachments = AttachmentSerializer(many=True, required=False)


class ServicesPublicsPlusExperienceSerializer(_WithAttachments):
    """An experience told by a usager on Services Publics+."""

    id = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text=_("The experience's id.")
    )
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(max_length=50_000)
    structure = StructureSerializer(help_text=_("The public body concerned."))
    author = PersonSerializer()
    experience_date = serializers.DateField(required=False, allow_null=True)
    published_at = serializers.DateTimeField(required=False, allow_null=True)
    feeling = serializers.ChoiceField(
        choices=["positive", "neutral", "negative"], required=False, allow_blank=True
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=60), max_length=20, required=False
    )
    url = serializers.URLField(required=False, allow_blank=True)


class FicheSerializer(serializers.Serializer):
    reference = serializers.RegexField(
        r"^[FNR]\d{1,6}$", help_text=_("service-public.fr fiche, e.g. F1234.")
    )
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    url = serializers.URLField(required=False, allow_blank=True)


class ServicePublicQuestionSerializer(_WithAttachments):
    """A question asked from a service-public.fr fiche."""

    id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    subject = serializers.CharField(max_length=300)
    question = serializers.CharField(max_length=50_000)
    usager = UsagerWithEmailSerializer()
    fiche = FicheSerializer(required=False)
    theme = serializers.CharField(max_length=60, required=False, allow_blank=True)
    submitted_at = serializers.DateTimeField(required=False, allow_null=True)


class SiteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    name = serializers.CharField(max_length=200)


class ConseillerSerializer(PersonSerializer):
    last_name = serializers.CharField(max_length=100)


class DemarcheSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=250)
    organisme = serializers.CharField(
        max_length=120, required=False, allow_blank=True, help_text=_("Partner body: CAF, CPAM…")
    )
    category = serializers.CharField(max_length=60, required=False, allow_blank=True)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)


class FranceServicesRecordSerializer(_WithAttachments):
    """An accompaniment recorded by a France Services adviser."""

    id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    site = SiteSerializer()
    conseiller = ConseillerSerializer()
    usager = PersonSerializer()
    demarche = DemarcheSerializer()
    notes = serializers.CharField(max_length=50_000)
    urgent = serializers.BooleanField(default=False)
    consent = serializers.BooleanField(
        help_text=_("The usager agreed to the transmission of their request.")
    )
    accompanied_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate_consent(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                _("The usager's consent is required to transmit the request.")
            )
        return value

    def validate_usager(self, value: dict) -> dict:
        if not (value.get("last_name") or value.get("email") or value.get("phone")):
            raise serializers.ValidationError(_("Give at least a last name, an e-mail or a phone."))
        return value


class MultipartSerializer(serializers.Serializer):
    payload = serializers.CharField(
        help_text=_("The channel's JSON payload, without attachments, as a string.")
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, help_text=_("PDF, PNG or JPEG files.")
    )


class IntakeResultSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text=_("The case's reference, e.g. CAF69-2026-000123."))
    channel = serializers.CharField()
    idempotency_key = serializers.CharField()
    external_id = serializers.CharField()
    received_at = serializers.DateTimeField()
    attachments = serializers.IntegerField(help_text=_("Attachments stored."))


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


# --- views -----------------------------------------------------------------------------------


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
    permission_classes = [IsAuthenticated, TokenScope]
    required_scope = "intake"
    parser_classes = [JSONParser, MultiPartParser]
    serializer_class: type[serializers.Serializer]
    channel: str

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
            intake.AttachmentData(name=a["filename"], content=a["content_base64"])
            for a in data.pop("attachments", [])
        ]
        data.pop("attachments", None)
        raw_payload = {k: v for k, v in raw.items() if k != "attachments"}
        try:
            result = intake.intake_receive(
                administration=request_administration(request),
                channel=self.channel,
                # Without the header, the channel's own id of what it sent is the key.
                key=request.headers.get("Idempotency-Key")
                or (f"id:{data['id']}" if data.get("id") else ""),
                data=data,
                raw_payload=raw_payload,
                attachments=attachments,
            )
        except intake.IdempotencyConflict:
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
                "reference": delivery.case.reference,
                "channel": delivery.channel,
                "idempotency_key": delivery.key,
                "external_id": delivery.external_id,
                "received_at": delivery.created_at,
                "attachments": delivery.case.attachments.count(),
            }
        ).data
        return Response(body, status=status.HTTP_200_OK if result.replayed else 201)

    def _payload(self, request) -> tuple[dict, list[intake.AttachmentData]]:
        if request.content_type.startswith("multipart/"):
            try:
                raw = json.loads(request.data.get("payload") or "")
            except ValueError as exc:
                raise ValidationError({"payload": [_("Send the payload as JSON.")]}) from exc
            files = request.FILES.getlist("attachments")
            max_bytes = settings.INTAKE_ATTACHMENT_MAX_BYTES
            # One byte more than allowed is enough to refuse a file: never read the rest.
            attachments = [
                intake.AttachmentData(
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
}


def _schema(serializer, summary: str):
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
