"""The backend interface every engine implements, and the result types."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ..documents import SearchDocument
from ..query import ParsedQuery

SORTS = ("relevance", "date")
FACET_SAMPLE = 500
FACETS = ("kind", "tag", "category", "product")
# The deepest result any engine serves: Elasticsearch's default `index.max_result_window`
# (from + size). Every engine stops there, so pages are the same whatever the engine
# (docs/decisions/0412); the UI and the API offer no page beyond it and say so.
MAX_RESULT_WINDOW = 10_000


@dataclass
class Hit:
    kind: str
    object_id: str
    title: str
    url: str
    score: float = 0.0
    created_at: datetime | None = None
    body: str = ""
    title_highlight: str = ""
    highlight: str = ""


@dataclass
class SearchResults:
    count: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    page: int = 1
    per_page: int = 20
    suggestions: list[tuple[str, int]] = field(default_factory=list)
    # Tag/category/product counts come from the best N matches when there are more than N
    # (0: exact, over every match). Kind counts and `count` are always exact.
    facets_sample: int = 0
    # False when `count` (and the kind counts) are an estimate: a PostgreSQL match too broad
    # to count cheaply (ADR 0422).
    count_exact: bool = True

    @property
    def num_pages(self) -> int:
        """Pages that can be browsed (at most MAX_RESULT_WINDOW results deep)."""
        return max(1, min(-(-self.count // self.per_page), max_page(self.per_page)))

    @property
    def browsable(self) -> int:
        return self.num_pages * self.per_page

    @property
    def truncated(self) -> bool:
        """More results match than can be browsed: the reader should narrow the query."""
        return self.count > self.browsable


def max_page(per_page: int) -> int:
    """The last page whose results lie inside MAX_RESULT_WINDOW."""
    return max(1, MAX_RESULT_WINDOW // max(1, per_page))


def document_checksum(document: SearchDocument) -> str:
    payload = json.dumps(
        [
            document.kind, document.object_id, document.title, document.body, document.url,
            sorted(document.keys), document.tags, document.category, document.owner,
            document.products,
            document.created_at.isoformat() if document.created_at else None,
            document.updated_at.isoformat() if document.updated_at else None, document.language,
            document.kind_names,
        ],
        ensure_ascii=False,
    )  # fmt: skip
    return hashlib.sha1(payload.encode(), usedforsecurity=False).hexdigest()


class SearchBackend:
    """One search engine. `keys` is the reader's visibility keys, or None for an administrator
    (no filter). Every method that answers a reader filters inside the engine's query."""

    name = "base"

    def index(self, documents: Iterable[SearchDocument]) -> int:
        raise NotImplementedError

    def remove(self, refs: Iterable[tuple[str, str]]) -> int:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def search(
        self,
        parsed: ParsedQuery,
        *,
        keys: frozenset[str] | None,
        page: int = 1,
        per_page: int = 20,
        sort: str = "relevance",
        facets: bool = True,
    ) -> SearchResults:
        """A page of results (from 1); a reader with no keys, or an empty query, finds nothing
        without asking the engine."""
        page = max(1, page)
        if keys is not None and not keys or parsed.is_empty:
            return SearchResults(count=0, hits=[], facets={}, page=page, per_page=per_page)
        return self._search(
            parsed, keys=keys, page=page, per_page=per_page, sort=sort, facets=facets
        )

    def _search(
        self,
        parsed: ParsedQuery,
        *,
        keys: frozenset[str] | None,
        page: int,
        per_page: int,
        sort: str,
        facets: bool,
    ) -> SearchResults:
        """The engine's own search, for a query with something to find and a reader with keys."""
        raise NotImplementedError

    def count(self, parsed: ParsedQuery, *, keys: frozenset[str] | None) -> int:
        if keys is not None and not keys or parsed.is_empty:
            return 0
        return self._count(parsed, keys=keys)

    def _count(self, parsed: ParsedQuery, *, keys: frozenset[str] | None) -> int:
        raise NotImplementedError

    def autocomplete(self, text: str, *, keys: frozenset[str] | None, limit: int = 8) -> list[Hit]:
        raise NotImplementedError

    def indexed_checksums(self, kinds: Iterable[str]) -> dict[tuple[str, str], str]:
        """{(kind, object_id): checksum} of what the index holds, for the consistency check."""
        raise NotImplementedError

    # Rebuilds: begin → index batches → finish swaps in the new index and drops stale entries.
    def begin_rebuild(self) -> object:
        raise NotImplementedError

    def finish_rebuild(self, token: object) -> int:
        raise NotImplementedError

    def similar_terms(self, term: str, limit: int = 3) -> list[str]:
        """Indexed title terms spelled like `term` (for "did you mean"), where the engine can
        list its vocabulary cheaply; engines with fuzzy matching need none."""
        return []

    def structural_problems(self) -> list[str]:
        """Engine-level drift (e.g. full-text rows without entries); empty when healthy."""
        return []

    def repair_structure(self) -> None:
        return None

    # Interest matching: embedded engines answer from the ORM tables (interests.py); an engine
    # with its own stored-query feature (the ES percolator) mirrors the stored queries too.
    def save_interest(self, interest_id: int, parsed: ParsedQuery) -> None:
        return None

    def delete_interest(self, interest_id: int) -> None:
        return None
