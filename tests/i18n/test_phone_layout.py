"""At 375 px the page body never scrolls sideways, the bell and its count stay in the collapsed
header, and the language switch and search fit — in English and in 中文 (issue 19)."""

import pytest
from django.apps import apps
from django.core.management import call_command

from portal.accounts.models import User
from tests.browser import sign_in
from tests.knowledge.conftest import site_root

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
# The placeholder's text width against the room inside the search box.
PLACEHOLDER_FITS = """() => {
  const input = document.querySelector('.agora-search');
  const style = getComputedStyle(input);
  const context = document.createElement('canvas').getContext('2d');
  context.font = style.font;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return context.measureText(input.placeholder).width <= room;
}"""


def five_pages(sales1) -> dict[str, str]:
    deal = apps.get_model("records", "Deal").objects.filter(owner=sales1).order_by("pk").first()
    topic = apps.get_model("forum", "Topic").objects.order_by("pk").first()
    return {
        "dashboard": "/",
        "customers": "/records/customers/",
        "deal": deal.get_absolute_url(),
        "competitor": "/knowledge/competitors/ruilink/",
        "topic": topic.get_absolute_url(),
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_five_pages_fit_a_phone(live_server, browser, screenshot_dir, language):
    site_root()  # a transactional test before this one flushed what the migrations made
    call_command("seed_demo", verbosity=0)
    sales1 = User.objects.get(username="sales1")
    User.objects.filter(pk=sales1.pk).update(language=language)
    context = browser.new_context(viewport=PHONE, locale="en-US")
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "sales1")
        for name, path in five_pages(sales1).items():
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("load")
            page.screenshot(path=str(screenshot_dir / f"phone-{language}-{name}.png"))
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{name} ({path}) is {width} px wide in {language}"
            # The bell and its count sit in the collapsed header, beside the menu button.
            bell = page.locator("#notification-bell")
            assert bell.is_visible()
            assert not page.locator("#main-nav").is_visible()

        page.evaluate(
            "() => { const b = document.getElementById('unread-badge');"
            " b.textContent = '3'; b.classList.remove('d-none'); }"
        )
        badge = page.locator("#unread-badge").bounding_box()
        bell = page.locator("#notification-bell").bounding_box()
        assert badge["x"] < bell["x"] + bell["width"] + 12 and badge["y"] < bell["y"] + 8

        # An invalid "Log activity" comes back where the person was, error in sight.
        page.goto(f"{live_server.url}{five_pages(sales1)['deal']}")
        page.click("#add-activity")
        page.click("#activity-form button[type=submit]")
        page.wait_for_load_state("load")
        error = page.locator("#activity-form .invalid-feedback").first
        error.wait_for(state="visible")
        page.wait_for_function(
            "() => { const r = document.querySelector('#activity-form .invalid-feedback')"
            ".getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
        )
        page.screenshot(path=str(screenshot_dir / f"phone-{language}-activity-error.png"))

        page.goto(f"{live_server.url}/")  # the menu check starts at the top of a page
        page.click(".navbar-toggler")
        page.locator("#main-nav").wait_for(state="visible")
        page.wait_for_timeout(400)  # the collapse animation
        page.screenshot(path=str(screenshot_dir / f"phone-{language}-menu.png"))
        english = page.locator("#language-switcher button[value=en]").bounding_box()
        chinese = page.locator("#language-switcher button[value=zh-hans]").bounding_box()
        assert chinese["height"] == english["height"] < 40  # 中文 on one line
        assert page.evaluate(PLACEHOLDER_FITS)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


def test_the_desktop_shell_fits_and_panels_keep_to_the_grid(live_server, page, people):
    # the demo's names, not the fixtures' short ones: "张伟 Zhang Wei" once pushed the 中文
    # button and the bell off a 1280 px bar (the calendar's nav item made the bar fuller)
    User.objects.filter(pk=people["sales1"].pk).update(display_name="张伟 Zhang Wei")
    sign_in(page, live_server.url, "sales1")
    assert page.evaluate(PLACEHOLDER_FITS)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.locator("#notification-bell").is_visible()
    for selector in ("#notification-bell", "#language-switcher button[value='zh-hans']"):
        box = page.locator(selector).bounding_box()
        assert box["x"] + box["width"] <= 1280, f"{selector} is off the bar"
    # The user menu shows its icon where its name is only read out (it was a bare caret).
    icon = page.locator("#user-menu > .bi").bounding_box()
    assert icon is not None and icon["width"] > 0, "the user menu has no visible icon"
    # "Latest discussions" lines up with the page's other content (it was 8 px wider).
    heading = page.locator("main h1").bounding_box()
    card = page.locator(".forum-dashboard-panel").bounding_box()
    container = page.locator("main").bounding_box()
    padding = heading["x"] - container["x"]
    assert card["x"] >= heading["x"] - 0.5
    assert card["x"] + card["width"] <= container["x"] + container["width"] - padding + 0.5
