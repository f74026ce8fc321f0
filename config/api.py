"""API conventions shared by every app: one error shape, tenant misses as 404."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


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
