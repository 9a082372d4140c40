"""Elasticsearch 8 engine through elasticsearch-dsl.

One unified index (alias `<prefix>-documents`, docs/decisions/0401) with a `kind` keyword; text
arrives pre-analysed by portal.search.analysis and is indexed with the whitespace analyzer
(docs/decisions/0402), so Elasticsearch, SQLite and PostgreSQL agree on what a word is.
Rebuilds create a new physical index, bulk-load it and swap the alias atomically. Interest
queries are mirrored into a percolator index (`<prefix>-interests`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from elasticsearch_dsl import (
    A,
    Date,
    Document,
    Index,
    Keyword,
    Long,
    MetaField,
    Percolator,
    Q,
    Search,
    Text,
    Wildcard,
    analyzer,
)

from ..analysis import tokenize
from ..documents import SearchDocument
from ..matching import AnalysedDocument
from ..query import ParsedQuery
from .base import FACETS, Hit, SearchBackend, SearchResults, document_checksum

logger = logging.getLogger(__name__)

# Terms are already segmented, folded and stemmed in Python: split on whitespace only.
terms_analyzer = analyzer("agora_terms", tokenizer="whitespace")
# Titles also get ES's own CJK bigrams + English analysis, for fuzzy (typo-tolerant) matching
# of names and for prefix completion.
title_analyzer = analyzer(
    "agora_title", tokenizer="standard", filter=["cjk_width", "lowercase", "cjk_bigram"]
)


class AgoraDocument(Document):
    """The mapping of the unified documents index (explicit; dynamic mapping is off)."""

    kind = Keyword()
    object_id = Keyword()
    title = Text(analyzer=title_analyzer, fields={"raw": Keyword(ignore_above=256)})
    body = Text(index=False)
    url = Keyword(index=False)
    title_terms = Text(analyzer=terms_analyzer)
    body_terms = Text(analyzer=terms_analyzer)
    phrase_text = Wildcard()
    keys = Keyword()
    tags = Keyword()
    tags_norm = Keyword()
    category = Keyword()
    category_norm = Keyword()
    owner_norm = Keyword()
    products = Keyword()
    products_norm = Keyword()
    created_at = Date()
    updated_at = Date()
    language = Keyword()
    checksum = Keyword(index=False)

    class Meta:
        dynamic = MetaField("strict")


class InterestDocument(Document):
    """The percolator index: the same fields as documents, plus the stored query."""

    interest_id = Long()
    query = Percolator()
    kind = Keyword()
    title_terms = Text(analyzer=terms_analyzer)
    body_terms = Text(analyzer=terms_analyzer)
    phrase_text = Wildcard()
    tags_norm = Keyword()
    category_norm = Keyword()
    owner_norm = Keyword()
    products_norm = Keyword()
    created_at = Date()

    class Meta:
        dynamic = MetaField("strict")


INDEX_SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0, "max_result_window": 10000}
FACET_FIELDS = {"kind": "kind", "tag": "tags", "category": "category", "product": "products"}


def document_source(document: SearchDocument, analysed: AnalysedDocument | None = None) -> dict:
    """The _source of one document (what bulk sends)."""
    a = analysed or AnalysedDocument.of(document)
    return {
        "kind": document.kind,
        "object_id": document.object_id,
        "title": document.title,
        "body": document.body,
        "url": document.url,
        "title_terms": " ".join(a.title_terms),
        "body_terms": " ".join(a.body_terms),
        "phrase_text": a.phrase_text,
        "keys": list(document.keys),
        "tags": list(document.tags),
        "tags_norm": sorted(a.tags),
        "category": document.category,
        "category_norm": a.category,
        "owner_norm": a.owner,
        "products": list(document.products),
        "products_norm": sorted(a.products),
        "created_at": document.created_at.isoformat() if document.created_at else None,
        "updated_at": document.updated_at.isoformat() if document.updated_at else None,
        "language": document.language,
        "checksum": document_checksum(document),
    }


def doc_id(kind: str, object_id: str) -> str:
    return f"{kind}:{object_id}"


def _escape_wildcard(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def _term_query(term: str, *, fuzzy: bool) -> Q:
    """One term in title (weighted ×10) or body; English words of 4+ letters tolerate typos."""
    fuzziness = "AUTO" if fuzzy and term.isascii() and term.isalpha() and len(term) >= 4 else 0
    return Q(
        "multi_match", query=term, fields=["title_terms^10", "body_terms"],
        fuzziness=fuzziness, prefix_length=1,
    )  # fmt: skip


def text_query(parsed: ParsedQuery, *, fuzzy: bool = True) -> Q:
    """The query of a parsed search, without visibility: shared by search and percolation."""
    must = [_term_query(term, fuzzy=fuzzy) for term in parsed.terms]
    must += [
        Q("wildcard", phrase_text={"value": f"*{_escape_wildcard(p)}*"}) for p in parsed.phrases
    ]
    filters = []
    if parsed.kinds:
        filters.append(Q("terms", kind=parsed.kinds))
    for field, values in (
        ("tags_norm", parsed.tags), ("products_norm", parsed.products),
        ("category_norm", parsed.categories), ("owner_norm", parsed.owners),
    ):  # fmt: skip
        if values:
            filters.append(Q("terms", **{field: values}))
    if parsed.date_from or parsed.date_to:
        bounds = {}
        if parsed.date_from:
            bounds["gte"] = parsed.date_from.isoformat()
        if parsed.date_to:
            bounds["lt"] = parsed.date_to.isoformat()
        filters.append(Q("range", created_at=bounds))
    must_not = [
        Q("bool", must=[Q("multi_match", query=t, fields=["title_terms", "body_terms"])
                        for t in group])
        for group in parsed.excluded if group
    ]  # fmt: skip
    must_not += [
        Q("wildcard", phrase_text={"value": f"*{_escape_wildcard(p)}*"})
        for p in parsed.excluded_phrases
    ]
    if not must:
        must = [Q("match_all")]
    return Q("bool", must=must, filter=filters, must_not=must_not)


def visibility_filter(keys: frozenset[str] | None) -> Q | None:
    return None if keys is None else Q("terms", keys=sorted(keys))


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, *, url: str, prefix: str = "agora", client=None) -> None:
        self.url = url
        self.prefix = prefix
        self._client = client
        self.refresh_on_write = False
        self._rebuild_target: str | None = None

    # -- plumbing ---------------------------------------------------------------------------
    @property
    def client(self):
        if self._client is None:
            from elasticsearch import Elasticsearch

            self._client = Elasticsearch(self.url, request_timeout=10)
        return self._client

    @property
    def alias(self) -> str:
        return f"{self.prefix}-documents"

    @property
    def interests_index(self) -> str:
        return f"{self.prefix}-interests"

    def documents_index(self, name: str) -> Index:
        index = Index(name)
        index.settings(**INDEX_SETTINGS)
        index.document(AgoraDocument)
        return index

    def interests_index_definition(self) -> Index:
        index = Index(self.interests_index)
        index.settings(number_of_shards=1, number_of_replicas=0)
        index.document(InterestDocument)
        return index

    def new_index_name(self) -> str:
        return f"{self.alias}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"

    def create_indices(self) -> None:
        """Create the first physical index behind the alias, and the percolator index."""
        if not self.client.indices.exists_alias(name=self.alias):
            name = self.new_index_name()
            body = self.documents_index(name).to_dict()
            body["aliases"] = {self.alias: {}}
            self.client.indices.create(index=name, **body)
        if not self.client.indices.exists(index=self.interests_index):
            self.client.indices.create(
                index=self.interests_index, **self.interests_index_definition().to_dict()
            )

    def drop_indices(self) -> None:
        self.client.indices.delete(index=f"{self.alias}-*", ignore_unavailable=True)
        self.client.indices.delete(index=self.interests_index, ignore_unavailable=True)

    def _refresh(self) -> str | bool:
        return "wait_for" if self.refresh_on_write else False

    # -- writing ----------------------------------------------------------------------------
    def bulk_actions(
        self, documents: Iterable[SearchDocument], index: str | None = None
    ) -> Iterator[dict]:
        target = index or self._rebuild_target or self.alias
        for document in documents:
            yield {
                "_op_type": "index",
                "_index": target,
                "_id": doc_id(document.kind, document.object_id),
                "_source": document_source(document),
            }

    def index(self, documents: Iterable[SearchDocument]) -> int:
        from elasticsearch.helpers import bulk

        documents = list(documents)
        if not documents:
            return 0
        success, _errors = bulk(
            self.client, self.bulk_actions(documents), refresh=self._refresh(), chunk_size=500
        )
        return success

    def remove(self, refs: Iterable[tuple[str, str]]) -> int:
        from elasticsearch.helpers import bulk

        actions = [
            {"_op_type": "delete", "_index": self.alias, "_id": doc_id(kind, str(pk))}
            for kind, pk in refs
        ]
        if not actions:
            return 0
        success, _errors = bulk(self.client, actions, refresh=self._refresh(), raise_on_error=False)
        return success

    def clear(self) -> None:
        self.client.delete_by_query(
            index=self.alias, query={"match_all": {}}, refresh=True, conflicts="proceed"
        )

    def begin_rebuild(self) -> object:
        """Zero-downtime rebuild: a new physical index is loaded while the alias still points
        at the old one; finish_rebuild swaps the alias in one atomic request."""
        self.create_indices()
        name = self.new_index_name()
        self.client.indices.create(index=name, **self.documents_index(name).to_dict())
        self._rebuild_target = name
        return name

    def alias_swap_actions(self, new_index: str, old_indices: list[str]) -> list[dict]:
        actions = [{"remove": {"index": old, "alias": self.alias}} for old in old_indices]
        actions.append({"add": {"index": new_index, "alias": self.alias}})
        return actions

    def finish_rebuild(self, token: object) -> int:
        new_index = str(token)
        self._rebuild_target = None
        self.client.indices.refresh(index=new_index)
        old = list(self.client.indices.get_alias(name=self.alias).keys())
        self.client.indices.update_aliases(actions=self.alias_swap_actions(new_index, old))
        for name in old:
            if name != new_index:
                self.client.indices.delete(index=name, ignore_unavailable=True)
        return 0

    def indexed_checksums(self, kinds: Iterable[str]) -> dict[tuple[str, str], str]:
        from elasticsearch.helpers import scan

        result = {}
        for hit in scan(
            self.client, index=self.alias,
            query={"query": {"terms": {"kind": list(kinds)}},
                   "_source": ["kind", "object_id", "checksum"]},
        ):  # fmt: skip
            source = hit["_source"]
            result[(source["kind"], source["object_id"])] = source.get("checksum", "")
        return result

    # -- reading ----------------------------------------------------------------------------
    def build_search(
        self,
        parsed: ParsedQuery,
        *,
        keys: frozenset[str] | None,
        page: int = 1,
        per_page: int = 20,
        sort: str = "relevance",
        facets: bool = True,
    ) -> Search:
        query = text_query(parsed)
        visible = visibility_filter(keys)
        if visible is not None:
            query = Q("bool", must=[query], filter=[visible])
        search = Search(index=self.alias).query(query).extra(track_total_hits=True)
        search = search.source(["kind", "object_id", "title", "body", "url", "created_at"])
        if sort == "date":
            search = search.sort({"created_at": {"order": "desc", "missing": "_last"}}, "_score")
        start = (max(1, page) - 1) * per_page
        search = search[start : start + per_page]
        if facets:
            for name in FACETS:
                search.aggs.bucket(name, A("terms", field=FACET_FIELDS[name], size=20))
        return search

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
        page = max(1, page)
        if keys is not None and not keys or parsed.is_empty:
            return SearchResults(count=0, hits=[], facets={}, page=page, per_page=per_page)
        search = self.build_search(
            parsed, keys=keys, page=page, per_page=per_page, sort=sort, facets=facets
        )
        response = self.client.search(index=self.alias, **search.to_dict())
        hits = [
            Hit(
                kind=h["_source"]["kind"], object_id=h["_source"]["object_id"],
                title=h["_source"]["title"], url=h["_source"]["url"],
                score=float(h.get("_score") or 0), body=h["_source"].get("body", ""),
                created_at=datetime.fromisoformat(h["_source"]["created_at"])
                if h["_source"].get("created_at") else None,
            )
            for h in response["hits"]["hits"]
        ]  # fmt: skip
        counts = {}
        for name in FACETS:
            buckets = response.get("aggregations", {}).get(name, {}).get("buckets", [])
            if buckets:
                counts[name] = [(b["key"], b["doc_count"]) for b in buckets]
        return SearchResults(
            count=response["hits"]["total"]["value"], hits=hits, facets=counts, page=page,
            per_page=per_page,
        )  # fmt: skip

    def count(self, parsed: ParsedQuery, *, keys: frozenset[str] | None) -> int:
        if keys is not None and not keys or parsed.is_empty:
            return 0
        query = text_query(parsed)
        visible = visibility_filter(keys)
        if visible is not None:
            query = Q("bool", must=[query], filter=[visible])
        return self.client.count(index=self.alias, query=query.to_dict())["count"]

    def autocomplete_query(self, text: str, keys: frozenset[str] | None) -> dict | None:
        terms = tokenize(text)
        if not terms:
            return None
        prefix = "" if text.endswith(" ") else terms.pop()
        must = [Q("term", title_terms=term) for term in terms]
        if prefix:
            must.append(Q("prefix", title_terms=prefix))
        query = Q("bool", must=must)
        visible = visibility_filter(keys)
        if visible is not None:
            query = Q("bool", must=must, filter=[visible])
        return query.to_dict()

    def autocomplete(self, text: str, *, keys: frozenset[str] | None, limit: int = 8) -> list[Hit]:
        if keys is not None and not keys:
            return []
        query = self.autocomplete_query(text, keys)
        if query is None:
            return []
        response = self.client.search(
            index=self.alias, query=query, size=limit,
            source=["kind", "object_id", "title", "url"],
        )  # fmt: skip
        return [
            Hit(kind=h["_source"]["kind"], object_id=h["_source"]["object_id"],
                title=h["_source"]["title"], url=h["_source"]["url"])
            for h in response["hits"]["hits"]
        ]  # fmt: skip

    # -- percolation ------------------------------------------------------------------------
    def interest_source(self, interest_id: int, parsed: ParsedQuery) -> dict:
        # No fuzziness in stored queries: a notification must match exactly what was asked.
        return {"interest_id": interest_id, "query": text_query(parsed, fuzzy=False).to_dict()}

    def save_interest(self, interest_id: int, parsed: ParsedQuery) -> None:
        self.create_indices()
        if parsed.is_empty:
            self.delete_interest(interest_id)
            return
        self.client.index(
            index=self.interests_index, id=str(interest_id),
            document=self.interest_source(interest_id, parsed), refresh=self._refresh(),
        )  # fmt: skip

    def delete_interest(self, interest_id: int) -> None:
        self.client.delete(
            index=self.interests_index, id=str(interest_id), ignore=[404],
            refresh=self._refresh(),
        )  # fmt: skip

    def percolate_query(self, document: SearchDocument) -> dict:
        source = document_source(document)
        candidate = {field: source[field] for field in (
            "kind", "title_terms", "body_terms", "phrase_text", "tags_norm", "category_norm",
            "owner_norm", "products_norm", "created_at")}  # fmt: skip
        return {"percolate": {"field": "query", "document": candidate}}

    def match_interests(self, document: SearchDocument) -> list[int]:
        from elasticsearch.helpers import scan

        ids = set()
        for hit in scan(
            self.client, index=self.interests_index,
            query={"query": self.percolate_query(document), "_source": ["interest_id"]},
        ):  # fmt: skip
            ids.add(int(hit["_source"]["interest_id"]))
        return sorted(ids)
