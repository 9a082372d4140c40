"""Search as the pages and the API use it: the reader's keys, the query, highlights and
suggestions for an empty result."""

from __future__ import annotations

from portal.core import visibility

from .backends import get_backend
from .backends.base import Hit, SearchResults
from .highlight import highlight_title, snippet
from .query import ParsedQuery, parse_query

MAX_PER_PAGE = 50


def reader_keys(user) -> frozenset[str] | None:
    """The keys filtered on for this reader; None for an administrator (sees everything)."""
    if visibility.is_administrator(user):
        return None
    return visibility.user_keys(user)


def search(
    user,
    text: str,
    *,
    page: int = 1,
    per_page: int = 20,
    sort: str = "relevance",
    kinds: list[str] | None = None,
) -> tuple[ParsedQuery, SearchResults]:
    parsed = parse_query(text)
    if kinds:
        parsed.kinds = [kind for kind in parsed.kinds if kind in kinds] if parsed.kinds else kinds
    keys = reader_keys(user)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    results = get_backend().search(parsed, keys=keys, page=page, per_page=per_page, sort=sort)
    for hit in results.hits:
        decorate(hit, parsed)
    if not results.count and not parsed.is_empty:
        results.suggestions = suggestions(parsed, keys)
    return parsed, results


def decorate(hit: Hit, parsed: ParsedQuery) -> None:
    hit.title_highlight = highlight_title(hit.title, parsed.highlight_terms, parsed.phrases)
    hit.highlight = snippet(hit.body, parsed.highlight_terms, parsed.phrases)


def suggestions(parsed: ParsedQuery, keys: frozenset[str] | None) -> list[tuple[str, int]]:
    """Broader queries that do find something (counted with the reader's keys, so a
    suggestion never reveals what they may not open): without filters, each word alone."""
    backend = get_backend()
    found: list[tuple[str, int]] = []
    filtered = any(
        (parsed.kinds, parsed.tags, parsed.owners, parsed.categories, parsed.products,
         parsed.date_from, parsed.date_to)
    )  # fmt: skip
    if filtered and parsed.has_text:
        broader = ParsedQuery(
            terms=parsed.terms,
            alternatives=parsed.alternatives,
            phrases=parsed.phrases,
            excluded=parsed.excluded,
            excluded_phrases=parsed.excluded_phrases,
        )
        count = backend.count(broader, keys=keys)
        if count:
            found.append((" ".join(parsed.words), count))
    if len(parsed.words) > 1:
        for word in parsed.words:
            alone = parse_query(word)
            count = backend.count(alone, keys=keys) if not alone.is_empty else 0
            if count:
                found.append((word, count))
    # Spelling: a word that finds nothing alone, replaced by a close indexed term.
    for word in parsed.words:
        alone = parse_query(word)
        if len(alone.terms) != 1 or backend.count(alone, keys=keys):
            continue
        for close in backend.similar_terms(alone.terms[0]):
            text = " ".join(close if w == word else w for w in parsed.words)
            count = backend.count(parse_query(text), keys=keys)
            if count:
                found.append((text, count))
                break
    return found[:6]


def autocomplete(user, text: str, limit: int = 8) -> list[Hit]:
    """Titles completing the text; one line per title (a topic's replies share its title)."""
    hits = get_backend().autocomplete(text, keys=reader_keys(user), limit=limit * 3)
    unique: dict[str, Hit] = {}
    for hit in hits:
        unique.setdefault(hit.title, hit)
    return list(unique.values())[:limit]
