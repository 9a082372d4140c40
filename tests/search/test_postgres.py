"""The shapes that make search and interest matching fast on PostgreSQL (ADR 0422, 0423):
one statement per search, planned on the (tsv, keys_arr) GIN index; counts estimated past the
match cap; the inverted index read once per batch of documents (every engine)."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.search import interests
from portal.search.backends import make_backend
from portal.search.interests import match_interests, match_interests_many, save_interest_query
from portal.search.query import parse_query

from .conftest import make_doc

pytestmark = pytest.mark.django_db
READER = frozenset({"staff", "u:7"})


def _index(count: int, title: str = "报价 price") -> None:
    make_backend(connection.vendor).index(
        [make_doc("topic", i, f"{title} {i}", "body words", tags=["pricing"]) for i in range(count)]
    )


def _planned_alone(call):
    """(what `call()` returns, the one statement it ran, that statement's plan). Tables this
    small are read whole by any sane planner: with sequential scans priced out, the plan shows
    what the statement's shape allows on a large table."""
    with CaptureQueriesContext(connection) as captured:
        result = call()
    (statement,) = [q["sql"] for q in captured.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + statement)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return result, statement, plan


@pytest.mark.postgres
def test_a_search_is_one_statement_whatever_the_page(django_assert_num_queries):
    _index(30)
    backend = make_backend("postgresql")
    # The synonym sets are read once per process and kept (ADR 0412): not a search's cost, and
    # whether an earlier test read them already must not change this count.
    backend.search(parse_query("报价"), keys=READER)
    for page_size in (1, 20):
        with django_assert_num_queries(1):
            results = backend.search(parse_query("报价"), keys=READER, per_page=page_size)
        assert len(results.hits) == page_size and results.count == 30 and results.count_exact
        assert dict(results.facets["kind"]) == {"topic": 30}
        assert dict(results.facets["tag"]) == {"pricing": 30}


@pytest.mark.postgres
def test_the_search_statement_is_planned_on_the_text_and_keys_gin_index():
    _index(30)
    backend = make_backend("postgresql")
    # Whether the statement's shape lets the GIN index answer both the words and the reader's
    # keys in one scan (the old shape ANDed two bitmaps).
    _, _, plan = _planned_alone(lambda: backend.search(parse_query("报价 price"), keys=READER))
    assert "search_entry_match_all" in plan
    index_cond = next(line for line in plan.splitlines() if "Index Cond" in line and "tsv" in line)
    assert "@@" in index_cond and "keys_arr &&" in index_cond


@pytest.mark.postgres
def test_the_readable_kinds_are_checked_inside_the_match_index_scan():
    """ADR 0432: a reader's kinds are the match index's third column, not a second bitmap of
    every row of those kinds from the (kind, created_at) b-tree ANDed with the match's."""
    _index(30)
    backend = make_backend("postgresql")
    parsed = dataclasses.replace(parse_query("报价"), kinds=["article", "topic"])
    backend.search(parsed, keys=READER)  # the synonym sets, read once per process
    results, _, plan = _planned_alone(lambda: backend.search(parsed, keys=READER))
    assert results.count == 30  # the fixture's topics are all readable here
    index_cond = next(line for line in plan.splitlines() if "Index Cond" in line and "tsv" in line)
    assert "ARRAY[(kind)::text] &&" in index_cond, plan
    assert "search_entry_kind_date" not in plan and "BitmapAnd" not in plan, plan
    narrowed = dataclasses.replace(parsed, kinds=["article"])
    assert backend.search(narrowed, keys=READER).count == 0


@pytest.mark.postgres
def test_a_value_filter_is_checked_inside_the_match_index_scan():
    """ADR 0432: `tag:` (and product, category, owner) filters are the match index's fourth
    column, `facets_arr`, written from the same values as the facet rows; the facet table is
    not probed per match."""
    backend = make_backend("postgresql")
    backend.index(
        [make_doc("topic", i, f"报价 {i}", tags=["POS", "ＶＩＰ"] if i % 3 == 0 else ["CRM"],
                  category="零售" if i % 2 else "", owner="sales1")
         for i in range(30)]
    )  # fmt: skip
    backend.search(parse_query("报价"), keys=READER)  # the synonym sets, read once per process
    results, _, plan = _planned_alone(
        lambda: backend.search(parse_query("报价 tag:pos,vip"), keys=READER)
    )
    assert results.count == 10  # i % 3 == 0; matched case- and width-folded, either value
    index_cond = next(line for line in plan.splitlines() if "Index Cond" in line and "tsv" in line)
    assert "facets_arr &&" in index_cond, plan
    assert "search_searchfacet" not in plan.split("CTE top")[0], plan
    assert backend.search(parse_query("报价 category:零售 tag:CRM"), keys=READER).count == 10
    assert backend.search(parse_query("报价 owner:sales1 tag:nothing"), keys=READER).count == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT facets_arr FROM search_searchentry WHERE object_id = '3'")
        assert sorted(cursor.fetchone()[0]) == [
            "category:零售",
            "owner:sales1",
            "tag:pos",
            "tag:vip",
        ]


@pytest.mark.postgres
def test_entries_missing_their_filter_values_are_reported_and_repaired():
    backend = make_backend("postgresql")
    backend.index([make_doc("topic", 1, "报价", tags=["POS"]), make_doc("topic", 2, "报价")])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE search_searchentry SET facets_arr = NULL")
    assert backend.structural_problems() == ["2 entries without a tsvector"]
    backend.repair_structure()
    assert backend.structural_problems() == []
    assert backend.search(parse_query("报价 tag:pos"), keys=READER).count == 1


@pytest.mark.postgres
def test_the_candidates_are_read_back_by_tuple_id_and_facets_from_their_rows():
    """ADR 0431: after the match, the candidates (ranked) and the page's rows are fetched by
    the match's ctid, not through the primary key, and the value facets come from the
    candidates' own tags/products/category, not from the facet table (both were as many
    index descents as candidates: half the buffers of a broad word's statement)."""
    _index(30)
    backend = make_backend("postgresql")
    backend.search(parse_query("报价"), keys=READER)  # the synonym sets, read once per process
    _, _, plan = _planned_alone(lambda: backend.search(parse_query("报价"), keys=READER))
    assert plan.count("Tid Scan on search_searchentry") == 2, plan
    assert "search_searchentry_pkey" not in plan and "search_entry_cover" not in plan, plan
    assert "search_searchfacet" not in plan and "search_facet" not in plan, plan


@pytest.mark.postgres
def test_facets_from_the_candidates_rows_equal_the_facet_rows():
    long_tag = "长" * 230  # facet values are cut to 200 characters
    docs = [
        make_doc("topic", 1, "报价 one", tags=["pricing", "pricing", long_tag], products=["P1"],
                 category="key"),
        make_doc("topic", 2, "报价 two", tags=["pricing"], products=["P1", "P2"], category=""),
        make_doc("qa", 3, "报价 three", tags=[], products=[], category="normal"),
        make_doc("qa", 4, "报价 four", tags=["VIP"], category="key", owner="ann"),
    ]  # fmt: skip
    make_backend("postgresql").index(docs)
    results = make_backend("postgresql").search(parse_query("报价"), keys=READER)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT facet, value, COUNT(*) FROM search_searchfacet "
            "WHERE facet IN ('tag', 'product', 'category') GROUP BY facet, value"
        )
        expected: dict[str, dict[str, int]] = {}
        for facet, value, n in cursor.fetchall():
            expected.setdefault(facet, {})[value] = n
    got = {f: dict(rows) for f, rows in results.facets.items() if f != "kind"}
    assert got == expected
    assert got["tag"] == {"pricing": 2, "长" * 200: 1, "VIP": 1}  # a document's tags are a set
    assert "owner" not in results.facets


@pytest.mark.postgres
def test_a_match_too_broad_to_count_is_estimated_and_says_so(monkeypatch):
    from portal.search.backends import postgres

    _index(12)
    monkeypatch.setattr(postgres, "MATCH_CAP", 5)
    results = make_backend("postgresql").search(parse_query("报价"), keys=READER, per_page=3)
    assert results.count_exact is False
    assert results.count > 5  # the planner's estimate, never below what was read
    assert len(results.hits) == 3
    assert sum(n for _, n in results.facets["kind"]) == pytest.approx(results.count, abs=1)


def test_exact_counts_say_so_on_every_database_engine():
    _index(3)
    results = make_backend(connection.vendor).search(parse_query("报价"), keys=READER)
    assert results.count == 3 and results.count_exact is True


def test_interest_matching_reads_the_inverted_index_once_per_batch(django_assert_num_queries):
    save_interest_query(interest_id=1, query="竞品 报价")
    save_interest_query(interest_id=2, query="price -rumour")
    save_interest_query(interest_id=3, query="type:deal")
    documents = [
        make_doc("topic", 1, "竞品报价汇总"),
        make_doc("topic", 2, "price rumour"),
        make_doc("deal", 3, "new price"),
        make_doc("topic", 4, "nothing"),
    ]
    expected = [[1], [], [2, 3], []]
    interests.forget_parsed_queries()
    # One statement for the candidates of all four documents, one for the parsed queries
    # (the first match of a process reads them all); then the cache answers.
    with django_assert_num_queries(2):
        assert match_interests_many(documents) == expected
    with django_assert_num_queries(1):
        assert match_interests_many(documents) == expected
    assert [match_interests(document) for document in documents] == expected


@pytest.mark.postgres
def test_a_document_s_candidates_are_counted_on_the_term_index_alone():
    # ADR 0430: the hit counts are compared with the `required` copied on each index row
    # (index-only), and only the stored queries that pass are read, by primary key.
    for interest_id, query in enumerate(["竞品 报价", "price", "合同 华为", "type:topic"], 1):
        save_interest_query(interest_id=interest_id, query=query)
    document = make_doc("topic", 1, "竞品报价 price list")
    interests.forget_parsed_queries()
    match_interests(document)
    matched, statement, plan = _planned_alone(lambda: match_interests(document))
    assert matched == [1, 2, 4]
    assert "Index Only Scan using search_interest_term_req on search_interestterm" in plan
    query_reads = [line for line in plan.splitlines() if "on search_interestquery" in line]
    assert len(query_reads) == 1 and "Index Scan using search_interestquery_pkey" in query_reads[0]
    # the document's terms travel as one array parameter, not one placeholder each
    assert "unnest(" in statement and "VALUES" not in statement


def test_a_batch_larger_than_one_statement_is_split(monkeypatch, django_assert_num_queries):
    save_interest_query(interest_id=1, query="竞品 报价")
    monkeypatch.setattr(interests, "MAX_PAIRS", 5)
    documents = [make_doc("topic", i, "竞品报价汇总 with more words") for i in range(3)]
    interests.match_interests(documents[0])  # cache the parsed query
    with django_assert_num_queries(3):
        assert match_interests_many(documents) == [[1], [1], [1]]


def test_the_api_says_whether_the_count_is_exact(people, client_for):
    _index(25)
    client = client_for(people["sales1"])
    client.get("/api/v1/search/", {"q": "报价"})  # warm: content types, jieba
    counts = []
    for size in (1, 25):
        with CaptureQueriesContext(connection) as captured:
            body = client.get("/api/v1/search/", {"q": "报价", "page_size": size}).json()
        counts.append(len(captured.captured_queries))
        assert body["count"] == 25 and body["count_exact"] is True
        assert len(body["results"]) == size
    # The same number of statements for one hit and for a full page: session, user, the
    # reader's access keys, the reader's module permissions (user's and groups' in one
    # statement, ADR 0426: the kinds' policies ask them, ADR 0140), the search itself on
    # PostgreSQL.
    assert counts[0] == counts[1]
    if connection.vendor == "postgresql":
        assert counts[0] == 5


@pytest.mark.postgres
def test_a_kind_name_finds_its_kind_first_even_past_the_match_cap(monkeypatch):
    from portal.search.backends import postgres

    # The articles come first in the table, so a single capped read of the matches would hold
    # only articles; the boosted kind's matches are read on their own.
    backend = make_backend("postgresql")
    backend.index([make_doc("article", i, f"Competitor study {i}") for i in range(8)])
    backend.index([make_doc("competitor", i, f"Vendor {i}") for i in (1, 2)])
    monkeypatch.setattr(postgres, "MATCH_CAP", 5)

    results = backend.search(parse_query("competitor"), keys=READER, per_page=3)
    assert [hit.kind for hit in results.hits] == ["competitor", "competitor", "article"]
    assert results.count_exact is False and results.count >= 8
