"""Search API: GET /api/v1/search/?q=&type=&page=&sort= and /api/v1/search/autocomplete/?q=."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import service
from .backends.base import SORTS, max_page

DEFAULT_PAGE_SIZE = 20


def _int(request, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [_("Enter a whole number.")]}) from None
    if not 1 <= value <= maximum:
        raise ValidationError(
            {name: [_("Must be between 1 and %(maximum)s.") % {"maximum": maximum}]}
        )
    return value


def _page_url(request, page: int) -> str:
    params = request.query_params.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(request.path + "?" + params.urlencode())


class SearchView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Query in the search language"),
            OpenApiParameter("type", OpenApiTypes.STR, description="Only this kind"),
            OpenApiParameter("sort", OpenApiTypes.STR, enum=list(SORTS)),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        text = request.query_params.get("q", "")
        if len(text) > 500:
            raise ValidationError({"q": [_("The query is too long (500 characters at most).")]})
        sort = request.query_params.get("sort") or "relevance"
        if sort not in SORTS:
            raise ValidationError({"sort": [_("Choose relevance or date.")]})
        page_size = _int(request, "page_size", DEFAULT_PAGE_SIZE, service.MAX_PER_PAGE)
        page = _int(request, "page", 1, 10**9)
        if page > max_page(page_size):
            raise ValidationError(
                {"page": [_("Only the first %(count)s results can be browsed (page %(page)s at "
                            "most): add words or filters to narrow the search.")
                          % {"count": max_page(page_size) * page_size,
                             "page": max_page(page_size)}]}
            )  # fmt: skip
        kind = request.query_params.get("type") or None
        _parsed, results = service.search(
            request.user, text, page=page, per_page=page_size, sort=sort,
            kinds=[kind] if kind else None,
        )  # fmt: skip
        return Response(
            {
                "count": results.count,
                "next": _page_url(request, page + 1) if page < results.num_pages else None,
                "previous": _page_url(request, page - 1) if page > 1 else None,
                "results": [
                    {
                        "type": hit.kind, "id": hit.object_id, "title": hit.title,
                        "url": hit.url, "highlight": str(hit.highlight),
                        "title_highlight": str(hit.title_highlight),
                        "created_at": hit.created_at.isoformat() if hit.created_at else None,
                    }
                    for hit in results.hits
                ],
                "facets": {
                    ("type" if name == "kind" else name): [
                        {"value": value, "count": count} for value, count in values
                    ]
                    for name, values in results.facets.items()
                },
                "facets_sample": results.facets_sample,
                # False when `count` is an estimate (a PostgreSQL match too broad to count).
                "count_exact": results.count_exact,
                "suggestions": [{"query": q, "count": n} for q, n in results.suggestions],
            }
        )  # fmt: skip


class AutocompleteView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        text = request.query_params.get("q", "")[:200]
        hits = service.autocomplete(request.user, text) if text.strip() else []
        return Response(
            {
                "results": [
                    {"type": h.kind, "id": h.object_id, "title": h.title, "url": h.url}
                    for h in hits
                ]
            }  # fmt: skip
        )


def register(router) -> None:
    """Search is not a model collection; its routes are plain views (urlpatterns below)."""


urlpatterns = [
    path("search/", SearchView.as_view(), name="api-search"),
    path("search/autocomplete/", AutocompleteView.as_view(), name="api-search-autocomplete"),
]
