"""One error format for every API answer that is not a success.

    {"error": {"code": "not_found", "message": "…", "fields": {"summary": ["…"]}}}

``code`` is stable and meant for programs; ``message`` is for people; ``fields`` names the
input that was wrong (dotted paths for nested input), and is empty otherwise.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from security.errors import DomainError

INVALID_MESSAGE = "Some of what was sent is not valid: see fields."


class Conflict(exceptions.APIException):
    """Someone else changed the row since the caller read it (a stale ``version``)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Someone else changed this since you read it. Fetch it again and retry."


class Unprocessable(exceptions.APIException):
    """A service refused the change for a reason of the domain (a retired tag, a closed case…)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused"
    default_detail = "The change was refused."


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def error_response(status_code: int, code: str, message: str) -> JsonResponse:
    """For answers made outside DRF (middleware, the 404 and 500 handlers) under /api/."""
    return JsonResponse(error_body(code, message), status=status_code)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """{"tags": {0: ["…"]}} -> {"tags.0": ["…"]}: one level, whatever the nesting."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, value in enumerate(detail):
            if value:
                flat.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    items = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(item) for item in items]}


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, Http404):
        return exceptions.NotFound("Not found here.")
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, DomainError):
        return Unprocessable(str(exc))
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler (status and headers such as Retry-After), with our body."""
    response = drf_exception_handler(_as_api_exception(exc), context)
    if response is None:
        return None  # a real crash: Django answers 500 (see mpoffice.views.server_error)
    exc = _as_api_exception(exc)
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        loose = fields.pop("non_field_errors", [])
        message = " ".join(loose) if loose else INVALID_MESSAGE
        response.data = error_body("invalid", message, fields)
        return response
    detail = getattr(exc, "detail", "")
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    response.data = error_body(code if isinstance(code, str) else "error", str(detail))
    return response


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, for programs: invalid, not_found, conflict, throttled…")
    message = serializers.CharField(help_text="For people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Input field (dotted path) -> what is wrong with it.",
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer (for the schema)."""

    error = ErrorDetailSerializer()
