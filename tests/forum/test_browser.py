"""Browser checks: hostile posts run nothing; the compose → mention → quote → accept journey."""

from __future__ import annotations

import pytest

from portal.forum import actions
from portal.forum.models import Post, Topic
from tests.browser import shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = [
    "<script>window.__xss = 1</script>",
    '<img src=x onerror="window.__xss = 2">',
    '<svg onload="window.__xss = 3"></svg>',
    '<iframe srcdoc="<script>parent.__xss = 4</script>"></iframe>',
    "[click me](javascript:window.__xss=5)",
    '<a href="javascript:window.__xss=6" id="evil-link">evil</a>',
    '<details open ontoggle="window.__xss = 7">x</details>',
    '<b onmouseover="window.__xss = 8">hover me</b>',
    '![x](x" onerror="window.__xss=9)',
    "<style>@import 'javascript:window.__xss=10';</style>",
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=11"></style>',
]


def test_hostile_posts_execute_nothing_in_the_browser(
    live_server, page, people, forum, screenshot_dir
):
    topic = actions.create_topic(
        category=forum["open"],
        title="XSS zoo",
        body="Payloads follow.",
        acting_user=people["sales1"],
    )
    for payload in HOSTILE:
        actions.reply(topic, body=payload, acting_user=people["sales2"])
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, live_server.url, "sales1")
    page.goto(f"{live_server.url}/forum/t/{topic.pk}/")
    page.wait_for_load_state("networkidle")
    for link in page.locator(".forum-body a").all():
        link.click(modifiers=["Control"], no_wait_after=True, timeout=2000)
    page.locator(".forum-body b").first.hover()
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert dialogs == []
    # the live preview uses the same sanitiser
    page.fill("#id_body", HOSTILE[1] + "\n\n**bold**")
    page.wait_for_selector("#preview-body-main strong", state="attached")
    assert page.evaluate("typeof window.__xss") == "undefined"
    shoot(page, "forum-xss.png", screenshot_dir)


def test_compose_mention_quote_and_accept(live_server, page, people, forum, screenshot_dir):
    sign_in(page, live_server.url, "sales1")
    page.goto(f"{live_server.url}/forum/general/new/")
    page.fill("#id_title", "Nebula price cut")
    page.fill("#id_body", "Nebula cut S-series prices by 12%. @sales2 can you confirm?")
    page.click("#topic-submit")
    page.wait_for_selector("#topic-title")
    topic = Topic.objects.get(title="Nebula price cut")
    assert "forum-mention" in page.inner_html(".forum-post .forum-body")

    sign_in(page, live_server.url, "sales2")
    page.goto(f"{live_server.url}/forum/t/{topic.pk}/")
    page.click("text=Quote")
    page.wait_for_selector("#reply-submit")
    body = page.input_value("#id_body")
    assert body.startswith("> **@sales1:**")
    page.fill("#id_body", body + "Confirmed — only for orders of 50+ units.")
    page.click("#reply-submit")
    page.wait_for_selector("#p2")
    assert page.locator("#p2 blockquote").count() == 1

    sign_in(page, live_server.url, "sales1")
    page.goto(f"{live_server.url}/forum/t/{topic.pk}/")
    page.click("#p2 .accept-answer")
    page.wait_for_selector("#accepted-answer")
    assert Topic.objects.get(pk=topic.pk).solved_post == Post.objects.get(topic=topic, number=2)
    shoot(page, "forum-topic-solved.png", screenshot_dir)
