"""The engine contract: the same cases on every available engine (SQLite or PostgreSQL, and
Elasticsearch when ELASTICSEARCH_URL is set)."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.search.query import parse_query

from .conftest import make_doc

ALL = None  # an administrator's keys: no filter
STAFF = frozenset({"staff"})


def refs(results):
    return [f"{hit.kind}:{hit.object_id}" for hit in results.hits]


def run(backend, text, keys=STAFF, **options):
    return backend.search(parse_query(text, kind_groups={}), keys=keys, **options)


def test_a_two_character_chinese_word_is_found_inside_a_sentence(backend):
    backend.index([make_doc("article", 1, "CRM 简介", "帮助销售人员跟踪商机"),
                   make_doc("article", 2, "报价单", "年度报价")])  # fmt: skip

    assert refs(run(backend, "商机")) == ["article:1"]
    assert refs(run(backend, "销售")) == ["article:1"]


def test_traditional_and_simplified_find_each_other(backend):
    backend.index([make_doc("customer", 1, "重要客戶"), make_doc("customer", 2, "普通客户")])

    assert sorted(refs(run(backend, "客户"))) == ["customer:1", "customer:2"]
    assert sorted(refs(run(backend, "客戶"))) == ["customer:1", "customer:2"]


def test_english_is_stemmed_and_case_folded(backend):
    backend.index([make_doc("topic", 1, "Price INCREASES for 2026"),
                   make_doc("topic", 2, "Stable prices")])  # fmt: skip

    assert refs(run(backend, "increase")) == ["topic:1"]
    assert sorted(refs(run(backend, "PRICING"))) == ["topic:1", "topic:2"]


def test_all_words_must_match_and_titles_rank_above_bodies(backend):
    backend.index([
        make_doc("article", 1, "Onboarding", "competitor price list"),
        make_doc("article", 2, "Competitor price list", "onboarding"),
        make_doc("article", 3, "Competitor", "nothing else"),
    ])  # fmt: skip

    assert refs(run(backend, "competitor price")) == ["article:2", "article:1"]


def test_mixed_chinese_and_english(backend):
    backend.index([make_doc("article", 1, "Agora CRM 竞品报价", "2026 竞品 price list"),
                   make_doc("article", 2, "Agora CRM 介绍")])  # fmt: skip

    assert refs(run(backend, "crm 竞品")) == ["article:1"]


def test_exact_phrase(backend):
    backend.index([make_doc("topic", 1, "A price increase is coming"),
                   make_doc("topic", 2, "Increase the price")])  # fmt: skip

    assert refs(run(backend, '"price increase"')) == ["topic:1"]
    assert refs(run(backend, '"跟踪商机"')) == []


def test_exclusion(backend):
    backend.index([make_doc("topic", 1, "竞品 报价 rumour"), make_doc("topic", 2, "竞品 报价")])

    assert refs(run(backend, "竞品 -rumour")) == ["topic:2"]
    assert refs(run(backend, '竞品 -"报价 rumour"')) == ["topic:2"]


def test_type_tag_owner_category_filters(backend):
    backend.index([
        make_doc("deal", 1, "Big deal 华为", tags=["Strategic"], owner="sales1", category="won"),
        make_doc("topic", 2, "华为 discussion", tags=["strategic"], owner="sales2"),
        make_doc("customer", 3, "华为", category="key", owner="sales1"),
    ])  # fmt: skip

    assert refs(run(backend, "华为 type:deal")) == ["deal:1"]
    assert sorted(refs(run(backend, "华为 tag:strategic"))) == ["deal:1", "topic:2"]
    assert sorted(refs(run(backend, "华为 owner:sales1"))) == ["customer:3", "deal:1"]
    assert refs(run(backend, "category:key")) == ["customer:3"]


def test_date_range(backend):
    backend.index([
        make_doc("topic", 1, "合同 old", created_at=datetime(2025, 6, 1, tzinfo=UTC)),
        make_doc("topic", 2, "合同 new", created_at=datetime(2026, 2, 1, tzinfo=UTC)),
    ])  # fmt: skip

    assert refs(run(backend, "合同 after:2026-01-01")) == ["topic:2"]
    assert refs(run(backend, "合同 before:2025-12-31")) == ["topic:1"]
    assert refs(run(backend, "合同 date:2025-01-01..2025-12-31")) == ["topic:1"]


def test_sort_by_date(backend):
    backend.index([
        make_doc("topic", 1, "合同 合同 合同", created_at=datetime(2025, 6, 1, tzinfo=UTC)),
        make_doc("topic", 2, "合同", "x", created_at=datetime(2026, 2, 1, tzinfo=UTC)),
    ])  # fmt: skip

    assert refs(run(backend, "合同", sort="date")) == ["topic:2", "topic:1"]


def test_facets_and_pagination(backend):
    backend.index(
        [make_doc("topic", i, f"报价 {i}", tags=["pricing"]) for i in range(5)]
        + [make_doc("article", 10, "报价 guide", category="guides", products=["Agora CRM"])]
    )

    page = run(backend, "报价", per_page=2, page=3)
    assert page.count == 6
    assert len(page.hits) == 2
    assert dict(page.facets["kind"]) == {"topic": 5, "article": 1}
    assert dict(page.facets["tag"]) == {"pricing": 5}
    assert dict(page.facets["category"]) == {"guides": 1}
    assert dict(page.facets["product"]) == {"Agora CRM": 1}


def test_no_leak_in_hits_counts_or_facets(backend):
    backend.index([
        make_doc("customer", 1, "宏达科技", keys=["u:1", "m:5"], tags=["secret-tag"]),
        make_doc("customer", 2, "宏达贸易", keys=["u:2"]),
        make_doc("topic", 3, "宏达 public", keys=["staff"]),
    ])  # fmt: skip
    reader = frozenset({"staff", "u:2"})

    results = run(backend, "宏达", keys=reader)
    assert sorted(refs(results)) == ["customer:2", "topic:3"]
    assert results.count == 2
    assert "tag" not in results.facets
    assert run(backend, "宏达科技", keys=reader).count == 0
    assert backend.count(parse_query("科技", kind_groups={}), keys=reader) == 0
    assert run(backend, "tag:secret-tag", keys=reader).count == 0
    assert backend.autocomplete("宏达", keys=reader)[0].object_id in {"2", "3"}
    assert {h.object_id for h in backend.autocomplete("宏达", keys=reader)} == {"2", "3"}
    assert run(backend, "宏达", keys=frozenset()).count == 0
    assert run(backend, "宏达", keys=ALL).count == 3
    assert run(backend, "宏达", keys=frozenset({"m:5"})).count == 1


def test_reindex_replaces_and_remove_deletes(backend):
    backend.index([make_doc("deal", 1, "Alpha 项目")])
    backend.index([make_doc("deal", 1, "Beta 项目")])

    assert refs(run(backend, "alpha")) == []
    assert refs(run(backend, "beta")) == ["deal:1"]
    backend.remove([("deal", "1")])
    assert run(backend, "项目").count == 0


def test_autocomplete_completes_titles_by_prefix(backend):
    backend.index([make_doc("customer", 1, "Acme Corporation"),
                   make_doc("customer", 2, "北京宏达科技有限公司"),
                   make_doc("article", 3, "Other", "acme in the body only")])  # fmt: skip

    assert [h.title for h in backend.autocomplete("acm", keys=STAFF)] == ["Acme Corporation"]
    assert [h.title for h in backend.autocomplete("北京宏", keys=STAFF)] == ["北京宏达科技有限公司"]


def test_rebuild_drops_what_was_not_reindexed(backend):
    backend.index([make_doc("deal", 1, "旧 deal"), make_doc("deal", 2, "kept deal")])
    token = backend.begin_rebuild()
    backend.index([make_doc("deal", 2, "kept deal")])
    backend.finish_rebuild(token)

    assert refs(run(backend, "deal")) == ["deal:2"]
    assert backend.structural_problems() == []


def test_a_misspelt_english_name_gets_a_suggestion_where_the_engine_lists_terms(backend):
    from django.db import connection

    from portal.search.service import suggestions

    backend.index([make_doc("customer", 1, "Acme Robotics"), make_doc("customer", 2, "Zenith")])
    if backend.name != "sqlite":
        # PostgreSQL has no cheap vocabulary; Elasticsearch matches the typo itself (fuzziness).
        assert backend.similar_terms("robotcs") == []
        return

    assert connection.vendor == "sqlite"
    assert backend.similar_terms("robotcs") == ["robot"]
    assert suggestions(parse_query("robotcs"), frozenset({"staff"})) == [("robot", 1)]
    assert suggestions(parse_query("robotcs"), frozenset({"u:9"})) == []


def test_value_facets_come_from_the_best_matches_when_there_are_many(backend, monkeypatch):
    if backend.name == "elasticsearch":
        return  # aggregations count every match
    from portal.search.backends import embedded

    monkeypatch.setattr(embedded, "FACET_SAMPLE", 3)
    backend.index([make_doc("topic", i, f"报价 {i}", tags=["pricing"]) for i in range(5)])

    results = run(backend, "报价", per_page=2)
    assert results.count == 5
    assert dict(results.facets["kind"]) == {"topic": 5}
    assert results.facets_sample == 3
    assert dict(results.facets["tag"]) == {"pricing": 3}
    assert run(backend, "报价 4").facets_sample == 0


def test_kind_and_section_names_find_a_kind_in_both_languages_and_rank_it_first(backend):
    # Competitor profiles never say "competitor"; an article and a post do, in their titles.
    backend.index([
        make_doc("competitor", 1, "锐联科技", "收银系统厂商，价格低"),
        make_doc("competitor", 2, "Nimbus POS", "Cloud point of sale vendor"),
        make_doc("article", 3, "如何分析竞争对手 How to study a competitor", "竞品 competitor"),
        make_doc("topic", 4, "竞品降价了 competitor price cut", "竞争对手"),
        make_doc("product", 5, "Agora CRM", "客户管理"),
    ])  # fmt: skip

    for text in ("竞争对手", "竞品", "competitor", "Competitors", "競爭對手"):
        found = refs(run(backend, text))
        assert sorted(found[:2]) == ["competitor:1", "competitor:2"], (text, found)
        assert set(found[2:]) == {"article:3", "topic:4"}, (text, found)
    assert refs(run(backend, "竞争对手 锐联")) == ["competitor:1"]
    assert refs(run(backend, "产品")) == ["product:5"]
    assert refs(run(backend, "product")) == ["product:5"]


def test_ties_come_back_in_the_same_order_on_every_engine(backend):
    # Equal scores and dates: newest first, then kind and object id (compared as text).
    same = datetime(2026, 1, 1, tzinfo=UTC)
    backend.index([make_doc("topic", pk, "报价", created_at=same) for pk in (2, 10, 9)]
                  + [make_doc("topic", 1, "报价")])  # fmt: skip

    assert refs(run(backend, "报价")) == ["topic:10", "topic:2", "topic:9", "topic:1"]
    assert refs(run(backend, "报价", sort="date")) == refs(run(backend, "报价"))


def test_a_kind_name_ranks_its_kind_first_even_when_other_pages_fill_the_candidates(
    backend, monkeypatch
):
    from portal.search.backends import embedded

    # Fewer candidates than matches (the database engines rank only the best candidates): the
    # articles hold the word in their titles, the profiles only through their kind's name.
    monkeypatch.setattr(embedded, "FACET_SAMPLE", 3)
    backend.index([make_doc("competitor", i, f"Vendor {i}", "point of sale") for i in (1, 2)])
    backend.index([make_doc("article", i, f"Competitor study {i}", "competitor") for i in range(6)])

    first = run(backend, "competitor", per_page=2)
    assert sorted(refs(first)) == ["competitor:1", "competitor:2"]
    assert first.count == 8
    assert len(refs(run(backend, "competitor", per_page=2, page=2))) == 2


def test_ties_page_the_same_way_when_each_page_ranks_few_candidates(backend, monkeypatch):
    from portal.search.backends import embedded

    monkeypatch.setattr(embedded, "FACET_SAMPLE", 2)
    same = datetime(2026, 1, 1, tzinfo=UTC)
    backend.index([make_doc("topic", pk, "报价", created_at=same) for pk in (2, 10, 9)])

    pages = [refs(run(backend, "报价", per_page=1, page=n)) for n in (1, 2, 3)]
    assert pages == [["topic:10"], ["topic:2"], ["topic:9"]]


def test_no_page_past_the_result_window_on_any_engine(backend):
    backend.index([make_doc("topic", i, f"报价 {i}") for i in range(3)])

    past = run(backend, "报价", page=10_000 // 2 + 1, per_page=2)
    assert past.count == 3 and past.hits == []
    assert past.num_pages == 2
