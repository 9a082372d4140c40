"""Browser journey of issue 18 item 5: the manager reads customer counts by region × category
and drills into one cell, landing on the customer list showing exactly those customers."""

import pytest

from portal.records.customers.models import CustomerCategory
from tests.browser import choose, shoot, sign_in

from .analysis_helpers import seed_analysis

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_drills_from_region_by_category_into_the_list(
    live_server, browser, people, screenshot_dir
):
    seeded = seed_analysis(people)
    base = live_server.url
    current = CustomerCategory.objects.get(key="current").pk
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    sign_in(page, base, "manager")
    page.goto(f"{base}/records/statistics/")
    page.click("#customer-analysis-link")
    page.wait_for_selector("#analysis-table")
    choose(page, "#id_period", "2026")
    choose(page, "#id_rows", "region")
    choose(page, "#id_cols", "category")
    assert page.locator("#analysis-table thead").inner_text().split("\t")[:1] == ["Region"]
    # east × current: A, B and G (the administrator's H and the binned X are not his).
    cell = page.locator(f"#cell-east-{current}")
    assert cell.inner_text() == "3"
    assert page.locator("#total-customers").inner_text() == "7"
    page.wait_for_function("document.querySelector('#chart-matrix').width > 0")
    shoot(page, "customer-analysis-en.png", screenshot_dir)

    cell.click()
    page.wait_for_url("**/records/customers/?*")
    rows = page.locator("#customer-rows tbody tr")
    names = sorted(rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count()))
    assert names == ["Analysis A", "Analysis B", "Analysis G"]
    assert page.locator("#id_region").input_value() == "east"
    assert page.locator("#id_category").input_value() == "current"
    shoot(page, "customer-analysis-drill-en.png", screenshot_dir)
    context.close()
    assert seeded["H"].region == "east"  # counted nowhere above, though east × current

    # The same page in Chinese on a phone: nothing overflows sideways.
    phone = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = phone.new_page()
    sign_in(page, base, "manager")
    page.goto(f"{base}/records/statistics/customers/?period=2026&measure=won")
    assert page.locator(f"#cell-east-{current}").inner_text() == "2"
    shoot(page, "customer-analysis-zh-375.png", screenshot_dir)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    page.locator(f"#cell-east-{current}").click()
    page.wait_for_url("**/records/customers/?*")
    shoot(page, "customer-analysis-drill-zh-375.png", screenshot_dir)
    phone.close()


def test_contract_list_on_desktop_and_phone(live_server, browser, people, screenshot_dir):
    from tests.records.test_contracts import Seeder

    s = Seeder(people)
    for owner, ends_in in (("sales1", 10), ("sales1", 200), ("sales1", -5), ("sales2", 20)):
        s.contract(owner, ends_in)
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    sign_in(page, base, "manager")
    page.goto(f"{base}/records/deals/")
    page.click("#contracts-link")
    page.wait_for_selector("#contract-table")
    assert page.locator("#contract-table tbody tr").count() == 4
    page.select_option("#id_state", "ending")
    page.wait_for_url("**state=ending*")
    assert page.locator("#contract-table tbody tr").count() == 2  # K-1 (10 days), K-4 (20)
    shoot(page, "contracts-en.png", screenshot_dir)
    context.close()
    phone = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = phone.new_page()
    sign_in(page, base, "sales1")
    page.goto(f"{base}/records/contracts/")
    assert page.locator("#contract-table tbody tr").count() == 3
    shoot(page, "contracts-zh-375.png", screenshot_dir)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    phone.close()
