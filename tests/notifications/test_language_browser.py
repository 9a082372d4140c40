"""In a browser: a notice made while the reader used English reads in Chinese once they switch
to 中文 — in the notification centre and in the bell's list (issue 19, ADR 0611)."""

import pytest

from portal.core.testing import capture_events
from portal.forum import actions as forum_actions
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_notice_made_in_english_reads_in_chinese_after_switching(
    live_server, page, screenshot_dir, people, forum
):
    sales1, manager = people["sales1"], people["manager"]
    sales1.language = "en"
    sales1.save(update_fields=["language"])
    # sales1 reads English when the manager replies in their topic
    with capture_events():
        topic = forum_actions.create_topic(
            category=forum["open"], title="Price list", body="Is it out?", acting_user=sales1
        )
    with capture_events():
        forum_actions.reply(topic, body="Yes, since Monday.", acting_user=manager)
    english = f"{manager} replied in “Price list”"
    chinese = f"{manager} 回复了“Price list”"

    sign_in(page, live_server.url, "sales1")
    page.goto(f"{live_server.url}/notifications/")
    assert english in page.inner_text("main")
    # when sales1 switches the interface to 中文 with the header's button
    page.click("#language-switcher button[value='zh-hans']")
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.lang").lower().startswith("zh")
    # then the same notice reads in Chinese, not in the words it was written with
    main = page.inner_text("main")
    assert chinese in main and english not in main
    page.screenshot(path=str(screenshot_dir / "notification-centre-zh-after-switch.png"))
