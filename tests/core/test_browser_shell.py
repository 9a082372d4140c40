"""Browser journey: sign in as sales1, see the shell, switch to Chinese."""

import pytest

from tests.browser import shoot, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sales1_signs_in_and_switches_the_shell_to_chinese(
    live_server, page, people, screenshot_dir
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "sales1")
    page.fill("#id_password", "agora-demo")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text().startswith("Welcome")
    assert page.locator("nav").get_by_text("Dashboard").is_visible()
    shoot(page, "shell-en.png", screenshot_dir)

    submit(page, "#language-switcher button[value=zh-hans]")
    assert "欢迎" in page.locator("h1").inner_text()
    assert page.locator("nav").get_by_text("工作台").is_visible()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    shoot(page, "shell-zh.png", screenshot_dir)

    # The choice follows the person, not only the browser.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "sales1")
    page.fill("#id_password", "agora-demo")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "欢迎" in page.locator("h1").inner_text()
