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
