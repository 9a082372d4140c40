"""Search as the pages and the API use it: the reader's keys, the query, highlights and
suggestions for an empty result."""

from __future__ import annotations

import dataclasses

from portal.core import visibility
from portal.core.policy import policy_for

from .analysis import normalize, occurs
from .backends import get_backend
from .backends.base import Hit, SearchResults
from .highlight import highlight_title, snippet
from .query import ParsedQuery, parse_query
from .registry import adapters

MAX_PER_PAGE = 50


def reader_keys(user) -> frozenset[str] | None:
    """The keys filtered on for this reader; None for an administrator (sees everything)."""
    if visibility.is_administrator(user):
        return None
    return visibility.user_keys(user)


def readable_kinds(user) -> frozenset[str] | None:
    """Kinds whose module the reader may open, asked of each kind's access policy (the keys
    alone would let a customer shared with a department reach a new hire without customer
    access); None when every kind is open to them."""
    allowed, every = set(), set()
    for adapter in adapters():
        every.update(adapter.kinds)
        if all(_module_allows(user, model) for model in adapter.models):
            allowed.update(adapter.kinds)
    return None if allowed == every else frozenset(allowed)


def _module_allows(user, model) -> bool:
    try:
        return policy_for(model).module_allows(user)
    except LookupError:
        return True  # a kind with no policy is guarded by its keys alone


def gated(parsed: ParsedQuery, allowed: frozenset[str] | None) -> ParsedQuery | None:
    """The query narrowed to the readable kinds; None when it can find nothing readable. A
    kind the query would rank first (its name typed: 商机 → deals) but the reader cannot find is
    no longer ranked: boosting it only made PostgreSQL read that kind's matches, all filtered
    out (175 ms of 商机's 340 at 1M documents, ADR 0432)."""
    if parsed.is_empty:
        return parsed
    if allowed is None:
        kinds = parsed.kinds
    else:
        kinds = [kind for kind in parsed.kinds if kind in allowed] if parsed.kinds else allowed
        if not kinds:
            return None
    if not kinds:
        return parsed
    boost = [kind for kind in parsed.boost_kinds if kind in kinds]
    return dataclasses.replace(parsed, kinds=sorted(kinds), boost_kinds=boost)


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
    allowed = readable_kinds(user)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    query = gated(parsed, allowed)
    if query is None:
        return parsed, SearchResults(count=0, hits=[], page=page, per_page=per_page)
    results = get_backend().search(query, keys=keys, page=page, per_page=per_page, sort=sort)
    for hit in results.hits:
        decorate(hit, parsed)
    if not results.count and not parsed.is_empty:
        results.suggestions = suggestions(parsed, keys, allowed)
    return parsed, results


def decorate(hit: Hit, parsed: ParsedQuery) -> None:
    terms = parsed.highlight_terms
    if parsed.highlight_groups:
        text = normalize(f"{hit.title} {hit.body}")
        terms = terms + [
            term
            for group in parsed.highlight_groups
            if all(occurs(text, term) for term in group)
            for term in group
        ]
    hit.title_highlight = highlight_title(hit.title, terms, parsed.phrases)
    hit.highlight = snippet(hit.body, terms, parsed.phrases)


def suggestions(
    parsed: ParsedQuery, keys: frozenset[str] | None, allowed: frozenset[str] | None = None
) -> list[tuple[str, int]]:
    """Broader queries that do find something (counted with the reader's keys and readable
    kinds, so a suggestion never reveals what they may not open): without filters, each word
    alone."""
    backend = _GatedCounts(get_backend(), allowed)
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


class _GatedCounts:
    """The backend's counts over readable kinds only (for suggestions)."""

    def __init__(self, backend, allowed: frozenset[str] | None) -> None:
        self.backend, self.allowed = backend, allowed

    def count(self, parsed: ParsedQuery, *, keys) -> int:
        query = gated(parsed, self.allowed)
        return self.backend.count(query, keys=keys) if query is not None else 0

    def similar_terms(self, term: str):
        return self.backend.similar_terms(term)


def autocomplete(user, text: str, limit: int = 8) -> list[Hit]:
    """Titles completing the text; one line per title (a topic's replies share its title)."""
    hits = get_backend().autocomplete(text, keys=reader_keys(user), limit=limit * 3)
    allowed = readable_kinds(user)
    unique: dict[str, Hit] = {}
    for hit in hits:
        if allowed is None or hit.kind in allowed:
            unique.setdefault(hit.title, hit)
    return list(unique.values())[:limit]
