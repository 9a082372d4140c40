"""The live toast in a real browser: sales2 follows 竞品, sales1 posts about it in another
browser, and sales2's open page shows the toast and the badge without a reload; after a dropped
connection, exactly the notifications made meanwhile arrive, once each, in order.

The pages are served by a daphne process (HTTP and the WebSocket) on the test database, so
the topic is posted through the web form in that process and its notification travels the
real path: action → event → matching → store → channel layer → socket → toast."""

from __future__ import annotations

import time

import pytest

from portal.notifications import actions
from portal.notifications.models import Kind, Notification
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The toast may only come the live way: the store's periodic catch-up (every 3 s on the
# in-memory layer) would bring it too, a few seconds late, and the test could not tell.
NO_CATCH_UP = {"NOTIFICATIONS_CATCHUP_SECONDS": "3600"}
# How long the toast may take. Not a speed figure: with the catch-up off and the page never
# reloaded, a toast seen at all in this document came the live path (action → event →
# matching → store → channel layer → socket), which is what this journey holds. Speed is
# measured by bench/notifications_fanout.py (commit to frame, p99, under a known load): a
# one-second bound here failed under CI's load (1.0–3.4 s seen) on correct code.
TOAST_SECONDS = 10


@pytest.fixture
def daphne_url(serve_portal):
    """The portal served by daphne on the test database: SQLite's test file, or PostgreSQL's
    test database with the notification bus on Redis when REDIS_URL is set."""
    port, _process = serve_portal(**NO_CATCH_UP)
    return f"http://127.0.0.1:{port}"


def wait_connected(page) -> None:
    page.wait_for_function(
        "window.agoraNotifications && window.agoraNotifications.connected()", timeout=10000
    )


def test_live_toast_badge_and_resume(daphne_url, browser, people, forum, screenshot_dir):
    # given sales2 follows the keyword 竞品 and has Agora open
    actions.add_keyword_interest("竞品", acting_user=people["sales2"])
    watcher = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    poster = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    try:
        sales2 = watcher.new_page()
        sign_in(sales2, daphne_url, "sales2")
        wait_connected(sales2)
        sales2.evaluate("window.__sameDocument = true")  # gone if the page reloads
        assert sales2.get_attribute("#unread-badge", "data-count") in (None, "0")

        # when sales1, in another browser, posts a topic containing 竞品
        sales1 = poster.new_page()
        sign_in(sales1, daphne_url, "sales1")
        sales1.goto(f"{daphne_url}/forum/general/new/")
        sales1.fill("#id_title", "竞品 Nebula 降价")
        sales1.fill("#id_body", "Nebula 把 **S 系列** 降价 12%，[详情](https://example.com)。")
        posted_at = time.monotonic()
        sales1.click("#topic-submit")

        # then sales2's open page shows the toast and the badge, without a reload
        toast = sales2.locator(".agora-notification-toast").first
        toast.wait_for(timeout=TOAST_SECONDS * 1000)
        seen_after = time.monotonic() - posted_at
        assert "竞品 Nebula 降价" in toast.inner_text()
        assert "**" not in toast.inner_text()  # the body is plain text, not Markdown
        sales2.wait_for_function(
            "document.getElementById('unread-badge').dataset.count === '1'", timeout=5000
        )
        assert sales2.evaluate("window.__sameDocument") is True
        # live, in this document, without a reload (TOAST_SECONDS says why no tighter bound)
        print(f"toast seen {seen_after:.2f}s after the post was submitted")  # noqa: T201
        sales2.screenshot(path=str(screenshot_dir / "notifications-live-toast.png"))

        # when sales2's connection drops and three more notifications are made meanwhile
        first_id = sales2.evaluate("window.agoraNotifications.lastSeen()")
        sales2.evaluate("window.agoraNotifications.disconnect()")
        sales2.wait_for_function("!window.agoraNotifications.connected()")
        for n in range(3):
            actions.notify(
                [people["sales2"].pk],
                Kind.ANNOUNCEMENT,
                f"While away {n}",
                dedupe_key=f"away:{n}",
                actor_id=people["admin"].pk,
            )
        sales2.evaluate("""() => {
            window.__arrived = [];
            document.addEventListener(
                'agora:notification', (e) => window.__arrived.push(e.detail.id));
        }""")
        sales2.evaluate("window.agoraNotifications.reconnect()")

        # then exactly those three arrive on reconnect, once each, in order
        sales2.wait_for_function("window.__arrived.length >= 3", timeout=10000)
        sales2.wait_for_timeout(1500)  # nothing else (no repeat) follows
        arrived = sales2.evaluate("window.__arrived")
        expected = list(
            Notification.objects.filter(user=people["sales2"], seq__gt=first_id)
            .order_by("seq")
            .values_list("seq", flat=True)
        )
        assert arrived == expected and len(expected) == 3
        sales2.wait_for_function(
            "document.getElementById('unread-badge').dataset.count === '4'", timeout=5000
        )
        titles = sales2.locator(".agora-notification-toast").all_inner_texts()
        assert [t.split("\n")[0] for t in titles if "While away" in t] == [
            "While away 0",
            "While away 1",
            "While away 2",
        ]
        sales2.screenshot(path=str(screenshot_dir / "notifications-after-resume.png"))
    finally:
        watcher.close()
        poster.close()
