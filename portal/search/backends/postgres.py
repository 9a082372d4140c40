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
from . import embedded
from .base import MAX_RESULT_WINDOW, Hit, SearchResults
from .embedded import ENTRY, FACET, VALUE_FACETS, EmbeddedBackend, facet_values

MAX_POSITION = 16383
MAX_POSITIONS_PER_LEXEME = 255
# A search reads at most this many matches (ADR 0422): below it the count and the kind counts
# are exact; above it they are estimated (`count_exact` is false) and the best results are
# chosen among these matches.
MATCH_CAP = 20_000
# ts_rank's weights for D, C, B, A: a title (A) word weighs ten times a body (B) word, as the
# SQLite engine's bm25 weights (ADR 0412).
RANK_WEIGHTS = "{0.1, 0.2, 0.1, 1.0}"
# The entry's kind as the one-element array the match index holds (search 0011): spelt exactly
# as the index expression, or the planner does not see that the index answers it.
KIND_ARRAY = "ARRAY[e.kind::text]"


def facet_key(facet: str, norm: str) -> str:
    """One filterable value as `facets_arr` holds it: `tag:pos`."""
    return f"{facet}:{norm}"


def facet_array(doc) -> list[str]:
    return [facet_key(facet, norm) for facet, _value, norm in facet_values(doc)]


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


def title_hits_sql(parsed: ParsedQuery) -> tuple[str, list]:
    """How many of the query's words the title holds (a word with synonyms counts once if any
    alternative is whole in it), read from the inline `title_terms`: the cheap stand-in for the
    rank by which the candidates are chosen (titles weigh most)."""
    has = "strpos(' ' || e.title_terms || ' ', %s) > 0"
    parts = [f"({has})::int" for _ in parsed.terms]
    params = [f" {term} " for term in parsed.terms]
    for group in parsed.alternatives:
        parts.append(
            "(" + " OR ".join("(" + " AND ".join([has] * len(alt)) + ")" for alt in group)
            + ")::int"
        )  # fmt: skip
        params += [f" {term} " for alt in group for term in alt]
    return " + ".join(parts) or "0", params


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
        values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
        params = []
        for pk, a in rows:
            params += [
                pk, tsvector_literal(a.title_terms, a.body_terms), list(a.document.keys),
                facet_array(a.document),
            ]  # fmt: skip
        cursor.execute(
            "UPDATE search_searchentry AS e SET tsv = v.tsv::tsvector, keys_arr = v.keys::text[], "
            "facets_arr = v.facets::text[] "
            f"FROM (VALUES {values}) AS v(id, tsv, keys, facets) WHERE e.id = v.id",
            params,
        )

    def _fts_delete(self, cursor, entry_ids: list[int]) -> None:
        return None  # the columns go with the row

    def _fts_clear(self, cursor) -> None:
        return None

    def _contains(self, column: str) -> str:
        return f"strpos({column}, %s)"

    def _facet_clause(self, facet: str, values: list[str]) -> tuple[str, list]:
        """The match index's fourth column (search 0011, ADR 0432): `tag:POS` is checked at the
        word's postings in the one GIN scan, where the facet table's EXISTS probed it for every
        match (a hash of every entry with the tag at 1M documents)."""
        return "e.facets_arr && %s::text[]", [[facet_key(facet, value) for value in values]]

    def _kinds_clause(self, kinds: list[str]) -> tuple[str, list]:
        """Written as the match index's third column (search 0011, ADR 0432): the GIN scan
        checks the kind at the word's postings, where `kind IN (…)` made the planner AND a
        bitmap of every row of the readable kinds (37k of 100k for a reader of five kinds)."""
        return f"{KIND_ARRAY} && %s::text[]", [list(kinds)]

    def _text_clause(self, parsed, keys):
        clauses, params = [], []
        join, score = f"{ENTRY} e", "0"
        query = tsquery_literal(parsed)
        if query:
            join = f"{ENTRY} e CROSS JOIN (SELECT %s::tsquery AS q) AS tq"
            params.append(query)
            clauses.append("e.tsv @@ tq.q")
            score = f"ts_rank('{RANK_WEIGHTS}', e.tsv, tq.q)" if parsed.has_text else "0"
        if keys is not None:
            clauses.append("e.keys_arr && %s::text[]")
            params.append(sorted(keys))
        return join, " AND ".join(clauses), params, score

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
        """One round trip (ADR 0422): the GIN index (tsv, keys_arr) finds the readable matches
        once; from those narrow rows come the exact kind counts and the best candidates; only
        the candidates are ranked with ts_rank (the tsvector is read for them alone), and their
        facet values are counted in the same statement, which also returns the page's rows.
        The candidates and the page's rows are read back by the match's ctid, and their facet
        values taken from those rows (ADR 0431).

        The candidates are chosen by the order of ADR 0412 with the title-word count standing
        in for the rank — boosted kind, title words, newest, kind, object id — and the page is
        cut by the same order with the rank itself, so whenever every match is a candidate the
        order is exactly 0412's, and a boosted kind's pages are never left out of the
        candidates (nor out of the capped match: its matches are read first)."""
        offset = (page - 1) * per_page
        if offset + per_page > MAX_RESULT_WINDOW:
            offset = MAX_RESULT_WINDOW  # past the last page: counts and facets, no hits
        window = max(
            min(offset + per_page, MAX_RESULT_WINDOW), embedded.FACET_SAMPLE if facets else 0
        )
        join, where, params, _score = self._where(parsed, keys)
        title_hits, title_params = title_hits_sql(parsed)
        boost = list(parsed.boost_kinds) if sort != "date" else []
        columns = f"e.ctid AS t, e.id, e.kind, e.object_id, e.created_at, {title_hits} AS th"
        if boost:
            # The boosted kind's matches and the others are read separately, each up to the
            # cap, so that a broad match never crowds the kind that must come first out.
            marks = ", ".join(["%s"] * len(boost))
            match = (
                f"(SELECT {columns}, 0 AS b FROM {join} WHERE {where} AND e.kind IN ({marks}) "
                f"LIMIT %s) UNION ALL (SELECT {columns}, 1 AS b FROM {join} WHERE {where} "
                f"AND e.kind NOT IN ({marks}) LIMIT %s)"
            )
            match_params = [
                *title_params, *params, *boost, MATCH_CAP + 1,
                *title_params, *params, *boost, MATCH_CAP + 1,
            ]  # fmt: skip
        else:
            match = f"SELECT {columns}, 0 AS b FROM {join} WHERE {where} LIMIT %s"
            match_params = [*title_params, *params, MATCH_CAP + 1]
        newest = "created_at DESC NULLS LAST"
        ties = ["kind COLLATE \"C\" ASC", "object_id COLLATE \"C\" ASC"]  # fmt: skip
        if sort == "date":
            candidate_order = [newest, "th DESC", *ties]
            final_order = [newest, "score DESC", *ties]
        else:
            candidate_order = ["b", "th DESC", newest, *ties]
            final_order = ["b", "score DESC", newest, *ties]
        order = ", ".join("m." + key for key in candidate_order)
        final = ", ".join("s." + key for key in final_order)
        if parsed.has_text:
            rank = f"ts_rank('{RANK_WEIGHTS}', r.tsv, %s::tsquery)::float8"
            rank_params = [tsquery_literal(parsed)]
        else:
            rank, rank_params = "0::float8", []
        # The candidates' rows are read again by their tuple id (`t`, the match's ctid: one
        # heap page each, no primary-key descent; same statement, same snapshot), for ts_rank
        # and for their tag, product and category values, which are the facet rows' sources
        # (`_index_batch` writes both from the same document): no facet-table lookups.
        sql = (
            f"WITH m AS MATERIALIZED ({match}), "
            "top AS MATERIALIZED (SELECT m.t, m.id, m.kind, m.object_id, m.created_at, m.b, "
            f"m.th FROM m ORDER BY {order} LIMIT %s), "
            "s AS MATERIALIZED (SELECT top.t, top.id, top.kind, top.object_id, top.created_at, "
            f"top.b, {rank} AS score, r.tags, r.products, r.category FROM top "
            f"JOIN {ENTRY} r ON r.ctid = top.t), "
            f"pg AS (SELECT s.t, s.id, s.score, row_number() OVER (ORDER BY {final}) AS pos "
            f"FROM s ORDER BY {final} OFFSET %s LIMIT %s) "
            "SELECT 'hit', pg.id, pg.score, pg.pos, h.kind, NULL, h.object_id, h.title, h.url, "
            f"h.body, h.created_at FROM pg JOIN {ENTRY} h ON h.ctid = pg.t "
            "UNION ALL SELECT 'kind', NULL, COUNT(*), NULL, m.kind, NULL, NULL, NULL, NULL, NULL, "
            "NULL FROM m GROUP BY m.kind "
            "UNION ALL SELECT 'window', NULL, COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
            "NULL FROM s "
            "UNION ALL SELECT 'facet', NULL, COUNT(*), NULL, v.facet, v.value, NULL, NULL, NULL, "
            "NULL, NULL FROM s CROSS JOIN LATERAL ("
            "SELECT 'tag', left(x, 200) FROM jsonb_array_elements_text(s.tags) AS x "
            "UNION ALL SELECT 'product', left(x, 200) FROM jsonb_array_elements_text(s.products) "
            "AS x UNION ALL SELECT 'category', left(s.category, 200) WHERE s.category <> '') "
            "AS v(facet, value) WHERE %s GROUP BY v.facet, v.value"
        )
        all_params = [
            *match_params, window, *rank_params, offset, per_page, bool(facets),
        ]  # fmt: skip
        hits: list[tuple[int, Hit]] = []
        kinds: list[tuple[str, int]] = []
        tally: dict[str, list[tuple[str, int]]] = {}
        candidates = 0
        with connection.cursor() as cursor:
            cursor.execute(sql, all_params)
            for part, _pk, number, pos, label, value, *hit in cursor.fetchall():
                if part == "hit":
                    object_id, title, url, body, created_at = hit
                    hit_row = Hit(
                        kind=label, object_id=object_id, title=title, url=url, score=number,
                        created_at=created_at, body=body,
                    )  # fmt: skip
                    hits.append((pos, hit_row))
                elif part == "kind":
                    kinds.append((label, int(number)))
                elif part == "window":
                    candidates = int(number)
                elif label in VALUE_FACETS:
                    tally.setdefault(label, []).append((value, int(number)))
            matched = sum(n for _, n in kinds)
            boosted = sum(n for kind, n in kinds if kind in boost)
            count_exact = boosted <= MATCH_CAP and matched - boosted <= MATCH_CAP
            total = matched
            if not count_exact:
                total = max(self._estimate(cursor, join, where, params), matched)
        if not count_exact:
            kinds = [(kind, round(n * total / matched)) for kind, n in kinds]
        hits.sort(key=lambda row: row[0])
        counts: dict[str, list[tuple[str, int]]] = {}
        sample = 0
        if facets and total:
            counts["kind"] = sorted(kinds, key=lambda row: (-row[1], row[0]))
            sample = candidates if total > candidates else 0
            for facet in VALUE_FACETS:
                if facet in tally:
                    counts[facet] = sorted(tally[facet], key=lambda r: (-r[1], r[0]))[:20]
        return SearchResults(
            count=total, hits=[hit for _, hit in hits], facets=counts, page=page,
            per_page=per_page, facets_sample=sample, count_exact=count_exact,
        )  # fmt: skip

    def _estimate(self, cursor, join: str, where: str, params: list) -> int:
        """The planner's row estimate for a match too broad to count (its statistics of
        lexemes and keys come from ANALYZE), never below what was actually read."""
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {join} WHERE {where}", params)
        plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            import json

            plan = json.loads(plan)
        return max(int(plan[0]["Plan"]["Plan Rows"]), MATCH_CAP + 1)

    def finish_rebuild(self, token: object) -> int:
        stale = super().finish_rebuild(token)
        # A rebuild rewrote every row: fresh statistics let the planner pick the GIN index.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ENTRY}, {FACET}")
        return stale

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
        return join, " AND ".join(clauses), params, f"ts_rank('{RANK_WEIGHTS}', e.tsv, tq.q)"

    def structural_problems(self) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM search_searchentry "
                "WHERE tsv IS NULL OR keys_arr IS NULL OR facets_arr IS NULL"
            )
            missing = cursor.fetchone()[0]
        return [f"{missing} entries without a tsvector"] if missing else []

    def repair_structure(self) -> None:
        from ..models import SearchEntry

        missing = SearchEntry.objects.extra(
            where=["tsv IS NULL OR keys_arr IS NULL OR facets_arr IS NULL"]
        ).prefetch_related("facets")
        for entry in missing.iterator(chunk_size=500):
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE search_searchentry SET tsv = %s::tsvector, keys_arr = %s::text[], "
                    "facets_arr = %s::text[] WHERE id = %s",
                    [tsvector_literal(entry.title_terms.split(), entry.body_terms.split()),
                     list(entry.keys),
                     [facet_key(f.facet, f.norm) for f in entry.facets.all()], entry.pk],
                )  # fmt: skip
