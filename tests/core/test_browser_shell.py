"""Browser journey: sign in as sales1, see the shell, switch to Chinese."""

import pytest

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
    page.screenshot(path=str(screenshot_dir / "shell-en.png"), full_page=True)

    page.click("#language-switcher button[value=zh-hans]")
    page.wait_for_load_state()
    assert "欢迎" in page.locator("h1").inner_text()
    assert page.locator("nav").get_by_text("工作台").is_visible()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.screenshot(path=str(screenshot_dir / "shell-zh.png"), full_page=True)

    # The choice follows the person, not only the browser.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "sales1")
    page.fill("#id_password", "agora-demo")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "欢迎" in page.locator("h1").inner_text()
