"""Browser journey: newhire follows the onboarding path; the manager sees the progress."""

import pytest
from django.urls import reverse

from portal.knowledge import actions
from portal.knowledge.models import OnboardingPath, OnboardingStep, StepProgress

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "agora-demo")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_newhire_follows_the_path_and_the_manager_sees_it(
    live_server, page, people, kb, screenshot_dir
):
    path = OnboardingPath.objects.create(title="Sales week 1")
    OnboardingStep.objects.create(path=path, sort_order=0, title="Read S1", page=kb["s1"])
    OnboardingStep.objects.create(
        path=path, sort_order=1, title="Warranty", page=kb["qa"],
        check_question="How many years?", check_choices="1\n2\n3", check_answer="3",
    )  # fmt: skip
    assignment = actions.assign_onboarding_path(path.pk, people["newhire"].pk,
                                                actor=people["editor"])  # fmt: skip
    base = live_server.url

    sign_in(page, base, "newhire")
    page.click("text=Sales week 1")  # the dashboard panel links to the path
    first = path.steps.get(sort_order=0)
    assert page.locator(f"#step-{first.pk}").get_by_text("Read S1").is_visible()
    page.click(f"#step-{first.pk} button:has-text('Mark as done')")
    page.wait_for_load_state()
    check = path.steps.get(sort_order=1)
    page.check(f"#step-{check.pk} input[value='1']")
    page.click(f"#step-{check.pk} button:has-text('Mark as done')")
    page.wait_for_load_state()
    assert page.get_by_text("That is not the expected answer").is_visible()
    page.check(f"#step-{check.pk} input[value='3']")
    page.click(f"#step-{check.pk} button:has-text('Mark as done')")
    page.wait_for_load_state()
    assert "2 of 2 steps done" in page.locator("#progress-text").inner_text()
    page.screenshot(path=str(screenshot_dir / "knowledge-onboarding-newhire.png"), full_page=True)
    assert StepProgress.objects.filter(assignment=assignment).count() == 2

    sign_in(page, base, "manager")
    page.goto(base + reverse("knowledge:onboarding_team"))
    row = page.locator("tr", has_text="Newhire")
    assert "2 of 2 steps (100%)" in row.inner_text()
    page.screenshot(path=str(screenshot_dir / "knowledge-onboarding-manager.png"), full_page=True)
