"""Elasticsearch 8 engine through elasticsearch-dsl (imported from `elasticsearch.dsl`).

One unified index (alias `<prefix>-documents`, docs/decisions/0401) with a `kind` keyword; text
arrives pre-analysed by portal.search.analysis and is indexed with the whitespace analyzer
(docs/decisions/0402), so Elasticsearch, SQLite and PostgreSQL agree on what a word is.
Interest queries live in a percolator index behind the alias `<prefix>-interests`.

Lifecycle (docs/decisions/0410): both aliases and their first physical indices are created
idempotently before first use (after `migrate`, and lazily once per process); every write names
an alias with `require_alias=true`, so a missing alias is an error, never an auto-created
concrete index. Rebuilds create a new physical index, bulk-load it and swap the alias
atomically; old indices are deleted by their concrete names."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from elasticsearch import NotFoundError
from elasticsearch.dsl import (
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
from .base import (
    FACETS,
    MAX_RESULT_WINDOW,
    Hit,
    SearchBackend,
    SearchResults,
    document_checksum,
)

logger = logging.getLogger(__name__)

# Terms are already segmented, folded and stemmed in Python: split on whitespace only.
terms_analyzer = analyzer("agora_terms", tokenizer="whitespace")


class AgoraDocument(Document):
    """The mapping of the unified documents index (explicit; dynamic mapping is off)."""

    kind = Keyword()
    object_id = Keyword()
    title = Text(index=False)  # shown only; searched as title_terms (docs/decisions/0412)
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


INDEX_SETTINGS = {
    "number_of_shards": 1, "number_of_replicas": 0, "max_result_window": MAX_RESULT_WINDOW,
}  # fmt: skip
# A kind name alone ranks that kind first: far above any text score.
KIND_BOOST = 1000.0
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
        # Empty values are left out, as the embedded engines do: a keyword "" would be indexed
        # and counted as a facet value.
        "category": document.category or None,
        "category_norm": a.category or None,
        "owner_norm": a.owner or None,
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


def _all_terms(terms: list[str], *, fuzzy: bool) -> Q:
    queries = [_term_query(term, fuzzy=fuzzy) for term in terms]
    return queries[0] if len(queries) == 1 else Q("bool", must=queries)


def text_query(parsed: ParsedQuery, *, fuzzy: bool = True) -> Q:
    """The query of a parsed search, without visibility: shared by search and percolation."""
    must = [_term_query(term, fuzzy=fuzzy) for term in parsed.terms]
    must += [  # a word with synonyms: any one of its alternatives
        Q("bool", should=[_all_terms(alt, fuzzy=fuzzy) for alt in group], minimum_should_match=1)
        for group in parsed.alternatives
    ]
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


def reader_query(parsed: ParsedQuery, keys: frozenset[str] | None) -> Q:
    """The text query, the reader's visibility filter and the kind boost of a search."""
    query = text_query(parsed)
    visible = visibility_filter(keys)
    should = []
    if parsed.boost_kinds:
        should.append(Q("constant_score", filter=Q("terms", kind=parsed.boost_kinds),
                        boost=KIND_BOOST))  # fmt: skip
    if visible is None and not should:
        return query
    return Q("bool", must=[query], filter=[visible] if visible else [], should=should)


# The same order on every engine: relevance (or date), then newest, then kind and object id.
TIE_BREAK = [{"kind": {"order": "asc"}}, {"object_id": {"order": "asc"}}]
NEWEST = {"created_at": {"order": "desc", "missing": "_last"}}
SORTS = {
    "relevance": [{"_score": {"order": "desc"}}, NEWEST, *TIE_BREAK],
    "date": [NEWEST, {"_score": {"order": "desc"}}, *TIE_BREAK],
}


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, *, url: str, prefix: str = "agora", client=None) -> None:
        self.url = url
        self.prefix = prefix
        self._client = client
        self.refresh_on_write = False
        self._rebuild_target: str | None = None
        self._ready = False

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
        """The percolator's alias (a physical `<alias>-<timestamp>` index behind it)."""
        return f"{self.prefix}-interests"

    def documents_index(self, name: str) -> Index:
        index = Index(name)
        index.settings(**INDEX_SETTINGS)
        index.document(AgoraDocument)
        return index

    def interests_index_definition(self, name: str | None = None) -> Index:
        index = Index(name or self.new_index_name(self.interests_index))
        index.settings(number_of_shards=1, number_of_replicas=0)
        index.document(InterestDocument)
        return index

    def _definition(self, alias: str, name: str) -> Index:
        if alias == self.alias:
            return self.documents_index(name)
        return self.interests_index_definition(name)

    def new_index_name(self, alias: str | None = None) -> str:
        return f"{alias or self.alias}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"

    def ensure_indices(self) -> list[str]:
        """Create each alias with its first physical index unless it exists (idempotent; run
        after migrate and once per process before first use). Returns the problems it must not
        repair by itself: a concrete index squatting an alias name (search_check --fix)."""
        problems = []
        for alias in (self.alias, self.interests_index):
            if self.client.indices.exists_alias(name=alias):
                continue
            if self.client.indices.exists(index=alias):
                problems.append(alias)
                logger.error(
                    "Elasticsearch index %s is a concrete index where an alias belongs; "
                    "run `manage.py search_check --fix`.", alias,
                )  # fmt: skip
                continue
            name = self.new_index_name(alias)
            body = self._definition(alias, name).to_dict()
            body["aliases"] = {alias: {}}
            self.client.indices.create(index=name, **body)
        self._ready = not problems
        return problems

    create_indices = ensure_indices

    def _ensure_once(self) -> None:
        if not self._ready:
            self.ensure_indices()

    def concrete_indices(self) -> list[str]:
        """Every physical index of this prefix (wildcards may be read, never deleted)."""
        found = self.client.indices.get(
            index=f"{self.alias}*,{self.interests_index}*", expand_wildcards="open,closed"
        )
        return sorted(found.keys())

    def drop_indices(self) -> None:
        """Delete this prefix's indices by their concrete names (wildcard deletes are refused
        by default: action.destructive_requires_name)."""
        names = self.concrete_indices()
        if names:
            self.client.indices.delete(index=",".join(names), ignore_unavailable=True)
        self._ready = False

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

    def _bulk(self, actions: list[dict] | Iterator[dict], *, to_alias: bool, **options) -> int:
        from elasticsearch.helpers import bulk

        if to_alias:
            self._ensure_once()
            options["require_alias"] = True
        success, _errors = bulk(
            self.client, actions, refresh=self._refresh(), chunk_size=500, **options
        )
        return success

    def index(self, documents: Iterable[SearchDocument]) -> int:
        documents = list(documents)
        if not documents:
            return 0
        return self._bulk(self.bulk_actions(documents), to_alias=self._rebuild_target is None)

    def remove(self, refs: Iterable[tuple[str, str]]) -> int:
        actions = [
            {"_op_type": "delete", "_index": self.alias, "_id": doc_id(kind, str(pk))}
            for kind, pk in refs
        ]
        if not actions:
            return 0
        return self._bulk(actions, to_alias=True, raise_on_error=False)

    def clear(self) -> None:
        self._ensure_once()
        self.client.delete_by_query(
            index=self.alias, query={"match_all": {}}, refresh=True, conflicts="proceed"
        )

    def begin_rebuild(self) -> object:
        """Zero-downtime rebuild: a new physical index is loaded while the alias still points
        at the old one; finish_rebuild swaps the alias in one atomic request."""
        self._ensure_once()
        name = self.new_index_name()
        self.client.indices.create(index=name, **self.documents_index(name).to_dict())
        self._rebuild_target = name
        return name

    def alias_swap_actions(
        self, new_index: str, old_indices: list[str], alias: str | None = None
    ) -> list[dict]:
        alias = alias or self.alias
        actions = [{"remove": {"index": old, "alias": alias}} for old in old_indices]
        actions.append({"add": {"index": new_index, "alias": alias}})
        return actions

    def _swap(self, alias: str, new_index: str) -> None:
        """Point the alias at the new index in one request, then delete the old indices by
        their concrete names."""
        self.client.indices.refresh(index=new_index)
        old = [name for name in self.client.indices.get_alias(name=alias) if name != new_index]
        self.client.indices.update_aliases(actions=self.alias_swap_actions(new_index, old, alias))
        if old:
            self.client.indices.delete(index=",".join(old), ignore_unavailable=True)

    def finish_rebuild(self, token: object) -> int:
        new_index = str(token)
        self._rebuild_target = None
        self._swap(self.alias, new_index)
        return 0

    def indexed_checksums(self, kinds: Iterable[str]) -> dict[tuple[str, str], str]:
        from elasticsearch.helpers import scan

        self._ensure_once()
        result = {}
        for hit in scan(
            self.client, index=self.alias,
            query={"query": {"terms": {"kind": list(kinds)}},
                   "_source": ["kind", "object_id", "checksum"]},
        ):  # fmt: skip
            source = hit["_source"]
            result[(source["kind"], source["object_id"])] = source.get("checksum", "")
        return result

    def structural_problems(self) -> list[str]:
        problems = []
        for alias in (self.alias, self.interests_index):
            if self.client.indices.exists_alias(name=alias):
                continue
            if self.client.indices.exists(index=alias):
                problems.append(f"{alias} is a concrete index, not an alias")
            else:
                problems.append(f"{alias} does not exist")
        return problems

    def repair_structure(self) -> None:
        """Replace a concrete index squatting an alias name (auto-created by a write before
        the aliases existed) by the alias; the check then re-indexes what is missing."""
        for alias in (self.alias, self.interests_index):
            if not self.client.indices.exists_alias(name=alias) and self.client.indices.exists(
                index=alias
            ):
                self.client.indices.delete(index=alias)
        self.ensure_indices()

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
        query = reader_query(parsed, keys)
        search = Search(index=self.alias).query(query).extra(track_total_hits=True)
        search = search.source(["kind", "object_id", "title", "body", "url", "created_at"])
        search = search.sort(*SORTS.get(sort, SORTS["relevance"]))
        start = (max(1, page) - 1) * per_page
        if start + per_page > MAX_RESULT_WINDOW:
            start, per_page = 0, 0  # past the last page every engine serves: counts only
        search = search.extra(**{"from": start, "size": per_page})
        if facets:
            for name in FACETS:
                search.aggs.bucket(name, A("terms", field=FACET_FIELDS[name], size=20))
        return search

    def _not_found(self, error: NotFoundError, what: str) -> None:
        logger.warning("Elasticsearch: %s answered 404 (%s); treated as empty", what, error)
        self._ready = False

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
        empty = SearchResults(count=0, hits=[], facets={}, page=page, per_page=per_page)
        search = self.build_search(
            parsed, keys=keys, page=page, per_page=per_page, sort=sort, facets=facets
        )
        try:
            response = self.client.search(index=self.alias, **search.to_dict())
        except NotFoundError as error:
            self._not_found(error, self.alias)
            return empty
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

    def _count(self, parsed: ParsedQuery, *, keys: frozenset[str] | None) -> int:
        query = text_query(parsed)
        visible = visibility_filter(keys)
        if visible is not None:
            query = Q("bool", must=[query], filter=[visible])
        try:
            return self.client.count(index=self.alias, query=query.to_dict())["count"]
        except NotFoundError as error:
            self._not_found(error, self.alias)
            return 0

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
        try:
            response = self.client.search(
                index=self.alias, query=query, size=limit, sort=[{"_score": {"order": "desc"}},
                *TIE_BREAK], source=["kind", "object_id", "title", "url"],
            )  # fmt: skip
        except NotFoundError as error:
            self._not_found(error, self.alias)
            return []
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
        if parsed.is_empty:
            self.delete_interest(interest_id)
            return
        self._ensure_once()
        self.client.index(
            index=self.interests_index, id=str(interest_id),
            document=self.interest_source(interest_id, parsed), refresh=self._refresh(),
            require_alias=True,
        )  # fmt: skip

    def delete_interest(self, interest_id: int) -> None:
        self._ensure_once()
        self.client.options(ignore_status=404).delete(
            index=self.interests_index, id=str(interest_id), refresh=self._refresh()
        )

    def rebuild_interests(
        self, interests: Iterable[tuple[int, ParsedQuery]], progress=None, total: int = 0
    ) -> int:
        """Load every stored interest query into a new percolator index and swap the alias."""
        self._ensure_once()
        name = self.new_index_name(self.interests_index)
        self.client.indices.create(index=name, **self.interests_index_definition(name).to_dict())
        done = 0

        def actions():
            nonlocal done
            for interest_id, parsed in interests:
                done += 1
                if progress and (done % 500 == 0 or done == total):
                    progress("interests", done, total)
                if parsed.is_empty:
                    continue
                yield {"_op_type": "index", "_index": name, "_id": str(interest_id),
                       "_source": self.interest_source(interest_id, parsed)}  # fmt: skip

        loaded = self._bulk(actions(), to_alias=False)
        self._swap(self.interests_index, name)
        return loaded

    def indexed_interests(self) -> dict[int, dict] | None:
        """{interest id: stored query} of the percolator, for the consistency check."""
        from elasticsearch.helpers import scan

        self._ensure_once()
        return {
            int(hit["_source"]["interest_id"]): hit["_source"]["query"]
            for hit in scan(self.client, index=self.interests_index,
                            query={"query": {"match_all": {}}})
        }  # fmt: skip

    def expected_interest(self, interest_id: int, parsed: ParsedQuery) -> dict | None:
        return None if parsed.is_empty else self.interest_source(interest_id, parsed)["query"]

    def percolate_query(self, document: SearchDocument) -> dict:
        source = document_source(document)
        candidate = {field: source[field] for field in (
            "kind", "title_terms", "body_terms", "phrase_text", "tags_norm", "category_norm",
            "owner_norm", "products_norm", "created_at")}  # fmt: skip
        return {"percolate": {"field": "query", "document": candidate}}

    def match_interests(self, document: SearchDocument) -> list[int]:
        """Ids of the stored queries the document matches. A missing percolator index means
        no keyword interest can match (logged): never a failed delivery for everyone else."""
        from elasticsearch.helpers import scan

        ids = set()
        try:
            for hit in scan(
                self.client, index=self.interests_index,
                query={"query": self.percolate_query(document), "_source": ["interest_id"]},
            ):  # fmt: skip
                ids.add(int(hit["_source"]["interest_id"]))
        except NotFoundError as error:
            self._not_found(error, self.interests_index)
            return []
        return sorted(ids)
