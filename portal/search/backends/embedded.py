"""Shared machinery of the database engines: entries and facet rows through the ORM, the
full-text structure and the text-match SQL supplied by each vendor subclass."""

# SQL here is assembled from module constants and %s placeholders only; every value is a
# bound parameter, so the string-built-SQL warning does not apply.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from ..analysis import normalize_value, tokenize
from ..documents import SearchDocument
from ..matching import AnalysedDocument
from ..models import SearchEntry, SearchFacet
from ..query import ParsedQuery
from .base import (
    FACET_SAMPLE,
    MAX_RESULT_WINDOW,
    Hit,
    SearchBackend,
    SearchResults,
    document_checksum,
)

ENTRY = SearchEntry._meta.db_table
FACET = SearchFacet._meta.db_table
BATCH = 500
VALUE_FACETS = ("tag", "category", "product")


def facet_values(doc: SearchDocument) -> list[tuple[str, str, str]]:
    """(facet, value, normalized value) of each filterable value of a document, as the facet
    rows hold them and as a filter compares them (both cut at 200 characters); PostgreSQL's
    `facets_arr` is written from the same list (ADR 0432)."""
    return [
        (facet, value[:200], normalize_value(value)[:200])
        for facet, values in (
            ("tag", doc.tags),
            ("product", doc.products),
            ("category", [doc.category] if doc.category else []),
            ("owner", [doc.owner] if doc.owner else []),
        )  # fmt: skip
        for value in values
    ]


class EmbeddedBackend(SearchBackend):
    """Subclasses implement the _fts_* hooks and `_text_clause` (the WHERE part that matches
    terms, exclusions and visibility keys inside the full-text engine)."""

    # -- writing ------------------------------------------------------------------------------
    def _fts_insert(self, cursor, rows: list[tuple[int, AnalysedDocument]]) -> None:
        raise NotImplementedError

    def _fts_delete(self, cursor, entry_ids: list[int]) -> None:
        raise NotImplementedError

    def _fts_clear(self, cursor) -> None:
        raise NotImplementedError

    def index(self, documents: Iterable[SearchDocument]) -> int:
        documents = list(documents)
        count = 0
        for start in range(0, len(documents), BATCH):
            count += self._index_batch(documents[start : start + BATCH])
        return count

    def _index_batch(self, documents: list[SearchDocument]) -> int:
        unique = {doc.ref: doc for doc in documents}
        analysed = [AnalysedDocument.of(doc) for doc in unique.values()]
        now = timezone.now()
        with transaction.atomic():
            self._delete_refs([(a.document.kind, a.document.object_id) for a in analysed])
            entries = SearchEntry.objects.bulk_create(
                [
                    SearchEntry(
                        kind=a.document.kind, object_id=a.document.object_id,
                        title=a.document.title, body=a.document.body, url=a.document.url,
                        keys=a.document.keys, tags=a.document.tags,
                        category=a.document.category, owner=a.document.owner,
                        products=a.document.products, created_at=a.document.created_at,
                        updated_at=a.document.updated_at, language=a.document.language,
                        phrase_text=a.phrase_text, title_terms=" ".join(a.title_terms),
                        body_terms=" ".join(a.body_terms),
                        checksum=document_checksum(a.document), indexed_at=now,
                    )
                    for a in analysed
                ]
            )  # fmt: skip
            SearchFacet.objects.bulk_create(
                SearchFacet(entry_id=entry.pk, facet=facet, value=value, norm=norm)
                for entry, a in zip(entries, analysed, strict=True)
                for facet, value, norm in facet_values(a.document)
            )
            with connection.cursor() as cursor:
                self._fts_insert(
                    cursor, [(entry.pk, a) for entry, a in zip(entries, analysed, strict=True)]
                )
        return len(entries)

    def _delete_refs(self, refs: list[tuple[str, str]]) -> int:
        if not refs:
            return 0
        ids: list[int] = []
        by_kind: dict[str, list[str]] = {}
        for kind, object_id in refs:
            by_kind.setdefault(kind, []).append(str(object_id))
        for kind, object_ids in by_kind.items():
            ids += SearchEntry.objects.filter(kind=kind, object_id__in=object_ids).values_list(
                "pk", flat=True
            )
        self._delete_ids(ids)
        return len(ids)

    def _delete_ids(self, ids: list[int]) -> None:
        if not ids:
            return
        with connection.cursor() as cursor:
            self._fts_delete(cursor, ids)
        SearchFacet.objects.filter(entry_id__in=ids)._raw_delete(SearchFacet.objects.db)
        SearchEntry.objects.filter(pk__in=ids)._raw_delete(SearchEntry.objects.db)

    def remove(self, refs: Iterable[tuple[str, str]]) -> int:
        with transaction.atomic():
            return self._delete_refs([(kind, str(object_id)) for kind, object_id in refs])

    def clear(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            self._fts_clear(cursor)
            SearchFacet.objects.all()._raw_delete(SearchFacet.objects.db)
            SearchEntry.objects.all()._raw_delete(SearchEntry.objects.db)

    def begin_rebuild(self) -> object:
        # Entries are replaced in place batch by batch, so searches keep answering throughout;
        # whatever was not re-indexed since this moment is stale and removed at the end.
        return timezone.now()

    def finish_rebuild(self, token: object) -> int:
        stale = list(SearchEntry.objects.filter(indexed_at__lt=token).values_list("pk", flat=True))
        with transaction.atomic():
            self._delete_ids(stale)
        return len(stale)

    def indexed_checksums(self, kinds: Iterable[str]) -> dict[tuple[str, str], str]:
        rows = SearchEntry.objects.filter(kind__in=list(kinds)).values_list(
            "kind", "object_id", "checksum"
        )
        return {(kind, object_id): checksum for kind, object_id, checksum in rows}

    # -- reading ------------------------------------------------------------------------------
    def _text_clause(
        self, parsed: ParsedQuery, keys: frozenset[str] | None
    ) -> tuple[str, str, list, str]:
        """(FROM clause, WHERE clause, params, score expression) for the text part; the FROM
        clause names the entry table `e`."""
        raise NotImplementedError

    def _adapt_dt(self, value: datetime):
        return connection.ops.adapt_datetimefield_value(value)

    def _where(
        self, parsed: ParsedQuery, keys: frozenset[str] | None
    ) -> tuple[str, str, list, str]:
        join, where, params, score = self._text_clause(parsed, keys)
        clauses = [where] if where else []
        if parsed.kinds:
            kinds_clause, kinds_params = self._kinds_clause(parsed.kinds)
            clauses.append(kinds_clause)
            params += kinds_params
        for facet, values in (
            ("tag", parsed.tags), ("product", parsed.products),
            ("category", parsed.categories), ("owner", parsed.owners),
        ):  # fmt: skip
            if values:
                facet_clause, facet_params = self._facet_clause(facet, values)
                clauses.append(facet_clause)
                params += facet_params
        for phrase in parsed.phrases:
            clauses.append(self._contains("e.phrase_text") + " > 0")
            params.append(phrase)
        for phrase in parsed.excluded_phrases:
            clauses.append(self._contains("e.phrase_text") + " = 0")
            params.append(phrase)
        if parsed.date_from:
            clauses.append("e.created_at >= %s")
            params.append(self._adapt_dt(parsed.date_from))
        if parsed.date_to:
            clauses.append("e.created_at < %s")
            params.append(self._adapt_dt(parsed.date_to))
        return join, " AND ".join(clauses) or "1=1", params, score

    def _contains(self, column: str) -> str:
        raise NotImplementedError

    def _facet_clause(self, facet: str, values: list[str]) -> tuple[str, list]:
        """Entries holding any of these normalized values of one facet (`tag:VIP,POS`)."""
        return (
            f"EXISTS (SELECT 1 FROM {FACET} f WHERE f.entry_id = e.id AND f.facet = %s "
            f"AND f.norm IN ({', '.join(['%s'] * len(values))}))",
            [facet, *values],
        )

    def _kinds_clause(self, kinds: list[str]) -> tuple[str, list]:
        """The match narrowed to these kinds (the reader's readable ones, or `type:`)."""
        return f"e.kind IN ({', '.join(['%s'] * len(kinds))})", list(kinds)

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
        join, where, params, score = self._where(parsed, keys)
        by_score = ["score DESC"] if score != "0" else []
        boost, boost_params = self._boost(parsed)
        newest = "created_at DESC NULLS LAST"
        tie_break = [term.removeprefix("e.") for term in self._tie_break()]
        if sort == "date":
            order = ", ".join([newest, *by_score, *tie_break])
            boost, boost_params = [], []  # no kind boost when sorting by date
        else:
            order = ", ".join([*(["boost ASC"] if boost else []), *by_score, newest, *tie_break])
        # Two phases: rank on narrow columns only (the best FACET_SAMPLE ids, which also
        # feed the value facets), then read the wide rows of the page alone. Pages end where
        # every engine's window ends (base.MAX_RESULT_WINDOW), so all engines serve the same.
        offset = (page - 1) * per_page
        if offset + per_page > MAX_RESULT_WINDOW:
            offset = MAX_RESULT_WINDOW  # past the last page: counts and facets, no hits
        window = max(min(offset + per_page, MAX_RESULT_WINDOW), FACET_SAMPLE if facets else 0)
        # One pass over the matches (ADR 0428): the full-text match, its join to the covering
        # index and the score are computed once into `m`, which gives both the ranked window
        # (part 0) and the kind counts of every match (part 1). Reading the matches a second
        # time to count them cost a third of a broad search. The outer ORDER BY keeps the
        # window's order whatever order the compound's parts come out in.
        # `+e.created_at`: the same value, but an expression, so the driver's datetime converter
        # (which parses the declared type's text into a datetime, ≈ 2 µs a row) leaves the
        # window's 500 rows alone; the date only orders them here (ADR 0432).
        columns = "part, id, score, kind, created_at, object_id, boost"
        sql = (
            f"WITH m AS MATERIALIZED (SELECT e.id AS id, {score} AS score, e.kind AS kind, "
            f"+e.created_at AS created_at, e.object_id AS object_id, "
            f"{boost[0] if boost else '0'} AS boost FROM {join} WHERE {where}) "
            f"SELECT {columns} FROM (SELECT 0 AS {columns} FROM m "
            f"ORDER BY {order} LIMIT %s) "
            f"UNION ALL SELECT 1, NULL, COUNT(*), kind, NULL, NULL, NULL FROM m GROUP BY kind "
            f"ORDER BY part, {order}"
        )
        hits = []
        counts: dict[str, list[tuple[str, int]]] = {}
        sample = 0
        with connection.cursor() as cursor:
            cursor.execute(sql, [*boost_params, *params, window])
            ranked, kinds = [], []
            for part, pk, rank, kind, *_ in cursor.fetchall():
                if part == 0:
                    ranked.append((pk, rank))
                else:
                    kinds.append((kind, rank))  # rank holds the kind's count here
            page_rows = ranked[offset : offset + per_page]
            rows = {
                entry.pk: entry
                for entry in SearchEntry.objects.filter(pk__in=[pk for pk, _ in page_rows]).only(
                    "kind", "object_id", "title", "url", "created_at", "body"
                )
            }
            for pk, rank in page_rows:
                entry = rows.get(pk)
                if entry is None:
                    continue
                hits.append(
                    Hit(kind=entry.kind, object_id=entry.object_id, title=entry.title,
                        url=entry.url, score=float(rank or 0), created_at=entry.created_at,
                        body=entry.body)
                )  # fmt: skip
            kinds.sort(key=lambda row: (-row[1], row[0]))
            total = sum(n for _, n in kinds)
            if facets and total:
                counts["kind"] = kinds
                ids = [pk for pk, _ in ranked[:FACET_SAMPLE]]
                sample = len(ids) if total > len(ids) else 0
                # By entry id only (the covering index); filtering on `facet` in SQL lets
                # planners pick the (facet, norm) index and scan every tag in the database.
                tally: dict[tuple[str, str], int] = {}
                if ids:
                    cursor.execute(
                        f"SELECT facet, value FROM {FACET} "
                        f"WHERE entry_id IN ({', '.join(['%s'] * len(ids))})",
                        ids,
                    )
                    for facet, value in cursor.fetchall():
                        if facet in VALUE_FACETS:
                            tally[(facet, value)] = tally.get((facet, value), 0) + 1
                for (facet, value), n in tally.items():
                    counts.setdefault(facet, []).append((value, n))
                for facet in VALUE_FACETS:
                    if facet in counts:
                        counts[facet] = sorted(counts[facet], key=lambda r: (-r[1], r[0]))[:20]
        return SearchResults(
            count=total, hits=hits, facets=counts, page=page, per_page=per_page,
            facets_sample=sample,
        )  # fmt: skip

    def _tie_break(self) -> list[str]:
        """The last sort keys, identical on every engine (Elasticsearch sorts the same keyword
        fields by code point, hence the C collation on PostgreSQL)."""
        collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
        return [f"e.kind{collate} ASC", f"e.object_id{collate} ASC"]

    def _boost(self, parsed: ParsedQuery) -> tuple[list[str], list]:
        if not parsed.boost_kinds:
            return [], []
        marks = ", ".join(["%s"] * len(parsed.boost_kinds))
        return [f"CASE WHEN e.kind IN ({marks}) THEN 0 ELSE 1 END"], list(parsed.boost_kinds)

    def _count(self, parsed: ParsedQuery, *, keys: frozenset[str] | None) -> int:
        join, where, params, _ = self._where(parsed, keys)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {join} WHERE {where}", params)
            return cursor.fetchone()[0]

    def _prefix_clause(
        self, terms: list[str], prefix: str, keys: frozenset[str] | None
    ) -> tuple[str, str, list, str]:
        raise NotImplementedError

    def autocomplete(self, text: str, *, keys: frozenset[str] | None, limit: int = 8) -> list[Hit]:
        if keys is not None and not keys:
            return []
        terms = tokenize(text)
        if not terms:
            return []
        # A trailing space means the last word is complete; otherwise it is a prefix.
        prefix = "" if text.endswith(" ") else terms.pop()
        join, where, params, score = self._prefix_clause(terms, prefix, keys)
        sql = (
            f"SELECT e.kind, e.object_id, e.title, e.url FROM {join} WHERE {where} "
            f"ORDER BY {score} DESC, {', '.join(self._tie_break())} LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit])
            return [
                Hit(kind=kind, object_id=object_id, title=title, url=url)
                for kind, object_id, title, url in cursor.fetchall()
            ]
