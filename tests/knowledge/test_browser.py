"""Browser journey: newhire follows the onboarding path; the manager sees the progress."""

import pytest
from django.urls import reverse

from portal.knowledge import actions
from portal.knowledge.models import OnboardingPath, OnboardingStep, StepProgress
from tests.browser import shoot, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
                                                acting_user=people["editor"])  # fmt: skip
    base = live_server.url

    sign_in(page, base, "newhire")
    page.click("text=Sales week 1")  # the dashboard panel links to the path
    first = path.steps.get(sort_order=0)
    assert page.locator(f"#step-{first.pk}").get_by_text("Read S1").is_visible()
    submit(page, f"#step-{first.pk} button:has-text('Mark as done')")
    check = path.steps.get(sort_order=1)
    page.check(f"#step-{check.pk} input[value='1']")
    submit(page, f"#step-{check.pk} button:has-text('Mark as done')")
    assert page.get_by_text("That is not the expected answer").is_visible()
    page.check(f"#step-{check.pk} input[value='3']")
    submit(page, f"#step-{check.pk} button:has-text('Mark as done')")
    assert "2 of 2 steps done" in page.locator("#progress-text").inner_text()
    shoot(page, "knowledge-onboarding-newhire.png", screenshot_dir)
    assert StepProgress.objects.filter(assignment=assignment).count() == 2

    sign_in(page, base, "manager")
    page.goto(base + reverse("knowledge:onboarding_team"))
    row = page.locator("tr", has_text="Newhire")
    assert "2 of 2 steps (100%)" in row.inner_text()
    shoot(page, "knowledge-onboarding-manager.png", screenshot_dir)


def test_editor_writes_a_competitor_a_reviewer_publishes_it_and_sales_sees_its_deals(
    people, kb, make_user, live_server, page, screenshot_dir
):
    from portal.accounts import roles
    from portal.knowledge.models import CompetitorPage
    from portal.records.customers import actions as records
    from tests.records.deal_helpers import open_deal

    make_user("editor2", roles.KNOWLEDGE_EDITORS, "marketing", is_staff=True)
    customer = records.create_customer(acting_user=people["sales1"], name="Eastern Mart")
    deal = open_deal(customer, people["sales1"], name="Checkout refresh for 30 stores")
    base = live_server.url

    # editor writes the page in Wagtail and submits it to the Knowledge review workflow
    sign_in(page, base, "editor")
    page.goto(f"{base}/cms/pages/add/knowledge/competitorpage/{kb['competitors'].pk}/")
    page.wait_for_load_state("networkidle")
    page.fill("#id_title", "Meridian Retail Systems")
    page.fill("#id_strengths", "Low entry price")
    page.click("[role=tab]:has-text('Promote')")  # Wagtail fills the slug from the title
    page.click("footer button:has-text('More actions')")
    page.click("button[name=action-submit]")
    page.wait_for_selector(".messages")
    competitor = CompetitorPage.objects.get(title="Meridian Retail Systems")
    assert not competitor.live
    assert competitor.current_workflow_state.status == "in_progress"

    # a second knowledge editor reviews it and publishes
    sign_in(page, base, "editor2")
    page.goto(f"{base}/cms/pages/{competitor.pk}/edit/")
    page.click("footer button:has-text('More actions')")
    page.click("footer button:has-text('Approve and Publish')")
    page.wait_for_selector(".messages")
    competitor.refresh_from_db()
    assert competitor.live

    # sales1 names the competitor on a deal, then reads its page and finds that deal there
    sign_in(page, base, "sales1")
    page.goto(base + deal.get_absolute_url())
    page.click("#add-competitor")
    page.select_option("#id_competitor-competitor", label="Meridian Retail Systems")
    page.fill("#id_competitor-price", "99000")
    submit(page, "#competitors form button[type=submit]")
    page.goto(base + competitor.url)
    assert page.locator("h1", has_text="Meridian Retail Systems").is_visible()
    assert page.get_by_text("Low entry price").is_visible()
    assert page.locator("section", has_text="Checkout refresh for 30 stores").count() >= 1
    shoot(page, "knowledge-competitor-deals.png", screenshot_dir)

    # sales2 may not see that deal: the page is there, the deal is not
    sign_in(page, base, "sales2")
    page.goto(base + competitor.url)
    assert page.locator("h1", has_text="Meridian Retail Systems").is_visible()
    assert "Checkout refresh" not in page.content()
