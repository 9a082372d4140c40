"""Browser journey of issue 4: sales1 opens a deal, logs a call, plans a visit, adds a
competitor, uploads a quote; manager urges and sales1 acknowledges; sales1 wins it, enters
order lines and a payment plan; the payment falls due and a reminder appears; manager hands
the deal to sales2, who now sees it while sales1 no longer owns it."""

import datetime
import re

import pytest
from django.utils import timezone

from portal.notifications.actions import deliver_due_reminders
from portal.records.customers import actions
from portal.records.deals import actions as deal_actions
from portal.records.models import Deal
from tests.browser import shoot, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n% quote for the packaging line\n%%EOF\n"


def test_deal_journey(live_server, page, people, screenshot_dir):
    customer = actions.create_customer(
        acting_user=people["sales1"], name="苏州恒远包装有限公司", city="苏州"
    )
    actions.create_contact(customer, acting_user=people["sales1"], name="周洁", title="采购经理")
    today = timezone.localdate()

    # sales1 opens a deal from the customer's page
    sign_in(page, live_server.url, "sales1")
    page.goto(f"{live_server.url}{customer.get_absolute_url()}")
    page.click("#new-deal-for-customer")
    page.fill("#id_name", "包装线扫码改造 Packaging line scanning")
    page.fill("#id_amount", "180000")
    page.fill("#id_expected_close_date", (today + datetime.timedelta(days=20)).isoformat())
    page.check("input[name=contacts]")
    submit(page, "form.card button[type=submit]")
    page.wait_for_url(re.compile(r"/records/deals/\d+/$"))
    deal_url = page.url
    deal = Deal.objects.get()
    assert deal.owner == people["sales1"] and deal.contacts.count() == 1

    # logs a call
    page.click("#add-activity")
    page.select_option("#id_activity-kind", "call")
    page.select_option("#id_activity-status", "done")
    page.fill("#id_activity-subject", "Intro call with 周洁")
    page.fill("#id_activity-outcome", "Wants a quote for 40 scanners")
    submit(page, "#activity-form button[type=submit]")
    # plans a visit
    page.click("#add-activity")
    page.select_option("#id_activity-kind", "visit")
    page.select_option("#id_activity-status", "planned")
    page.fill("#id_activity-subject", "On-site visit")
    visit_at = timezone.localtime() + datetime.timedelta(days=3)
    page.fill("#id_activity-due_at", visit_at.strftime("%Y-%m-%dT%H:%M"))
    submit(page, "#activity-form button[type=submit]")
    assert page.locator("#activities").get_by_text("On-site visit").is_visible()
    assert page.locator("#activities").get_by_text("Intro call with 周洁").is_visible()
    # adds a competitor
    page.click("#add-competitor")
    page.fill("#id_competitor-name", "RuiLink")
    page.fill("#id_competitor-price", "150000")
    page.fill("#id_competitor-strengths", "Better software")
    submit(page, "#competitors form button[type=submit]")
    assert page.locator("#competitors").get_by_text("RuiLink").is_visible()
    # uploads a quote
    page.click("#add-document")
    page.fill("#id_document-title", "Quote v1")
    page.select_option("#id_document-kind", "quote")
    page.set_input_files(
        "#id_document-file",
        files=[{"name": "quote.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    submit(page, "#documents form[action$='/documents/'] button[type=submit]")
    assert page.locator("#documents").get_by_text("quote.pdf").is_visible()

    # manager urges it
    sign_in(page, live_server.url, "manager")
    page.goto(deal_url)
    page.fill("#id_urge-message", "Send the quote before Friday")
    page.fill("#id_urge-due_on", (today + datetime.timedelta(days=2)).isoformat())
    submit(page, "#urge-form button[type=submit]")
    assert page.get_by_text("Send the quote before Friday").first.is_visible()

    # sales1 was notified and acknowledges
    sign_in(page, live_server.url, "sales1")
    page.goto(f"{live_server.url}/notifications/")
    assert page.get_by_text(re.compile(r"urged you about deal")).first.is_visible()
    page.goto(deal_url)
    page.fill("textarea[name=answer]", "Quote sent today")
    submit(page, page.get_by_role("button", name="Acknowledge"))
    assert page.locator("#urges").get_by_text("Quote sent today").is_visible()
    assert page.get_by_role("button", name="Acknowledge").count() == 0

    # sales1 wins it, enters order lines and a payment plan
    page.click("#close-deal")
    page.select_option("#id_close-outcome", "won")
    submit(page, "#close-form button[type=submit]")
    assert page.locator("#deal-state").get_by_text("Won").is_visible()
    page.fill("#id_line-description", "Hawkeye X5 scanner")
    page.fill("#id_line-quantity", "40")
    page.fill("#id_line-unit_price", "4500")
    submit(page, "#order-line-form button[type=submit]")
    assert page.locator("#order-total").inner_text() == "180,000.00"
    page.fill("#id_plan-due_on", today.isoformat())
    page.fill("#id_plan-amount", "90000")
    submit(page, "#installment-form button[type=submit]")
    page.fill("#id_plan-due_on", (today + datetime.timedelta(days=30)).isoformat())
    page.fill("#id_plan-amount", "90000")
    submit(page, "#installment-form button[type=submit]")
    assert page.locator("#payment-plan tbody tr").count() == 2
    shoot(page, "deals-detail-won.png", screenshot_dir)

    # the first payment falls due (the worker runs at nine on the due date): a reminder appears
    assert deliver_due_reminders(now=deal_actions.payment_reminder_time(today)) == 1
    page.goto(f"{live_server.url}/notifications/")
    assert page.get_by_text(re.compile(r"Payment of 90000(\.00)? CNY due")).first.is_visible()

    # manager hands the deal to sales2
    sign_in(page, live_server.url, "manager")
    page.goto(deal_url)
    page.select_option("#id_handover-to_user", str(people["sales2"].pk))
    submit(page, "#handover-form button[type=submit]")
    deal.refresh_from_db()
    assert deal.owner == people["sales2"]

    # sales2 now sees it as its owner; sales1 no longer owns it
    sign_in(page, live_server.url, "sales2")
    page.goto(f"{live_server.url}/notifications/")
    assert page.get_by_text(re.compile(r"handed deal .*D\d+.* to you")).first.is_visible()
    assert page.goto(deal_url).status == 200
    assert page.locator("#deal-owner").inner_text() == str(people["sales2"])
    page.goto(f"{live_server.url}/records/deals/?view=mine&state=open")
    assert page.get_by_text("包装线扫码改造").is_visible()
    shoot(page, "deals-list-sales2.png", screenshot_dir)
    sign_in(page, live_server.url, "sales1")
    page.goto(f"{live_server.url}/records/deals/?view=mine&state=open")
    assert page.get_by_text("包装线扫码改造").count() == 0
    assert "No deal matches these filters." in page.content()
