"""What the browser journeys share: signing in as a demo user through the login form, and
screenshots into the test's screenshot folder."""

from __future__ import annotations

DEMO_PASSWORD = "agora-demo"


def sign_in(page, base_url: str, username: str) -> None:
    """Sign `page` in as `username` at `base_url`, dropping whoever was signed in before."""
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def shoot(page, name: str, screenshot_dir) -> None:
    """A full-page screenshot named `name` in the `screenshot_dir` fixture's folder."""
    screenshot_dir.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot_dir / name), full_page=True)


def submit(page, target) -> None:
    """Click `target` (a selector or a locator) and wait until the page it leads to has loaded.

    A click followed by `page.wait_for_load_state()` returns at once, because the page that is
    still showing has loaded already, and the next assertion races the form's redirect."""
    locator = page.locator(target) if isinstance(target, str) else target
    with page.expect_navigation():
        locator.click()


def choose(page, selector: str, value: str) -> None:
    """Pick `value` in a select that submits its form on change, and wait for the new page."""
    with page.expect_navigation():
        page.select_option(selector, value)
