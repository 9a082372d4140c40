"""The Elasticsearch backend without a server: mappings, query bodies, bulk actions, alias swap
and percolation bodies. (The contract suite runs it live when ELASTICSEARCH_URL is set.)"""

from __future__ import annotations

from datetime import UTC, datetime

from portal.search.backends.elastic import ElasticsearchBackend, document_source
from portal.search.documents import SearchDocument
from portal.search.query import parse_query
from portal.search.synonyms import table_of


def backend():
    return ElasticsearchBackend(url="http://es.invalid:9200", prefix="agora")


def parse(text):
    return parse_query(text, kind_groups={"records": ["customer", "contact"]}, synonyms={})


def test_the_documents_mapping_is_explicit_and_strict():
    body = backend().documents_index("agora-documents-1").to_dict()
    mapping = body["mappings"]

    assert mapping["dynamic"] == "strict"
    props = mapping["properties"]
    assert props["title_terms"] == {"type": "text", "analyzer": "agora_terms"}
    assert props["keys"] == {"type": "keyword"}
    assert props["phrase_text"] == {"type": "wildcard"}
    assert props["kind"]["type"] == "keyword"
    assert props["body"]["index"] is False
    analysis = body["settings"]["analysis"]["analyzer"]
    assert analysis == {"agora_terms": {"type": "custom", "tokenizer": "whitespace"}}
    # The title is shown, never searched: title_terms is (no unused cjk_bigram analysis).
    assert props["title"] == {"type": "text", "index": False}
    assert body["settings"]["max_result_window"] == 10_000


def test_the_percolator_index_maps_the_query_field():
    props = backend().interests_index_definition().to_dict()["mappings"]["properties"]

    assert props["query"] == {"type": "percolator"}
    assert props["title_terms"]["analyzer"] == "agora_terms"


def test_bulk_actions_carry_pre_analysed_terms_and_keys():
    doc = SearchDocument(
        kind="customer", object_id="7", title="重要客戶 Acme", body="帮助销售人员跟踪商机",
        url="/c/7/", keys=["u:1", "staff"], tags=["VIP"],
        created_at=datetime(2026, 1, 2, tzinfo=UTC),
    )  # fmt: skip

    (action,) = list(backend().bulk_actions([doc]))

    assert action["_op_type"] == "index"
    assert action["_index"] == "agora-documents"
    assert action["_id"] == "customer:7"
    source = action["_source"]
    assert source["title_terms"] == "重要 客户 acm"
    assert "商机" in source["body_terms"].split()
    assert source["keys"] == ["staff", "u:1"]
    assert source["tags_norm"] == ["vip"]
    assert source["created_at"] == "2026-01-02T00:00:00+00:00"


def test_a_rebuild_writes_to_the_new_index_and_swaps_the_alias_atomically():
    engine = backend()
    engine._rebuild_target = "agora-documents-new"
    doc = SearchDocument(kind="deal", object_id="1", title="x", body="", url="/", keys=["staff"])

    assert next(engine.bulk_actions([doc]))["_index"] == "agora-documents-new"
    assert engine.alias_swap_actions("agora-documents-new", ["agora-documents-old"]) == [
        {"remove": {"index": "agora-documents-old", "alias": "agora-documents"}},
        {"add": {"index": "agora-documents-new", "alias": "agora-documents"}},
    ]


def test_the_search_body_filters_on_the_readers_keys_inside_the_query():
    body = backend().build_search(
        parse('竞品 "price increase" -rumour type:records tag:VIP after:2026-01-01'),
        keys=frozenset({"staff", "u:2"}), page=2, per_page=10,
    ).to_dict()  # fmt: skip

    outer = body["query"]["bool"]
    assert outer["filter"] == [{"terms": {"keys": ["staff", "u:2"]}}]
    inner = outer["must"][0]["bool"]
    assert {"multi_match": {"query": "竞品", "fields": ["title_terms^10", "body_terms"],
                            "fuzziness": 0, "prefix_length": 1}} in inner["must"]  # fmt: skip
    assert {"wildcard": {"phrase_text": {"value": "*price increase*"}}} in inner["must"]
    assert {"terms": {"kind": ["customer", "contact"]}} in inner["filter"]
    assert {"terms": {"tags_norm": ["vip"]}} in inner["filter"]
    assert inner["filter"][-1]["range"]["created_at"]["gte"].startswith("2026-01-01")
    assert inner["must_not"][0]["bool"]["must"][0]["multi_match"]["query"] == "rumour"
    assert body["from"] == 10 and body["size"] == 10
    assert set(body["aggs"]) == {"kind", "tag", "category", "product"}
    assert body["track_total_hits"] is True


def test_english_words_tolerate_typos_but_chinese_and_short_words_do_not():
    query = backend().build_search(parse("acmee 报价 crm"), keys=None).to_dict()["query"]

    fuzziness = {m["multi_match"]["query"]: m["multi_match"]["fuzziness"]
                 for m in query["bool"]["must"]}  # fmt: skip
    assert fuzziness == {"acme": "AUTO", "报价": 0, "crm": 0}
    assert "filter" not in query["bool"] or query["bool"]["filter"] == []


def test_an_administrator_gets_no_keys_filter_and_sort_by_date():
    body = backend().build_search(parse("合同"), keys=None, sort="date").to_dict()

    assert "keys" not in str(body["query"])
    assert body["sort"] == [
        {"created_at": {"order": "desc", "missing": "_last"}}, {"_score": {"order": "desc"}},
        {"kind": {"order": "asc"}}, {"object_id": {"order": "asc"}},
    ]  # fmt: skip


def test_autocomplete_is_a_prefix_on_title_terms_with_keys():
    query = backend().autocomplete_query("北京宏", frozenset({"staff"}))

    assert query["bool"]["filter"] == [{"terms": {"keys": ["staff"]}}]
    assert {"prefix": {"title_terms": "宏"}} in query["bool"]["must"]


def test_stored_interest_queries_and_the_percolate_request():
    engine = backend()
    stored = engine.interest_source(5, parse("商机 tag:crm"))
    doc = SearchDocument(kind="topic", object_id="1", title="跟踪商机", body="", url="/",
                         keys=["staff"], tags=["CRM"])  # fmt: skip

    assert stored["interest_id"] == 5
    assert stored["query"]["bool"]["must"][0]["multi_match"]["fuzziness"] == 0
    percolate = engine.percolate_query(doc)["percolate"]
    assert percolate["field"] == "query"
    assert percolate["document"]["title_terms"] == "跟踪 商机"
    assert percolate["document"]["tags_norm"] == ["crm"]


def test_document_source_is_json_ready():
    doc = SearchDocument(kind="qa", object_id=3, title="T", body="B", url="/", keys=["staff"])

    source = document_source(doc)

    assert source["object_id"] == "3"
    assert source["created_at"] is None
    assert len(source["checksum"]) == 40


def test_ties_break_on_kind_and_object_id_as_on_the_embedded_engines():
    body = backend().build_search(parse("合同"), keys=None).to_dict()

    assert body["sort"] == [
        {"_score": {"order": "desc"}}, {"created_at": {"order": "desc", "missing": "_last"}},
        {"kind": {"order": "asc"}}, {"object_id": {"order": "asc"}},
    ]  # fmt: skip


def test_a_page_past_the_result_window_asks_for_counts_only():
    body = backend().build_search(parse("合同"), keys=None, page=501, per_page=20).to_dict()

    assert (body["from"], body["size"]) == (0, 0)
    assert (
        backend().build_search(parse("合同"), keys=None, page=500, per_page=20).to_dict()["from"]
        == 9980
    )


def test_a_word_with_synonyms_is_any_of_its_alternatives_and_a_kind_name_boosts_its_kind():
    parsed = parse_query("竞品", kind_groups={}, synonyms=table_of(["竞争对手, 竞品, competitor"]))

    query = backend().build_search(parsed, keys=frozenset({"staff"})).to_dict()["query"]["bool"]
    (group,) = query["must"][0]["bool"]["must"]
    alternatives = list(group["bool"]["should"])
    assert group["bool"]["minimum_should_match"] == 1
    assert {"multi_match": {"query": "竞品", "fields": ["title_terms^10", "body_terms"],
                            "fuzziness": 0, "prefix_length": 1}} in alternatives  # fmt: skip
    assert query["should"] == [
        {"constant_score": {"filter": {"terms": {"kind": ["competitor"]}}, "boost": 1000.0}}
    ]
