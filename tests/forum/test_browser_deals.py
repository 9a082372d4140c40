"""Browser journey of the forum about a deal: a topic about a deal and a competitor, a mention,
a quoted reply, an accepted answer; the deal and competitor pages list the topic, and someone
who may not see the deal finds the topic nowhere."""

from __future__ import annotations

import pytest

from portal.core.testing import capture_events
from portal.forum.models import Post, Topic
from portal.notifications.models import Notification
from portal.records.customers import actions as records
from tests.browser import shoot, sign_in
from tests.knowledge.conftest import kb  # noqa: F401 - the knowledge fixture
from tests.records.deal_helpers import open_deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def deal(people):
    with capture_events():
        customer = records.create_customer(acting_user=people["sales1"], name="华东连锁超市")
        # sales2 helps on this customer; newhire (same team as sales1) is not shared in.
        records.share_customer(customer, acting_user=people["sales1"], user=people["sales2"])
        return open_deal(customer, people["sales1"], name="门店收银系统升级 Store POS upgrade")


def test_a_deal_discussion_from_topic_to_accepted_answer(
    people,
    forum,
    kb,  # noqa: F811
    deal,  # records before the browser's event loop starts (actions push synchronously)
    live_server,
    page,
    screenshot_dir,
):
    competitor = kb["competitor"]
    sign_in(page, live_server.url, "sales1")
    page.goto(f"{live_server.url}/forum/general/new/")
    page.fill("#id_title", "Stuck at procurement: RuiLink undercuts us")
    page.fill(
        "#id_body",
        f"The buyer on #{deal.number} says RuiLink quoted 8% less. @sales2 what did you offer?",
    )
    page.fill("#ref-search", "RuiLink")
    page.click(f".forum-ref-option[data-value='competitor:{competitor.pk}']")
    page.wait_for_selector(f"#ref-chosen input[value='competitor:{competitor.pk}']")
    page.click("#topic-submit")
    page.wait_for_selector("#topic-title")
    topic = Topic.objects.get(title__startswith="Stuck at procurement")
    kinds = set(topic.references.values_list("kind", flat=True))
    assert {"deal", "competitor"} <= kinds
    assert Notification.objects.filter(user=people["sales2"], kind="mention").exists()

    sign_in(page, live_server.url, "sales2")
    page.goto(f"{live_server.url}/forum/t/{topic.pk}/")
    page.click(".forum-post a[href*='quote=']")
    page.wait_for_selector("#reply-submit")
    body = page.input_value("#id_body")
    assert body.startswith("> **@sales1:**")
    page.fill("#id_body", body + "We matched on price and added two years of service.")
    page.click("#reply-submit")
    page.wait_for_selector("#p2 blockquote")

    sign_in(page, live_server.url, "sales1")
    page.goto(f"{live_server.url}/forum/t/{topic.pk}/")
    page.click("#p2 .accept-answer")
    page.wait_for_selector("#accepted-answer")
    assert Topic.objects.get(pk=topic.pk).solved_post == Post.objects.get(topic=topic, number=2)

    # the deal page and the competitor page list the discussion
    page.goto(f"{live_server.url}{deal.get_absolute_url()}")
    assert page.locator(".forum-discussions-panel", has_text="Stuck at procurement").count() == 1
    shoot(page, "forum-deal-page.png", screenshot_dir)
    page.goto(f"{live_server.url}{competitor.url}")
    assert page.locator(".forum-discussions-panel", has_text="Stuck at procurement").count() == 1

    # newhire may not see the deal, so finds the topic nowhere: list, page, search, API
    sign_in(page, live_server.url, "newhire")
    page.goto(f"{live_server.url}/forum/")
    assert "Stuck at procurement" not in page.content()
    response = page.goto(f"{live_server.url}/forum/t/{topic.pk}/")
    assert response.status == 404
    page.goto(f"{live_server.url}/search/?q=procurement")
    assert "Stuck at procurement" not in page.content()
    response = page.goto(f"{live_server.url}/api/v1/topics/{topic.pk}/")
    assert response.status == 404
    page.goto(f"{live_server.url}{competitor.url}")
    assert "Stuck at procurement" not in page.content()
