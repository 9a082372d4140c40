"""Search pages: results with facets and highlights, and title autocomplete."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.http import urlencode

from . import service
from .backends.base import max_page
from .forms import SearchForm
from .kinds import kind_label

PER_PAGE = 20


@login_required
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    context: dict = {"form": form, "query": request.GET.get("q", "").strip()}
    if form.is_valid() and (form.cleaned_data.get("q") or "").strip():
        options = form.options()
        # No page past the deepest result every engine serves (docs/decisions/0412).
        options["page"] = min(options["page"], max_page(PER_PAGE))
        parsed, results = service.search(request.user, per_page=PER_PAGE, **options)
        kind = form.cleaned_data.get("type") or ""
        context.update(
            results=results, parsed=parsed, sort=options["sort"],
            about_count="" if results.count_exact else about(results.count),
            kind=kind, kind_label=kind_label(kind) if kind else "",
            all_kinds_url=_url(options["text"], "", options["sort"]),
            sort_urls={s: _url(options["text"], kind, s) for s in ("relevance", "date")},
            kind_facets=[
                (kind_label(k), n, _url(options["text"], k, options["sort"]), k)
                for k, n in results.facets.get("kind", [])
            ],
            value_facets=[
                (name, [(value, n, _url(_with_filter(options["text"], name, value), kind,
                                        options["sort"])) for value, n in results.facets[name]])
                for name in ("tag", "category", "product") if results.facets.get(name)
            ],
            hits=[(hit, kind_label(hit.kind)) for hit in results.hits],
            page_urls=_page_urls(options, kind, results),
            suggestion_urls=[(q, n, _url(q, "", "relevance")) for q, n in results.suggestions],
        )  # fmt: skip
    return render(request, "search/search.html", context)


@login_required
def autocomplete(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")[:200]
    hits = service.autocomplete(request.user, text) if text.strip() else []
    if request.headers.get("HX-Request"):
        return render(request, "search/includes/autocomplete.html", {"hits": hits})
    return JsonResponse(
        {
            "results": [
                {"type": h.kind, "id": h.object_id, "title": h.title, "url": h.url} for h in hits
            ]
        }  # fmt: skip
    )


def about(count: int) -> str:
    """An estimated count as people say it: two significant digits, grouped (12,000)."""
    digits = max(0, len(str(count)) - 2)
    return number_format(round(count, -digits), force_grouping=True)


def _url(text: str, kind: str, sort: str, page: int = 1) -> str:
    params = {"q": text}
    if kind:
        params["type"] = kind
    if sort != "relevance":
        params["sort"] = sort
    if page > 1:
        params["page"] = page
    return "?" + urlencode(params)


def _with_filter(text: str, name: str, value: str) -> str:
    value = value.replace('"', "")
    token = f'{name}:"{value}"' if " " in value else f"{name}:{value}"
    return text if token in text else f"{text} {token}".strip()


def _page_urls(options: dict, kind: str, results) -> dict:
    page = results.page
    return {
        "previous": _url(options["text"], kind, options["sort"], page - 1) if page > 1 else "",
        "next": _url(options["text"], kind, options["sort"], page + 1)
        if page < results.num_pages
        else "",
    }
