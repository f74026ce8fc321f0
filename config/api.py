"""API conventions shared by every app: one error shape, tenant misses as 404."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.defaults import page_not_found
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request is too large.")
    default_code = "too_large"


def _depth_exceeds(value, limit: int) -> bool:
    """Whether ``value`` nests deeper than ``limit`` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with two bounds, both answered in the API's error shape.

    - size: ``API_JSON_MAX_BYTES`` (a view may raise it with ``max_body_bytes``, as intake does
      for attachments in base64): 413 ``too_large``, read no further than one byte past it;
    - nesting: ``API_JSON_MAX_DEPTH`` levels of objects and arrays: 400 ``parse_error``.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        view = parser_context.get("view")
        limit = getattr(view, "max_body_bytes", None) or settings.API_JSON_MAX_BYTES
        request = parser_context.get("request")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            length = 0
        if length > limit:
            raise RequestTooLarge(
                _("The request is too large (%(max)s bytes at most).") % {"max": limit}
            )
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(
                _("The request is too large (%(max)s bytes at most).") % {"max": limit}
            )
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError:
            raise ParseError(_("JSON nested too deeply.")) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        if _depth_exceeds(data, settings.API_JSON_MAX_DEPTH):
            raise ParseError(
                _("JSON nested too deeply (%(max)s levels at most).")
                % {"max": settings.API_JSON_MAX_DEPTH}
            )
        return data


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON (DRF's strict mode refuses them too).
    raise ValueError(f"{name} is not valid JSON")


def exception_handler(exc, context):
    """Errors as {"detail": ..., "code": ..., "fields": {field: [messages]}}."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, ValidationError):
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {
            "detail": "Invalid input.",
            "code": "invalid",
            "fields": {
                k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in fields.items()
            },
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(data, dict) and "detail" in data:
        detail = data["detail"]
        response.data = {
            "detail": str(detail),
            "code": getattr(detail, "code", "error"),
            "fields": {},
        }
    return response


def not_found(request, exception=None):
    """handler404: under /api/, even a URL that matches no route answers in the error shape."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found", "fields": {}}, status=404)
    return page_not_found(request, exception)
