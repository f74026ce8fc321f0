"""The channels' payloads as serializers (parse only): what each intake endpoint accepts."""

from __future__ import annotations

import base64
import binascii

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..dates import date_out_of_range


class _InRange:
    """A date or date-time field refusing dates outside ``cases.dates.date_range``."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)  # type: ignore[misc]
        message = date_out_of_range(value)
        if message:
            raise serializers.ValidationError(message, code="date_out_of_range")
        return value


class DateField(_InRange, serializers.DateField):
    pass


class DateTimeField(_InRange, serializers.DateTimeField):
    pass


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
    experience_date = DateField(required=False, allow_null=True)
    published_at = DateTimeField(required=False, allow_null=True)
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
    submitted_at = DateTimeField(required=False, allow_null=True)


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
    accompanied_at = DateTimeField(required=False, allow_null=True)

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
