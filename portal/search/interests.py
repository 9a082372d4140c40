"""Stored queries for interest matching — the API the notifications app calls.

`save_interest_query` stores a query (the search query language, Chinese or English) under the
caller's interest id; `match_interests(document)` returns the ids whose query the document
matches. Embedded engines keep an inverted index from one anchor term of each query to the
query, so a document is checked only against queries sharing a term with it (never every stored
query). On Elasticsearch the same API is answered by the percolator as well.

Permissions are not applied here: the caller knows whose interest each id is and must check that
the owner may open the object (portal.core.visibility.can_see) before notifying them.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from .documents import SearchDocument
from .matching import AnalysedDocument, anchors_of, matches
from .models import InterestQuery, InterestTerm
from .query import ParsedQuery, parse_query

QUERY_TABLE = InterestQuery._meta.db_table
TERM_TABLE = InterestTerm._meta.db_table


def save_interest_query(*, interest_id: int, query: str) -> None:
    """Store or replace the query of one interest."""
    parsed = parse_query(query)
    _store(interest_id, query, parsed)
    from .backends import get_backend

    get_backend().save_interest(interest_id, parsed)


def _store(interest_id: int, query: str, parsed: ParsedQuery) -> None:
    terms, required = anchors_of(parsed)
    with transaction.atomic():
        stored, _ = InterestQuery.objects.update_or_create(
            interest_id=interest_id,
            defaults={"query": query, "parsed": parsed.to_dict()},
        )
        InterestTerm.objects.filter(interest=stored).delete()
        InterestTerm.objects.bulk_create(
            [InterestTerm(interest=stored, term=term, required=required) for term in terms]
        )


def stored_interests(batch: int = 1000) -> Iterator[tuple[int, str, dict]]:
    """(interest id, query, stored parsed form) of every stored query, in id order."""
    last = 0
    while True:
        rows = list(
            InterestQuery.objects.filter(interest_id__gt=last)
            .order_by("interest_id")
            .values_list("interest_id", "query", "parsed")[:batch]
        )
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def outdated_interests() -> list[tuple[int, str, ParsedQuery]]:
    """Stored queries whose parsed form differs from parsing them today (the synonym list or
    the analysis changed since they were saved)."""
    outdated = []
    for interest_id, query, stored in stored_interests():
        fresh = parse_query(query)
        if fresh.to_dict() != stored:
            outdated.append((interest_id, query, fresh))
    return outdated


def reparse_interests(outdated: list[tuple[int, str, ParsedQuery]] | None = None) -> int:
    """Store the current parsed form (and terms) of the outdated queries; the engine's own
    copy (the percolator) is reloaded by the caller."""
    outdated = outdated_interests() if outdated is None else outdated
    for interest_id, query, parsed in outdated:
        _store(interest_id, query, parsed)
    forget_parsed_queries()
    return len(outdated)


def parsed_interests() -> Iterator[tuple[int, ParsedQuery]]:
    for interest_id, _query, parsed in stored_interests():
        yield interest_id, ParsedQuery.from_dict(parsed)


def delete_interest_query(interest_id: int) -> None:
    InterestQuery.objects.filter(interest_id=interest_id).delete()
    from .backends import get_backend

    get_backend().delete_interest(interest_id)


def match_interests(document: SearchDocument) -> list[int]:
    """Ids of the stored queries the document matches, in ascending order."""
    return match_interests_many([document])[0]


def match_interests_many(documents: list[SearchDocument]) -> list[list[int]]:
    """`match_interests` of each document, reading the inverted index once per batch (one
    round trip for up to MAX_PAIRS document terms, ADR 0423, 0430)."""
    from .backends import get_backend

    backend = get_backend()
    if hasattr(backend, "match_interests"):  # Elasticsearch: the percolator answers
        return [backend.match_interests(document) for document in documents]
    analysed = [AnalysedDocument.of(document) for document in documents]
    candidates = _candidates_many([sorted(a.anchors()) for a in analysed])
    parsed = _parsed_queries([row for rows in candidates for row in rows])
    # A query missing from `parsed` was deleted or replaced between the two reads: the document
    # came before its new form.
    return [
        sorted({row[0] for row in rows if row in parsed and matches(parsed[row], a)})
        for a, rows in zip(analysed, candidates, strict=True)
    ]


# A stored query as matching knows it: (interest id, version). The version is the row's
# `updated_at` as text, changed by every save (a replaced query, a reparse in another process).
Candidate = tuple[int, str]


def _candidates(anchors: list[str]) -> list[Candidate]:
    """Stored queries whose every required term the document holds (one grouped SQL query)."""
    return _candidates_many([anchors])[0]


# Terms sent in one statement: far below SQLite's and PostgreSQL's parameter limits.
MAX_PAIRS = 5_000


def _candidates_many(anchor_lists: list[list[str]]) -> list[list[Candidate]]:
    """For each document's anchors, the stored queries whose every required term it holds:
    the documents' (number, term) pairs are joined with the inverted index and counted per
    (document, query) in one statement per batch."""
    found: list[list[Candidate]] = [[] for _ in anchor_lists]
    batch: list[tuple[int, str]] = []
    for number, anchors in enumerate(anchor_lists):
        if batch and len(batch) + len(anchors) > MAX_PAIRS:
            _read_candidates(batch, found)
            batch = []
        batch += [(number, anchor) for anchor in anchors]
    if batch:
        _read_candidates(batch, found)
    return found


# Up to this many (document, term) pairs, PostgreSQL reads the passing stored queries' text by
# primary key, one probe each: its planner cannot know how few of the hit queries pass (≈170 of
# ≈1,100 for one document) and would otherwise hash every stored query. Larger batches keep the
# hash join, which suits them.
PROBE_PAIRS = 1_000


def _read_candidates(pairs: list[tuple[int, str]], found: list[list[Candidate]]) -> None:
    """One statement: the documents' (number, term) pairs joined with the inverted index, hits
    counted per (document, stored query) and compared with the `required` copied on each index
    row (ADR 0430), so that the count is answered by one index-only scan; only the stored
    queries that pass are read, for their version."""
    if connection.vendor == "postgresql":
        # Two array parameters whatever the batch: one short statement text, nothing to build
        # or quote placeholder by placeholder, and the planner still sees the arrays' length.
        with_pairs = "WITH "
        pairs_from = "unnest(%s::int[], %s::text[]) AS d(doc, term)"
        params: list = [[doc for doc, _ in pairs], [term for _, term in pairs]]
    else:
        with_pairs = "WITH d(doc, term) AS (VALUES " + ", ".join(["(%s, %s)"] * len(pairs)) + "), "
        pairs_from = "d"
        params = [value for pair in pairs for value in pair]
    if connection.vendor == "postgresql" and len(pairs) <= PROBE_PAIRS:
        # OFFSET 0 keeps the LATERAL subquery from being flattened into a hash join.
        passing = (
            f"CROSS JOIN LATERAL (SELECT q.interest_id, q.updated_at FROM {QUERY_TABLE} q "  # noqa: S608
            "WHERE q.id = m.qid OFFSET 0) q"
        )
    else:
        passing = f"JOIN {QUERY_TABLE} q ON q.id = m.qid"
    sql = (
        f"{with_pairs}m AS MATERIALIZED (SELECT d.doc, t.interest_id AS qid FROM {pairs_from} "  # noqa: S608 - constants, placeholders
        f"JOIN {TERM_TABLE} t ON t.term = d.term "
        "GROUP BY d.doc, t.interest_id HAVING COUNT(*) >= MIN(t.required)) "
        f"SELECT m.doc, q.interest_id, CAST(q.updated_at AS TEXT) FROM m {passing}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for number, interest_id, version in cursor.fetchall():
            found[number].append((interest_id, version))


# Parsed stored queries by (interest id, version): matching the same queries against many
# documents would otherwise decode them again every time. The candidates statement returns only
# the version (a few bytes, where the parsed JSON is hundreds); a version changes with every save
# of the row, so an entry is never stale — also when another process replaced the query or
# reparsed it after a synonym change (ADR 0430).
_parsed_cache: dict[Candidate, ParsedQuery] = {}


CACHE_LIMIT = 50_000

# The first document with candidates in a process reads the parsed form of up to this many
# stored queries in one statement (10k queries: ≈0.25 s of CPU, ≈15–17 MB) instead of a second
# statement for the ones not cached yet with each of the next ≈1,000 documents; later misses
# (queries saved since) are still read per document (ADR 0430).
PRELOAD_LIMIT = 20_000
_preloaded = False


def forget_parsed_queries() -> None:
    """Empty the cache; the next match reads every stored query's parsed form again."""
    global _preloaded
    _parsed_cache.clear()
    _preloaded = False


def _parsed_queries(candidates: list[Candidate]) -> dict[Candidate, ParsedQuery]:
    """The parsed form of every candidate's query, from the cache or read in one query."""
    global _preloaded
    if candidates and not _preloaded:
        _preloaded = True
        _parsed_cache.update(_read_parsed(InterestQuery.objects.all()[:PRELOAD_LIMIT]))
    if len(_parsed_cache) > CACHE_LIMIT:  # before deciding what is missing, never after
        _parsed_cache.clear()
    # The candidates' own entries, so that another thread clearing the cache cannot lose them.
    found: dict[Candidate, ParsedQuery] = {}
    missing: list[int] = []
    for row in candidates:
        parsed = _parsed_cache.get(row)
        if parsed is None:
            missing.append(row[0])
        else:
            found[row] = parsed
    if missing:
        read = dict(_read_parsed(InterestQuery.objects.filter(interest_id__in=missing)))
        _parsed_cache.update(read)
        found.update(read)
    return found


def _read_parsed(stored: QuerySet[InterestQuery]) -> Iterator[tuple[Candidate, ParsedQuery]]:
    rows = stored.annotate(version=Cast("updated_at", TextField()))
    for interest_id, version, parsed in rows.values_list("interest_id", "version", "parsed"):
        yield (interest_id, version), ParsedQuery.from_dict(parsed)
