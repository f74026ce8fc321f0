"""The API's JSON parser: bounded in size and nesting, errors in the API's shape (config.api)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers, renderers, status
from rest_framework.exceptions import APIException, ParseError


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request is too large.")
    default_code = "too_large"


def _depth_exceeds(value, limit: int) -> bool:
    """Whether ``value`` nests deeper than ``limit`` (walked without recursion)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[object]
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


class JSONParser(parsers.BaseParser):
    """DRF's JSON parser with two bounds, both answered in the API's error shape.

    - size: ``API_JSON_MAX_BYTES`` (a view may raise it with ``max_body_bytes``, as intake does
      for attachments in base64): 413 ``too_large``, read no further than one byte past it;
    - nesting: ``API_JSON_MAX_DEPTH`` levels of objects and arrays: 400 ``parse_error``.

    Not a subclass of DRF's JSONParser on purpose: DRF reads ``request.body`` for those, bound
    by ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB, an HTML 400), below the intake's 5 MB files.
    """

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer

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
