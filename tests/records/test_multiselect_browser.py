"""Searchable multi-selects (#18 item 8): on the deal form sales1 types part of a colleague's
name into the co-owners box, picks him with the keyboard, drops a wrong pick with its button,
saves, and the co-owner is stored; at 375 px the box fits the screen; without JavaScript the
plain multi-select still saves."""

import re

import pytest
from playwright.sync_api import expect

from portal.accounts import roles
from portal.records.customers import actions
from portal.records.deals import actions as deal_actions
from tests.browser import shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_co_owner_picked_by_typing_and_saved(
    live_server, browser, page, people, make_user, screenshot_dir
):
    wang = make_user("wangxm", roles.SALES, "east", display_name="王晓明 Wang Xiaoming")
    make_user("wangli", roles.SALES, "north", display_name="王丽 Wang Li")
    zhao = make_user("zhaolei", roles.SALES, "north", display_name="赵磊 Zhao Lei")
    customer = actions.create_customer(acting_user=people["sales1"], name="宁波海昌电子有限公司")
    deal = deal_actions.create_deal(
        acting_user=people["sales1"], customer=customer, name="Sensor refit"
    )
    edit_url = f"{live_server.url}/records/deals/{deal.pk}/edit/"

    sign_in(page, live_server.url, "sales1")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(edit_url)
    # the select is enhanced: a labelled combobox replaces the Ctrl-click list
    box = page.get_by_role("combobox", name=re.compile("co-owners", re.IGNORECASE))
    expect(box).to_be_visible()
    expect(page.locator("#id_co_owners")).to_have_attribute("aria-hidden", "true")
    # typing part of a name filters the options; the keyboard picks the first match
    box.fill("晓明")
    listbox = page.get_by_role("listbox", name=re.compile("co-owners", re.IGNORECASE))
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(listbox.get_by_role("option")).to_have_text("王晓明 Wang Xiaoming")
    box.press("ArrowDown")
    box.press("Enter")
    # a second, wrong pick by mouse, then dropped with its labelled button
    box.fill("zhao")
    listbox.get_by_role("option", name="赵磊 Zhao Lei").click()
    chosen = page.locator(".multiselect-chips").first
    expect(chosen.get_by_text("王晓明 Wang Xiaoming")).to_be_visible()
    expect(chosen.get_by_text("赵磊 Zhao Lei")).to_be_visible()
    box.fill("")
    box.press("Escape")
    page.get_by_role("button", name="Remove 赵磊 Zhao Lei").click()
    expect(chosen.get_by_text("赵磊 Zhao Lei")).to_have_count(0)
    # it fits a phone's width
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    box.fill("Wang")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option")).to_have_count(2)
    shoot(page, "deal-co-owners-375.png", screenshot_dir)
    box.press("Escape")
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(rf"/records/deals/{deal.pk}/$"))
    assert list(deal.co_owners.all()) == [wang]
    assert zhao not in deal.co_owners.all()

    # without JavaScript the plain multi-select is there and saves too
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US", java_script_enabled=False
    )
    plain = context.new_page()
    try:
        plain.goto(f"{live_server.url}/accounts/login/")
        plain.fill("#id_username", "sales1")
        plain.fill("#id_password", "agora-demo")
        plain.click("#login-form button[type=submit]")
        plain.wait_for_url(f"{live_server.url}/")
        plain.goto(edit_url)
        assert plain.locator("[role=combobox]").count() == 0
        plain.select_option("#id_co_owners", [str(wang.pk), str(zhao.pk)])
        plain.click("form.card button[type=submit]")
        plain.wait_for_url(re.compile(rf"/records/deals/{deal.pk}/$"))
    finally:
        context.close()
    assert set(deal.co_owners.all()) == {wang, zhao}
