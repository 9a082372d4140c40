"""PostgreSQL engine: a `tsv` tsvector (title terms weight A, body terms weight B) and a
`keys_arr` text[] on the entry row, both under GIN indexes; ranked by ts_rank.

The tsvector and tsquery are written as literals of pre-analysed terms (jieba + OpenCC +
stemming in Python), never through a text search configuration: PostgreSQL's parser does not
segment Chinese, and the same analysis must serve every engine."""

# SQL here is assembled from module constants and %s placeholders only; every value is a
# bound parameter, so the string-built-SQL warning does not apply.
# ruff: noqa: S608

from __future__ import annotations

from django.db import connection

from ..matching import AnalysedDocument
from ..query import ParsedQuery
from .embedded import ENTRY, EmbeddedBackend

MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 255


def lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(title_terms: list[str], body_terms: list[str]) -> str:
    positions: dict[str, list[str]] = {}
    position = 0
    for terms, weight in ((title_terms, "A"), (body_terms, "B")):
        for term in terms:
            position = min(position + 1, MAX_POSITION)
            slots = positions.setdefault(term, [])
            if len(slots) < MAX_POSITIONS_PER_LEXEME:
                slots.append(f"{position}{weight}")
    return " ".join(f"{lexeme(term)}:{','.join(slots)}" for term, slots in positions.items())


def tsquery_literal(parsed: ParsedQuery) -> str:
    parts = [lexeme(term) for term in parsed.terms]
    parts += [
        "(" + " | ".join("(" + " & ".join(map(lexeme, alt)) + ")" for alt in group) + ")"
        for group in parsed.alternatives
    ]
    for group in parsed.excluded:
        parts.append("!(" + " & ".join(lexeme(term) for term in group) + ")")
    return " & ".join(parts)


class PostgresBackend(EmbeddedBackend):
    name = "postgresql"

    def _fts_insert(self, cursor, rows: list[tuple[int, AnalysedDocument]]) -> None:
        if not rows:
            return
        values = ", ".join(["(%s, %s, %s)"] * len(rows))
        params = []
        for pk, a in rows:
            params += [pk, tsvector_literal(a.title_terms, a.body_terms), list(a.document.keys)]
        cursor.execute(
            "UPDATE search_searchentry AS e SET tsv = v.tsv::tsvector, keys_arr = v.keys::text[] "
            f"FROM (VALUES {values}) AS v(id, tsv, keys) WHERE e.id = v.id",
            params,
        )

    def _fts_delete(self, cursor, entry_ids: list[int]) -> None:
        return None  # the columns go with the row

    def _fts_clear(self, cursor) -> None:
        return None

    def _contains(self, column: str) -> str:
        return f"strpos({column}, %s)"

    def _text_clause(self, parsed, keys):
        clauses, params = [], []
        join, score = f"{ENTRY} e", "0"
        query = tsquery_literal(parsed)
        if query:
            join = f"{ENTRY} e CROSS JOIN (SELECT %s::tsquery AS q) AS tq"
            params.append(query)
            clauses.append("e.tsv @@ tq.q")
            score = "ts_rank(e.tsv, tq.q)" if parsed.has_text else "0"
        if keys is not None:
            clauses.append("e.keys_arr && %s::text[]")
            params.append(sorted(keys))
        return join, " AND ".join(clauses), params, score

    def _prefix_clause(self, terms, prefix, keys):
        parts = [lexeme(term) + ":A" for term in terms]
        if prefix:
            parts.append(lexeme(prefix) + ":*A")
        params = [" & ".join(parts)]
        clauses = ["e.tsv @@ tq.q"]
        if keys is not None:
            clauses.append("e.keys_arr && %s::text[]")
            params.append(sorted(keys))
        join = f"{ENTRY} e CROSS JOIN (SELECT %s::tsquery AS q) AS tq"
        return join, " AND ".join(clauses), params, "ts_rank(e.tsv, tq.q)"

    def structural_problems(self) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM search_searchentry WHERE tsv IS NULL OR keys_arr IS NULL"
            )
            missing = cursor.fetchone()[0]
        return [f"{missing} entries without a tsvector"] if missing else []

    def repair_structure(self) -> None:
        from ..models import SearchEntry

        missing = SearchEntry.objects.extra(where=["tsv IS NULL OR keys_arr IS NULL"])
        for entry in missing.iterator():
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE search_searchentry SET tsv = %s::tsvector, keys_arr = %s::text[] "
                    "WHERE id = %s",
                    [tsvector_literal(entry.title_terms.split(), entry.body_terms.split()),
                     list(entry.keys), entry.pk],
                )  # fmt: skip
