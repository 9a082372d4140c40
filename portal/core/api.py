"""API plumbing shared by every app: pagination, JSON errors, the router."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class StandardPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


def exception_handler(exc: Exception, context: dict) -> Response:
    """DRF's handler, plus: Django ValidationError → 400 with field errors, Django
    PermissionDenied → 403 with the action's own message (DRF's default drops it), anything
    else → a JSON 500 (never an HTML page). Views let the actions' exceptions through."""
    if isinstance(exc, PermissionDenied) and str(exc):
        exc = exceptions.PermissionDenied(str(exc))
    if isinstance(exc, ValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    response = drf_exception_handler(exc, context)
    if response is not None:
        if isinstance(response.data, list):
            # A bare list of messages (a serializer given a non-object, a top-level
            # ValidationError([...])) keeps the one error shape: {"detail": [...]}.
            response.data = {"detail": response.data}
        return response
    logger.exception("Unhandled API error", exc_info=exc)
    return Response(
        {"detail": _("Internal server error.")}, status=status.HTTP_500_INTERNAL_SERVER_ERROR
    )


def json_error(status_code: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status_code)


__all__ = [
    "Http404",
    "PermissionDenied",
    "StandardPagination",
    "exception_handler",
    "json_error",
]


def public_endpoints_only(endpoints: list) -> list:
    """drf-spectacular hook: document /api/v1/ only (not Wagtail's internal admin API)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": True,
}
#: A 400 is either {"detail": …} or {field: [messages]} (also {"non_field_errors": […]}).
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": {
        "oneOf": [
            {"type": "string"},
            {"type": "array", "items": {}},
            {"type": "object"},
        ]
    },
}
_ERRORS = {
    "400": ("Invalid input: a field-by-field description of what is wrong.", "ValidationError"),
    "401": ("Not signed in, or an unknown token.", "Error"),
    "403": ("Signed in, but not allowed to do this.", "Error"),
    "404": ("No such object, or not one the caller may see.", "Error"),
    "413": ("Request body over the route's limit.", "Error"),
    "429": ("Too many failed sign-ins from this address.", "Error"),
}


def document_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular hook: declare the errors every operation can really give (ADR 0802) —
    401/403/429 everywhere (authentication, permission, sign-in throttling), 404 where a path
    names an object or a page, 400 where query parameters are read and on every write, 413 where
    a body is sent —
    each with its JSON shape, unless the operation declared its own."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    components.setdefault("ValidationError", VALIDATION_ERROR_SCHEMA)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            wanted = ["401", "403", "429"]
            params = operation.get("parameters", [])
            if "{" in path or any(p.get("name") == "page" for p in params):
                wanted.append("404")  # an object, or a page past the last one
            writes = method in {"post", "put", "patch"}
            if (
                writes
                or operation.get("requestBody")
                or any(p.get("in") == "query" for p in params)
            ):
                wanted.append("400")  # writes check what they are given, even without a body
            if writes:
                wanted.append("413")
            responses = operation.setdefault("responses", {})
            for code in wanted:
                description, schema = _ERRORS[code]
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                # An error an operation declares by its description alone gets its JSON shape.
                if code in _ERRORS and "content" not in response:
                    response["content"] = {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{_ERRORS[code][1]}"}
                        }
                    }
    return result
