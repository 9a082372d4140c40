"""Browser journey of issue 18: the manager clears his approval queue from My tasks — the count
in the navigation, the dashboard panel, one click per approval, the empty state; in English
and Chinese, on a desktop and on a 375 px phone."""

import pytest

from portal.records.models import ServiceCase
from portal.records.service import actions as service_actions
from tests.browser import shoot, sign_in
from tests.records.test_service import committed, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def awaiting_approval(people, customer, title):
    case = register(people, customer, severity="critical", title=title)
    committed(service_actions.assess_case, case, acting_user=people["service"], assessment="停业")
    return case


def test_manager_clears_his_approvals_from_my_tasks(
    live_server, browser, people, customer, org, screenshot_dir
):
    base = live_server.url
    first = awaiting_approval(people, customer, "一号店收银机全部停机")
    second = awaiting_approval(people, customer, "二号店扫码枪失灵")

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    sign_in(page, base, "manager")
    # The dashboard shows what waits on him, and the navigation counts it.
    panel = page.locator("#panel-tasks")
    assert panel.get_by_text(f"Approve complaint {first.number} for assignment").count() == 1
    assert panel.get_by_text(f"Approve complaint {second.number} for assignment").count() == 1
    page.wait_for_selector("#task-badge:not(.d-none)")
    assert page.locator("#task-badge").inner_text() == "2"
    shoot(page, "tasks-dashboard-en.png", screenshot_dir)

    page.click("#nav-tasks")
    page.wait_for_url(f"{base}/tasks/")
    rows = page.locator("#task-list li.agora-task")
    assert rows.count() == 2
    shoot(page, "tasks-page-en.png", screenshot_dir)

    # One click each: approved, back on the list, told in plain words.
    for case in (first, second):
        row = page.locator(f"#task-service-pre_approval-{case.pk}")
        row.get_by_role("button", name="Approve").click()
        page.wait_for_url(f"{base}/tasks/")
        assert (
            page.locator(".alert-success")
            .inner_text()
            .startswith(f"Complaint {case.number} was approved for assignment.")
        )
        assert page.locator(f"#task-service-pre_approval-{case.pk}").count() == 0
    assert page.locator("#tasks-empty").is_visible()
    page.wait_for_selector("#task-badge.d-none", state="attached")
    shoot(page, "tasks-empty-en.png", screenshot_dir)
    for case in (first, second):
        case.refresh_from_db()
        assert case.status == ServiceCase.Status.ASSESSED
        assert case.steps.filter(kind="pre_approved", actor=people["manager"]).count() == 1
    context.close()

    # The service desk's next step now waits on `service`: shown in Chinese, on a phone.
    phone = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = phone.new_page()
    sign_in(page, base, "service")
    page.goto(f"{base}/tasks/")
    assert page.get_by_text("我的任务").count() >= 1
    assert page.get_by_text(f"分派投诉 {first.number}").count() == 1
    shoot(page, "tasks-page-zh-375.png", screenshot_dir)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width  # nothing overflows sideways on a phone
    page.goto(f"{base}/")
    shoot(page, "tasks-dashboard-zh-375.png", screenshot_dir)
    phone.close()
