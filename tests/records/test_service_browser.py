"""Browser journey of issue 9: `service` registers a complaint, it is assigned to a department,
a resolution is proposed, `manager` sends it back once and then approves, it is carried out and
summarised, the summary becomes a Q&A draft, and every step notified the right person. Then a
support question typed in Chinese is answered from the Q&A bank with one click."""

import re

import pytest

from portal.knowledge.models import QAPage
from portal.notifications.models import Notification
from portal.records.models import ServiceCase, SupportQuestion
from tests.browser import shoot, sign_in, submit
from tests.records.test_service import build_knowledge

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def take_step(page, step, **fields):
    form = page.locator(f"#step-{step}")
    for name, value in fields.items():
        control = form.locator(f"[name={name}]")
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(str(value))
        else:
            control.fill(value)
    submit(page, form.locator("button[type=submit]"))
    assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").inner_text()


def titles(user, case) -> list[str]:
    return list(
        Notification.objects.filter(user=user, url=case.get_absolute_url())
        .order_by("seq")
        .values_list("title", flat=True)
    )


def test_complaint_journey(live_server, page, people, org, customer, screenshot_dir):
    build_knowledge(people["admin"])

    # service registers a complaint from the customer's details
    sign_in(page, live_server.url, "service")
    page.goto(f"{live_server.url}/records/service/new/?customer={customer.pk}")
    page.wait_for_selector("#customer-details strong")  # the customer's details come along
    page.fill("#id_title", "收银机频繁死机")
    page.fill("#id_contact_name", "王芳")
    page.select_option("#id_severity", "normal")
    page.fill("#id_description", "门店三台收银机每天死机两三次，高峰期排队严重。")
    shoot(page, "service-register.png", screenshot_dir)
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r"/records/service/\d+/$"))
    case = ServiceCase.objects.get()
    assert case.contact.name == "王芳"

    take_step(page, "assess", assessment="硬件故障，需要上门检修。")
    # it is assigned to a department (Sales East, no single person)
    take_step(page, "assign", department=org["east"].pk)
    shoot(page, "service-assigned.png", screenshot_dir)

    # the department's member proposes a resolution
    sign_in(page, live_server.url, "sales1")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    take_step(page, "propose", resolution="更换三台收银机主板。")

    # manager sends it back once …
    sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    shoot(page, "service-approval.png", screenshot_dir)
    take_step(page, "send_back", reason="请先确认是否在保修期内。")
    sign_in(page, live_server.url, "sales1")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    take_step(page, "propose", resolution="保修期内，免费更换三台收银机主板。")
    # … and then approves
    sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    take_step(page, "approve", note="同意。")

    # it is carried out and summarised; the summary becomes a Q&A draft
    sign_in(page, live_server.url, "sales1")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    take_step(page, "carry_out", outcome="已上门更换主板，设备恢复正常。")
    sign_in(page, live_server.url, "service")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    take_step(
        page,
        "summarise",
        summary="收银机死机多为主板批次问题，保修期内免费更换主板。",
        qa_question="收银机频繁死机怎么办？",
    )
    take_step(page, "close")
    shoot(page, "service-closed.png", screenshot_dir)

    case.refresh_from_db()
    assert case.status == ServiceCase.Status.CLOSED
    draft = QAPage.objects.get(pk=case.qa_draft_id)
    assert draft.title == "收银机频繁死机怎么办？" and not draft.live
    assert list(case.steps.values_list("kind", flat=True)) == [
        "registered", "assessed", "assigned", "proposed", "sent_back", "proposed", "approved",
        "carried_out", "summarised", "closed",
    ]  # fmt: skip

    # every step notified the right person
    sales1, manager, service = people["sales1"], people["manager"], people["service"]
    got = titles(sales1, case)
    assert any(t.startswith("New complaint") for t in got)  # the customer's owner
    assert any("was assigned to you" in t for t in got)  # the department's member
    assert any("sent back" in t for t in got)
    assert any("was approved" in t for t in got)
    assert any("was closed" in t for t in got)
    got = titles(manager, case)
    assert any("was assigned to you" in t for t in got)  # the department's manager chain
    assert sum("proposed a resolution" in t for t in got) == 2  # to approve, twice
    assert any("write the summary" in t for t in titles(service, case))
    assert Notification.objects.filter(
        user=people["editor"], url=f"/cms/pages/{draft.pk}/edit/"
    ).exists()
    assert not Notification.objects.filter(user=people["sales2"], url=case.get_absolute_url())

    # the manager sees the proposal in their notification centre; the list shows the case
    sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/notifications/")
    shoot(page, "service-manager-notifications.png", screenshot_dir)
    page.goto(f"{live_server.url}/records/service/")
    assert page.get_by_text(case.number).count() >= 1
    shoot(page, "service-list.png", screenshot_dir)
    page.goto(f"{live_server.url}/records/service/statistics/")
    page.wait_for_timeout(300)
    shoot(page, "service-statistics.png", screenshot_dir)
    # and the customer's page shows its case
    sign_in(page, live_server.url, "sales1")
    page.goto(f"{live_server.url}{customer.get_absolute_url()}")
    assert page.get_by_text(case.number).count() >= 1


def test_question_answered_from_the_bank(live_server, page, people, customer, screenshot_dir):
    knowledge = build_knowledge(people["admin"])
    target = knowledge["entries"][0]
    sign_in(page, live_server.url, "service")
    page.goto(f"{live_server.url}/records/service/questions/new/")
    page.fill("#id_customer", customer.code)
    page.locator("#id_question").press_sequentially(
        "客户说门店的机器早上突然黑屏了，重启也没用", delay=5
    )
    page.wait_for_selector(f".qa-suggestion[data-qa-id='{target.pk}']")
    first_three = page.locator(".qa-suggestion").evaluate_all(
        "items => items.slice(0, 3).map(i => Number(i.dataset.qaId))"
    )
    assert target.pk in first_three
    page.locator(f".qa-insert[data-qa-id='{target.pk}']").click()
    assert "电源" in page.input_value("#id_answer")
    shoot(page, "service-question-suggestions.png", screenshot_dir)
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r"/records/service/questions/\d+/$"))
    question = SupportQuestion.objects.get()
    assert question.qa_entry_id == target.pk and question.status == "answered"
    assert QAPage.objects.get(pk=target.pk).usage_count == 1
