"""Browser journey of issue 18 item 3 (ADR 1002): a protected customer of sales1 lapses into the
public pool when the worker runs on a later date, and sales2 claims it from the pool page; a
protected duplicate is refused with the owner named. Desktop (English) and a 375 px phone
(Chinese)."""

import datetime

import pytest
from django.utils import timezone

from portal.records.customers import actions
from portal.records.models import Customer
from tests.browser import shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lapsed_customer_goes_to_the_pool_and_sales2_claims_it(
    live_server, browser, people, customer, screenshot_dir
):
    base = live_server.url
    other = actions.create_customer(
        acting_user=people["sales1"],
        name="宁波港湾物流有限公司",
        region="east",
        industry="logistics",
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()

    # sales1's customer is protected today.
    sign_in(page, base, "sales1")
    page.goto(f"{base}{customer.get_absolute_url()}")
    assert "Protected" in page.locator("#protection-state").inner_text()

    # Nobody touches it for 100 days: the worker moves both customers to the pool.
    later = timezone.localdate() + datetime.timedelta(days=100)
    assert actions.run_protection(today=later) == 2
    customer.refresh_from_db()
    assert customer.in_pool

    # sales2 finds it in the public pool and claims it.
    sign_in(page, base, "sales2")
    page.goto(f"{base}/records/customers/pool/")
    row = page.locator(f"#pool-{customer.pk}")
    assert customer.name in row.inner_text()
    shoot(page, "pool-en-1280.png", screenshot_dir)
    row.get_by_role("button", name="Claim").click()
    page.wait_for_url(f"{base}{customer.get_absolute_url()}")
    assert "is yours now" in page.locator(".alert-success").inner_text()
    history = page.locator(".agora-history").inner_text()
    assert "Claimed from the public pool" in history
    assert "Protection lapsed: moved to the public pool" in history
    customer.refresh_from_db()
    assert customer.owner == people["sales2"] and not customer.in_pool

    # sales1 is told it went to the pool, and no longer owns it.
    sign_in(page, base, "sales1")
    page.goto(f"{base}/notifications/")
    assert "moved to the public pool" in page.content()

    # sales1 tries to register sales2's (now protected) customer again: refused, owner named.
    page.goto(f"{base}/records/customers/new/")
    page.fill("#id_name", customer.name)
    page.click("form.card button[type=submit]")
    refusal = page.locator("#protected-duplicate")
    assert str(people["sales2"]) in refusal.inner_text()
    assert customer.code not in page.content()
    shoot(page, "protected-duplicate-en-1280.png", screenshot_dir)
    refusal.get_by_role("button", name="Ask the owner to share").click()
    page.wait_for_url(f"{base}/records/customers/")
    assert "was asked to share" in page.locator(".alert-success").inner_text()
    assert Customer.objects.filter(name=customer.name).count() == 1
    context.close()

    # On a phone, in Chinese: the pool still fits and offers the claim.
    phone = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = phone.new_page()
    sign_in(page, base, "manager")
    page.goto(f"{base}/records/customers/pool/")
    assert other.name in page.locator(f"#pool-{other.pk}").inner_text()
    shoot(page, "pool-zh-375.png", screenshot_dir)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    phone.close()
