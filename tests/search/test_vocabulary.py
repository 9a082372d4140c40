"""The business's words: synonyms kept by knowledge editors (a Wagtail snippet) and applied at
query time; snippets that keep what the author wrote ("Q&A bank"); pages never past the window."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.search import service
from portal.search.backends import get_backend
from portal.search.highlight import snippet
from portal.search.models import SynonymSet
from portal.search.query import parse_query

from .conftest import make_doc

pytestmark = pytest.mark.django_db


def test_the_seeded_synonyms_are_in_place_after_migrate():
    words = [entry for s in SynonymSet.objects.all() for entry in s.entries()]

    assert {"竞争对手", "竞品", "competitor", "产品", "标准文档", "问答", "客户", "商机"} <= set(
        words
    )


def test_a_knowledge_editor_adds_a_synonym_set_and_search_uses_it_at_once(client_for, people):
    get_backend().index([make_doc("competitor", 1, "锐联科技", "收银系统")])
    before = service.search(people["sales1"], "Ruilian")[1].count
    url = reverse("wagtailsnippets_search_synonymset:add")

    response = client_for(people["editor"]).post(url, {"words": "锐联, Ruilian"})

    assert response.status_code == 302
    assert before == 0
    _parsed, results = service.search(people["sales1"], "Ruilian")
    assert [hit.object_id for hit in results.hits] == ["1"]


def test_sales_staff_may_not_edit_the_synonyms(client_for, people):
    count = SynonymSet.objects.count()

    response = client_for(people["sales1"]).post(
        reverse("wagtailsnippets_search_synonymset:add"), {"words": "a, b"}
    )

    assert response.status_code in (302, 403)  # to the sign-in page or refused
    assert "/login/" in response.get("Location", "/login/")
    assert SynonymSet.objects.count() == count


def test_multi_word_entries_and_interest_anchors():
    parsed = parse_query("standard document 2026")

    assert parsed.terms == ["2026"]
    (group,) = parsed.alternatives
    assert ["标准", "文档"] in group or ["标准文档"] in group
    anchors, required = parsed.required_terms()
    assert "2026" in anchors and required == 2


def test_a_bare_ampersand_in_rich_text_stays_text_in_the_index_and_the_snippet():
    from wagtail.blocks import StreamValue

    from portal.knowledge.blocks import BodyBlock
    from portal.knowledge.search import _block_text

    block = BodyBlock()
    html = "<p>Quote the answers from the Q&A bank.</p><p>Ask about &lt;b&gt; &amp; more</p>"
    value = StreamValue(block, [("paragraph", html)])

    text = " ".join(" ".join(_block_text(block, value)).split())

    assert text == "Quote the answers from the Q&A bank. Ask about <b> & more"
    html = str(snippet(text, ["bank"], []))
    assert "Q&amp;A <mark>bank</mark>" in html
    assert "A;" not in html


def test_the_api_refuses_a_page_past_what_every_engine_serves(api_client, people):
    api_client.force_authenticate(people["sales1"])
    get_backend().index([make_doc("topic", 1, "报价")])

    ok = api_client.get("/api/v1/search/", {"q": "报价", "page": 500, "page_size": 20})
    past = api_client.get("/api/v1/search/", {"q": "报价", "page": 501, "page_size": 20})

    assert ok.status_code == 200
    assert past.status_code == 400
    assert "10000" in past.json()["page"][0]


def test_the_page_says_when_results_go_deeper_than_can_be_browsed(client_for, people, monkeypatch):
    from portal.search.backends import base

    monkeypatch.setattr(base, "MAX_RESULT_WINDOW", 40)
    get_backend().index([make_doc("topic", i, f"报价 {i}") for i in range(45)])

    html = client_for(people["sales1"]).get(reverse("search:search"), {"q": "报价", "page": 9})

    content = html.content.decode()
    assert "45 results" in content
    assert 'id="result-window-note"' in content
    assert "Page 2 of 2" in content


def test_a_synonym_of_several_words_is_marked_whole_or_not_at_all():
    """商机's synonym 销售机会 analyses to 销售 + 机会: a hit found by 商机 alone must not get
    its 销售 marked (the browser test's "nothing else is marked"), one holding 销售机会 gets it
    marked whole, and a one-word alternative (opportunity) as before."""
    from portal.search.backends.base import Hit

    parsed = parse_query("商机")
    assert ["销售", "机会"] in parsed.highlight_groups
    assert "销售" not in parsed.highlight_terms

    found_by_the_word = Hit(kind="article", object_id="1", title="跟踪商机",
                            url="/a/1/", body="帮助销售人员跟踪商机。")  # fmt: skip
    service.decorate(found_by_the_word, parsed)
    assert found_by_the_word.highlight == "帮助销售人员跟踪<mark>商机</mark>。"
    assert found_by_the_word.title_highlight == "跟踪<mark>商机</mark>"

    found_by_the_synonym = Hit(kind="topic", object_id="2", title="New opportunities",
                               url="/t/2/", body="本周的销售机会。")  # fmt: skip
    service.decorate(found_by_the_synonym, parsed)
    assert found_by_the_synonym.highlight == "本周的<mark>销售机会</mark>。"
    assert found_by_the_synonym.title_highlight == "New <mark>opportunities</mark>"


def test_a_kind_the_reader_cannot_find_is_not_ranked_first():
    """ADR 0432: 商机 ranks deals first — for a reader who may open deals. For one who may not,
    the boost is dropped with the kind (PostgreSQL read every deal match for it, then filtered
    them all out); the results are the same, the reading is not."""
    parsed = parse_query("商机")
    assert parsed.boost_kinds == ["deal"]
    can_open_deals = service.gated(parsed, frozenset({"deal", "article"}))
    assert can_open_deals.boost_kinds == ["deal"] and can_open_deals.kinds == ["article", "deal"]
    cannot = service.gated(parsed, frozenset({"article", "qa"}))
    assert cannot.boost_kinds == [] and cannot.kinds == ["article", "qa"]
    administrator_typed = service.gated(parse_query("商机 type:article"), None)
    assert administrator_typed.boost_kinds == [] and administrator_typed.kinds == ["article"]
    assert service.gated(parsed, None).boost_kinds == ["deal"]  # every kind: unchanged
