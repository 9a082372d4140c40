"""SQLite FTS5 engine: a `search_fts` table (title, body, keys) whose rowid is the entry id,
holding the pre-analysed terms; ranked by BM25 with titles weighted ten times the body."""

# SQL here is assembled from module constants and %s placeholders only; every value is a
# bound parameter, so the string-built-SQL warning does not apply.
# ruff: noqa: S608

from __future__ import annotations

import difflib

from django.db import connection

from ..matching import AnalysedDocument
from ..query import ParsedQuery
from .embedded import ENTRY, EmbeddedBackend

FTS = "search_fts"
TEXT_COLUMNS = "{title body}"


def fts_key(key: str) -> str:
    """Visibility keys as single FTS tokens ("u:5" → "kux5")."""
    return "k" + "".join(ch if ch.isalnum() else "x" for ch in key)


def quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _all(terms: list[str]) -> str:
    return "(" + " AND ".join(quote(term) for term in terms) + ")"


def match_expression(parsed: ParsedQuery, keys: frozenset[str] | None) -> str:
    """The FTS5 MATCH string: all terms, visibility keys, NOT each excluded word; empty when
    nothing positive can drive the match (an administrator's filter-only query)."""
    positive = []
    if parsed.terms:
        positive.append(f"{TEXT_COLUMNS} : {_all(parsed.terms)}")
    for group in parsed.alternatives:  # a word with synonyms: any one of its alternatives
        positive.append(f"{TEXT_COLUMNS} : (" + " OR ".join(_all(alt) for alt in group) + ")")
    if keys is not None:
        positive.append("keys : (" + " OR ".join(quote(fts_key(k)) for k in sorted(keys)) + ")")
    if not positive:
        return ""
    expression = " AND ".join(positive)
    for group in parsed.excluded:
        expression = f"({expression}) NOT {TEXT_COLUMNS} : {_all(group)}"
    return expression


class SQLiteBackend(EmbeddedBackend):
    name = "sqlite"

    def _fts_insert(self, cursor, rows: list[tuple[int, AnalysedDocument]]) -> None:
        cursor.executemany(
            f"INSERT INTO {FTS} (rowid, title, body, keys) VALUES (%s, %s, %s, %s)",
            [
                (
                    pk,
                    " ".join(a.title_terms),
                    " ".join(a.body_terms),
                    " ".join(fts_key(key) for key in a.document.keys),
                )
                for pk, a in rows
            ],
        )

    def _fts_delete(self, cursor, entry_ids: list[int]) -> None:
        for start in range(0, len(entry_ids), 500):
            chunk = entry_ids[start : start + 500]
            cursor.execute(
                f"DELETE FROM {FTS} WHERE rowid IN ({', '.join(['%s'] * len(chunk))})", chunk
            )

    def _fts_clear(self, cursor) -> None:
        cursor.execute(f"DELETE FROM {FTS}")

    def _contains(self, column: str) -> str:
        return f"instr({column}, %s)"

    def _text_clause(self, parsed, keys):
        expression = match_expression(parsed, keys)
        if expression:
            # CROSS JOIN fixes the order (the full-text match drives, never a scan of entries);
            # INDEXED BY makes the id lookups read the narrow covering index, not wide rows.
            join = f"{FTS} CROSS JOIN {ENTRY} e INDEXED BY search_entry_cover ON e.id = {FTS}.rowid"
            score = f"(-bm25({FTS}, 10.0, 1.0, 0.0))" if parsed.has_text else "0"
            return join, f"{FTS} MATCH %s", [expression], score
        # An administrator without words: filters only, exclusions as a NOT IN.
        clauses, params = [], []
        for group in parsed.excluded:
            clauses.append(f"e.id NOT IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)")
            params.append(f"{TEXT_COLUMNS} : {_all(group)}")
        return f"{ENTRY} e", " AND ".join(clauses), params, "0"

    def _prefix_clause(self, terms, prefix, keys):
        parts = [quote(term) for term in terms]
        if prefix:
            parts.append(quote(prefix) + "*")
        expression = "title : (" + " AND ".join(parts) + ")"
        if keys is not None:
            expression += (
                " AND keys : (" + " OR ".join(quote(fts_key(k)) for k in sorted(keys)) + ")"
            )
        join = f"{FTS} CROSS JOIN {ENTRY} e INDEXED BY search_entry_cover ON e.id = {FTS}.rowid"
        return join, f"{FTS} MATCH %s", [expression], f"(-bm25({FTS}, 10.0, 1.0, 0.0))"

    def similar_terms(self, term: str, limit: int = 3) -> list[str]:
        """Close title terms from the FTS5 vocabulary (same first letter, similar length)."""
        if not term.isascii() or not term.isalpha() or len(term) < 4:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term FROM search_fts_vocab WHERE col = 'title' AND term >= %s "
                "AND term < %s AND length(term) BETWEEN %s AND %s",
                [term[0], chr(ord(term[0]) + 1), len(term) - 2, len(term) + 2],
            )
            vocabulary = [row[0] for row in cursor.fetchall()]
        return difflib.get_close_matches(term, vocabulary, n=limit, cutoff=0.75)

    def structural_problems(self) -> list[str]:
        problems = []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {FTS} WHERE rowid NOT IN (SELECT id FROM search_searchentry)"
            )
            orphans = cursor.fetchone()[0]
            cursor.execute(
                f"SELECT COUNT(*) FROM search_searchentry WHERE id NOT IN (SELECT rowid FROM {FTS})"
            )
            missing = cursor.fetchone()[0]
        if orphans:
            problems.append(f"{orphans} full-text rows without an entry")
        if missing:
            problems.append(f"{missing} entries without full-text rows")
        return problems

    def repair_structure(self) -> None:
        from ..models import SearchEntry

        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {FTS} WHERE rowid NOT IN (SELECT id FROM search_searchentry)"
            )
            cursor.execute(
                f"SELECT id FROM search_searchentry WHERE id NOT IN (SELECT rowid FROM {FTS})"
            )
            ids = [row[0] for row in cursor.fetchall()]
        for entry in SearchEntry.objects.filter(pk__in=ids).iterator():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {FTS} (rowid, title, body, keys) VALUES (%s, %s, %s, %s)",
                    [entry.pk, entry.title_terms, entry.body_terms,
                     " ".join(fts_key(key) for key in entry.keys)],
                )  # fmt: skip
