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
from .base import Hit, SearchBackend, SearchResults, document_checksum

ENTRY = SearchEntry._meta.db_table
FACET = SearchFacet._meta.db_table
BATCH = 500


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
            facets = []
            for entry, a in zip(entries, analysed, strict=True):
                doc = a.document
                for facet, values in (
                    ("tag", doc.tags), ("product", doc.products),
                    ("category", [doc.category] if doc.category else []),
                    ("owner", [doc.owner] if doc.owner else []),
                ):  # fmt: skip
                    for value in values:
                        facets.append(
                            SearchFacet(
                                entry_id=entry.pk, facet=facet, value=value[:200],
                                norm=normalize_value(value)[:200],
                            )
                        )  # fmt: skip
            SearchFacet.objects.bulk_create(facets)
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
            clauses.append(f"e.kind IN ({', '.join(['%s'] * len(parsed.kinds))})")
            params += parsed.kinds
        for facet, values in (
            ("tag", parsed.tags), ("product", parsed.products),
            ("category", parsed.categories), ("owner", parsed.owners),
        ):  # fmt: skip
            if values:
                clauses.append(
                    f"EXISTS (SELECT 1 FROM {FACET} f WHERE f.entry_id = e.id AND f.facet = %s "
                    f"AND f.norm IN ({', '.join(['%s'] * len(values))}))"
                )
                params += [facet, *values]
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
        join, where, params, score = self._where(parsed, keys)
        ranked = [f"{score} DESC"] if score != "0" else []
        if sort == "date":
            order = ", ".join(["e.created_at DESC", *ranked, "e.id DESC"])
        else:
            order = ", ".join([*ranked, "e.created_at DESC", "e.id DESC"])
        sql = (
            f"SELECT e.id, e.kind, e.object_id, e.title, e.url, e.created_at, e.body, {score} "
            f"FROM {join} WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s"
        )
        hits = []
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, per_page, (page - 1) * per_page])
            for _pk, kind, object_id, title, url, created_at, body, rank in cursor.fetchall():
                if isinstance(created_at, str):
                    created_at = self._parse_dt(created_at)
                hits.append(
                    Hit(kind=kind, object_id=object_id, title=title, url=url,
                        score=float(rank or 0), created_at=created_at, body=body)
                )  # fmt: skip
            counts: dict[str, list[tuple[str, int]]] = {}
            cursor.execute(
                f"SELECT e.kind, COUNT(*) FROM {join} WHERE {where} GROUP BY e.kind",
                params,
            )
            kind_counts = sorted(cursor.fetchall(), key=lambda row: (-row[1], row[0]))
            total = sum(n for _, n in kind_counts)
            if facets and total:
                counts["kind"] = kind_counts
                cursor.execute(
                    f"SELECT f.facet, f.value, COUNT(*) FROM {join} "
                    f"JOIN {FACET} f ON f.entry_id = e.id "
                    f"WHERE {where} AND f.facet IN ('tag', 'category', 'product') "
                    f"GROUP BY f.facet, f.value",
                    params,
                )
                for facet, value, n in cursor.fetchall():
                    counts.setdefault(facet, []).append((value, n))
                for facet in ("tag", "category", "product"):
                    if facet in counts:
                        counts[facet] = sorted(counts[facet], key=lambda r: (-r[1], r[0]))[:20]
        return SearchResults(count=total, hits=hits, facets=counts, page=page, per_page=per_page)

    def _parse_dt(self, value: str) -> datetime | None:
        from django.utils.dateparse import parse_datetime

        parsed = parse_datetime(value)
        if parsed is not None and timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, timezone.utc)
        return parsed

    def count(self, parsed: ParsedQuery, *, keys: frozenset[str] | None) -> int:
        if keys is not None and not keys or parsed.is_empty:
            return 0
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
            f"ORDER BY {score} DESC, e.id DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit])
            return [
                Hit(kind=kind, object_id=object_id, title=title, url=url)
                for kind, object_id, title, url in cursor.fetchall()
            ]
