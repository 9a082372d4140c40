"""Statements per search on SQLite (ADR 0428): the ranking statement brings each match's kind,
so when every match is in hand the kind counts need no statement of their own."""

from __future__ import annotations

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


def test_every_match_in_hand_is_three_statements(django_assert_num_queries):
    _index()
    backend = make_backend("sqlite")
    backend.search(parse_query("报价"), keys=READER)  # synonyms are read once per process
    for page_size in (1, 20):
        # The ranking (ids, scores, kinds), the page's rows, the facet values.
        with django_assert_num_queries(3):
            results = backend.search(parse_query("报价"), keys=READER, per_page=page_size)
        assert results.count == 17 and len(results.hits) == min(page_size, 17)
        assert results.facets["kind"] == [("topic", 12), ("deal", 5)]
        assert dict(results.facets["tag"]) == {"pricing": 12, "renewal": 5}
        assert results.facets_sample == 0


def test_more_matches_than_the_sample_count_kinds_over_every_match(
    monkeypatch, django_assert_num_queries
):
    _index()
    backend = make_backend("sqlite")
    backend.search(parse_query("报价"), keys=READER)
    monkeypatch.setattr(embedded, "FACET_SAMPLE", 6)
    # The ranking stops at the sample: one more statement counts the kinds of every match.
    with django_assert_num_queries(4):
        results = backend.search(parse_query("报价"), keys=READER, per_page=2)
    assert results.count == 17 and len(results.hits) == 2
    assert results.facets["kind"] == [("topic", 12), ("deal", 5)]
    assert results.facets_sample == 6
