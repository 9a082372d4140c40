"""Browser journey: sales1 searches a Chinese two-character word and an English phrase and gets
highlighted, faceted results across records, knowledge and forum — and nothing of sales2's."""

import pytest
from wagtail.models import Page, Site

from portal.forum import actions as forum_actions
from portal.knowledge import actions as knowledge_actions
from portal.knowledge.models import ArticleIndexPage, ArticlePage, KnowledgeHome
from portal.records.customers import actions as records_actions
from tests.browser import shoot, sign_in, submit
from tests.forum.conftest import forum  # noqa: F401 - the forum fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def content(people, forum):  # noqa: F811
    # Committed immediately (transactional test): every action's events index right away.
    records_actions.create_customer(acting_user=people["sales1"], name="东方商机零售有限公司")
    records_actions.create_customer(acting_user=people["sales2"], name="北方商机物流 (sales2's)")
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    root = site.root_page if site else Page.get_first_root_node()
    home = knowledge_actions.create_page(
        root, KnowledgeHome(title="Knowledge", slug="knowledge"), acting_user=people["admin"]
    )
    articles = knowledge_actions.create_page(
        home, ArticleIndexPage(title="Articles", slug="articles"), acting_user=people["admin"]
    )
    knowledge_actions.create_page(
        articles, ArticlePage(title="如何跟踪商机 Tracking opportunities", slug="track",
                              summary="帮助销售人员跟踪商机。A price increase is coming in 2026."),
        acting_user=people["admin"],
    )  # fmt: skip
    forum_actions.create_topic(
        category=forum["open"], title="华东商机周报",
        body="本周新增商机 12 个; the price increase worries two customers.", tags=["weekly"],
        acting_user=people["sales1"],
    )  # fmt: skip


def test_sales1_searches_chinese_and_an_english_phrase(live_server, page, content, screenshot_dir):
    sign_in(page, live_server.url, "sales1")

    page.fill("nav input[name=q]", "商机")
    page.press("nav input[name=q]", "Enter")
    page.wait_for_selector("#search-results")
    marks = page.locator("#search-results mark").all_inner_texts()
    # 商机 and its seeded synonyms (销售机会, deal, opportunity) are marked; nothing else
    assert "商机" in marks
    assert {m.lower() for m in marks} <= {"商机", "销售机会", "deal", "deals", "opportunity",
                                         "opportunities"}  # fmt: skip
    facets = page.locator("#facet-kind").inner_text()
    assert "Customer" in facets and "Article" in facets and "Forum topic" in facets
    assert "北方商机物流" not in page.content()
    shoot(page, "search-zh-word-en.png", screenshot_dir)

    page.fill("#search-input", '"price increase"')
    page.press("#search-input", "Enter")
    page.wait_for_selector("#search-results")
    assert "2 results" in page.locator("#result-count").inner_text()
    assert "price increase" in page.locator("#search-results mark").first.inner_text()

    submit(page, "#language-switcher button[value=zh-hans]")
    page.goto(f"{live_server.url}/search/?q=商机")
    assert "条结果" in page.locator("#result-count").inner_text()
    shoot(page, "search-zh-word-zh.png", screenshot_dir)
