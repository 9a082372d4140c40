"""Interest matching: stored queries found through the inverted index, in both languages."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.search import interests
from portal.search.documents import SearchDocument
from portal.search.interests import (
    _candidates,
    delete_interest_query,
    match_interests,
    save_interest_query,
)
from portal.search.models import InterestTerm
from portal.search.query import parse_query

pytestmark = pytest.mark.django_db


def doc(title, body="", **extra):
    extra.setdefault("kind", "article")
    return SearchDocument(
        object_id=extra.pop("object_id", "1"),
        title=title,
        body=body,
        url="/x/",
        keys=["staff"],
        **extra,
    )


def test_a_chinese_word_inside_a_sentence_matches_its_interest():
    save_interest_query(interest_id=1, query="商机")
    save_interest_query(interest_id=2, query="报价")

    assert match_interests(doc("帮助销售人员跟踪商机")) == [1]


def test_traditional_text_matches_a_simplified_interest_and_back():
    save_interest_query(interest_id=1, query="客户")
    save_interest_query(interest_id=2, query="客戶 投訴")

    assert match_interests(doc("重要客戶名單")) == [1]
    assert match_interests(doc("客户投诉处理流程")) == [1, 2]


def test_english_interest_matches_other_forms_of_the_word():
    save_interest_query(interest_id=7, query="Price increases")

    assert match_interests(doc("The pricing was INCREASED in 2026")) == [7]
    assert match_interests(doc("Prices are stable")) == []


def test_phrase_exclusion_and_filters_are_honoured():
    save_interest_query(interest_id=1, query='"price increase" -rumour')
    save_interest_query(interest_id=2, query="competitor type:topic")
    save_interest_query(interest_id=3, query="tag:CRM")

    assert match_interests(doc("A price increase is coming")) == [1]
    assert match_interests(doc("A price increase rumour")) == []
    assert match_interests(doc("increase the price")) == []
    assert match_interests(doc("New competitor", kind="topic", tags=["crm"])) == [2, 3]
    assert match_interests(doc("New competitor", kind="article")) == []


def test_date_range_interest():
    save_interest_query(interest_id=1, query="合同 after:2026-01-01")

    assert match_interests(doc("合同", created_at=datetime(2026, 2, 1, tzinfo=UTC))) == [1]
    assert match_interests(doc("合同", created_at=datetime(2025, 2, 1, tzinfo=UTC))) == []


def test_replacing_and_deleting_an_interest():
    save_interest_query(interest_id=5, query="商机")
    save_interest_query(interest_id=5, query="合同")

    assert match_interests(doc("跟踪商机")) == []
    assert match_interests(doc("签订合同")) == [5]
    delete_interest_query(5)
    assert match_interests(doc("签订合同")) == []
    assert not InterestTerm.objects.exists()


def test_a_stored_query_is_a_candidate_only_when_the_document_holds_all_its_terms():
    save_interest_query(interest_id=1, query="华为 降价 2026")

    assert sorted(InterestTerm.objects.values_list("term", flat=True)) == ["2026", "华为", "降价"]
    assert _candidates(["华为", "降价"]) == []
    assert [row[0] for row in _candidates(["华为", "降价", "2026", "x"])] == [1]
    assert match_interests(doc("2026年华为降价汇总")) == [1]
    assert match_interests(doc("2026年华为分析")) == []


def test_a_stored_query_matches_through_the_synonyms_of_its_words():
    # 竞品 and 报价 have synonyms in the seeded list (competitor…, quote…).
    save_interest_query(interest_id=1, query="竞品 报价")

    assert match_interests(doc("Competitor quotation for 2026")) == [1]
    assert match_interests(doc("竞争对手的报价单")) == [1]
    assert match_interests(doc("竞争对手的年报")) == []


def test_an_empty_query_matches_nothing():
    save_interest_query(interest_id=1, query="   ")

    assert match_interests(doc("anything")) == []


def test_a_filter_only_interest_matches_by_its_filter():
    save_interest_query(interest_id=4, query="type:deal,topic")

    assert match_interests(doc("anything", kind="topic")) == [4]
    assert match_interests(doc("anything", kind="article")) == []


def test_matching_survives_the_parsed_query_cache_filling_up(monkeypatch):
    from portal.search import interests

    save_interest_query(interest_id=1, query="商机")
    save_interest_query(interest_id=2, query="报价")
    assert match_interests(doc("商机")) == [1]  # "商机" is cached now
    monkeypatch.setattr(interests, "CACHE_LIMIT", 1)
    # a document needing one cached and one new query makes the cache overflow and clear
    cached = next(iter(interests._parsed_cache.values()))
    monkeypatch.setitem(interests._parsed_cache, (0, "filler"), cached)
    assert match_interests(doc("商机 报价")) == [1, 2]


def test_each_index_row_carries_how_many_terms_its_query_requires():
    save_interest_query(interest_id=1, query="华为 降价 2026")
    assert set(InterestTerm.objects.values_list("term", "required")) == {
        ("2026", 3), ("华为", 3), ("降价", 3),
    }  # fmt: skip
    # replaced by a filter-only query: any one of its values will do
    save_interest_query(interest_id=1, query="type:deal,topic")
    assert sorted(InterestTerm.objects.values_list("required", flat=True)) == [1, 1]
    assert match_interests(doc("x", kind="deal")) == [1]


def _statements(document) -> tuple[int, list[int]]:
    with CaptureQueriesContext(connection) as captured:
        matched = match_interests(document)
    return len(captured.captured_queries), matched


def test_a_document_is_matched_in_one_statement_once_the_process_has_the_parsed_queries():
    # ADR 0430: the inverted index, the hit counts and the passing queries' versions in one
    # statement; the parsed forms read once per process, not with each document.
    for interest_id, query in enumerate(["商机", "报价", "合同 华为", "price", "type:topic"], 1):
        save_interest_query(interest_id=interest_id, query=query)
    interests.forget_parsed_queries()  # as in a new process

    assert _statements(doc("nothing stored matches this")) == (1, [])  # no candidate: no read
    assert _statements(doc("商机")) == (2, [1])  # every stored query's parsed form, at once
    assert _statements(doc("报价 price")) == (1, [2, 4])
    assert _statements(doc("华为合同", kind="topic")) == (1, [3, 5])
    # A query saved since is read with the first document it is a candidate for, then cached.
    save_interest_query(interest_id=6, query="回款")
    assert _statements(doc("回款 商机")) == (2, [1, 6])
    assert _statements(doc("回款")) == (1, [6])


def test_a_query_reparsed_by_another_process_is_matched_in_its_new_form():
    # Stored before 竞品 had synonyms, and matched (so cached) in that form.
    interests._store(1, "竞品 报价", parse_query("竞品 报价", synonyms={}))
    assert match_interests(doc("竞品报价")) == [1]
    assert match_interests(doc("竞争对手的报价单")) == []
    # The rebuild command, in another process, reparses it with the synonyms (reparse_interests
    # stores each outdated query so); nobody tells this process's cache.
    interests._store(1, "竞品 报价", parse_query("竞品 报价"))

    assert match_interests(doc("竞争对手的报价单")) == [1]
