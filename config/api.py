"""API conventions shared by every app: one error shape, tenant misses as 404."""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.views.defaults import page_not_found, server_error
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

logger = logging.getLogger("guichet.api")

# How long a caller should wait before sending again a request the database could not serve.
DATABASE_RETRY_AFTER_SECONDS = 30


def exception_handler(exc, context):
    """Errors as {"detail": ..., "code": ..., "fields": {field: [messages]}}."""
    if isinstance(exc, OperationalError | InterfaceError):
        # The database is out of reach, or refused for a moment (restart, failover, too many
        # connections): 503 with Retry-After in the error shape, which channels retry (intake is
        # idempotent), instead of Django's HTML 500. Logged in full, answered without detail.
        logger.error("Database unavailable: %s", type(exc).__name__, exc_info=exc)
        set_rollback()
        return Response(
            {
                "detail": "Service temporarily unavailable: send the request again later.",
                "code": "service_unavailable",
                "fields": {},
            },
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
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


def server_error_response(request):
    """handler500: under /api/, an unexpected error answers in the error shape too (JSON)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "Server error.", "code": "server_error", "fields": {}}, status=500
        )
    return server_error(request)


def not_found(request, exception=None):
    """handler404: under /api/, even a URL that matches no route answers in the error shape."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "code": "not_found", "fields": {}}, status=404)
    return page_not_found(request, exception)
