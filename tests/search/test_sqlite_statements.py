"""Statements per search on SQLite (ADR 0428): one pass over the matches gives both the ranked
window and the kind counts of every match, however many there are — three statements in all
(that pass, the page's rows, the facet values), never a second full-text read to count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from portal.search.backends import embedded, make_backend
from portal.search.query import parse_query

from .conftest import make_doc

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's search statements"),
]
READER = frozenset({"staff", "u:7"})


def _index() -> None:
    make_backend("sqlite").index(
        [make_doc("topic", i, f"报价 price {i}", "body words", tags=["pricing"]) for i in range(12)]
        + [make_doc("deal", i, f"报价 deal {i}", "body", tags=["renewal"]) for i in range(5)]
    )


def test_a_search_is_three_statements(django_assert_num_queries):
    _index()
    backend = make_backend("sqlite")
    backend.search(parse_query("报价"), keys=READER)  # synonyms are read once per process
    for page_size in (1, 20):
        # The matches (ranked window and kind counts), the page's rows, the facet values.
        with django_assert_num_queries(3):
            results = backend.search(parse_query("报价"), keys=READER, per_page=page_size)
        assert results.count == 17 and len(results.hits) == min(page_size, 17)
        assert results.facets["kind"] == [("topic", 12), ("deal", 5)]
        assert dict(results.facets["tag"]) == {"pricing": 12, "renewal": 5}
        assert results.facets_sample == 0


def test_more_matches_than_the_sample_are_counted_in_the_same_pass(
    monkeypatch, django_assert_num_queries
):
    _index()
    backend = make_backend("sqlite")
    everything = backend.search(parse_query("报价"), keys=READER, per_page=20)
    monkeypatch.setattr(embedded, "FACET_SAMPLE", 6)
    # The window stops at the sample; the kinds of every match still come from the same pass.
    with django_assert_num_queries(3):
        results = backend.search(parse_query("报价"), keys=READER, per_page=2)
    assert results.count == 17 and len(results.hits) == 2
    assert results.facets["kind"] == [("topic", 12), ("deal", 5)]
    assert results.facets_sample == 6
    # The same first hits, in the same order, as the search that had every match in hand.
    assert [h.object_id for h in results.hits] == [h.object_id for h in everything.hits[:2]]
    for sort in ("relevance", "date"):
        pages = [
            backend.search(parse_query("报价"), keys=READER, per_page=3, page=n, sort=sort)
            for n in range(1, 7)
        ]
        ids = [(h.kind, h.object_id) for page in pages for h in page.hits]
        full = backend.search(parse_query("报价"), keys=READER, per_page=20, sort=sort)
        assert ids == [(h.kind, h.object_id) for h in full.hits], sort


def test_the_window_rows_are_not_parsed_into_datetimes():
    """ADR 0432: the ranked window's dates only order it in SQL; fetched as the declared
    datetime column, the driver parsed each of up to 500 rows' text into a datetime (8 % of
    the statement's CPU over the bench's queries). The hits still carry their dates."""
    backend = make_backend("sqlite")
    start = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    backend.index(
        [make_doc("topic", i, f"报价 {i}", created_at=start + timedelta(days=i)) for i in range(6)]
    )
    backend.search(parse_query("报价"), keys=READER)  # synonyms are read once per process
    fetched = []
    original = connection.cursor

    def recording_cursor(*args, **kwargs):
        cursor = original(*args, **kwargs)
        fetchall = cursor.fetchall

        def recorded():
            rows = fetchall()
            fetched.append(rows)
            return rows

        cursor.fetchall = recorded
        return cursor

    connection.cursor = recording_cursor
    try:
        results = backend.search(parse_query("报价"), keys=READER, sort="date")
    finally:
        del connection.cursor
    window = fetched[0]
    assert len(window) == 6 + 1  # the ranked window, then one row per kind
    assert all(isinstance(row[4], str) for row in window if row[0] == 0), window[:2]
    dates = [hit.created_at for hit in results.hits]
    assert dates == [start + timedelta(days=i) for i in reversed(range(6))]
