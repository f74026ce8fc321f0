"""Pieces every API module shares: the error shape in the schema, safe text and ids.

"May this request do X in its administration" is the access door's question
(``accounts.access``), not this module's."""

from __future__ import annotations

from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.response import Response

# PostgreSQL integers; a larger id can match nothing and must not reach the database.
MAX_ID = 2**31 - 1


def _no_surrogates(value: str) -> None:
    # A lone surrogate cannot be stored as UTF-8: refuse it as bad input, not a 500.
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise serializers.ValidationError(_("Invalid characters."), code="invalid")


class TextField(serializers.CharField):
    """A CharField that refuses what PostgreSQL cannot store (NUL bytes, lone surrogates)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if not any(isinstance(v, ProhibitNullCharactersValidator) for v in self.validators):
            self.validators.append(ProhibitNullCharactersValidator())
        self.validators.append(_no_surrogates)


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API (``error_response``; config/api.py's exception handler)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


def error_response(message: str, code: str, http_status: int) -> Response:
    """An error answered by a view itself, in the one error shape of the API."""
    return Response({"detail": message, "code": code, "fields": {}}, status=http_status)
