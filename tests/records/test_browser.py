"""Browser journey of issue 3: create with two contacts, share, hide from a third rep,
transfer, delete and restore with contacts and history intact."""

import re

import pytest

from portal.records.models import Customer
from tests.browser import shoot, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_contact(page, name, department, email):
    page.click("button[data-bs-target='#add-contact']")
    page.fill("#add-contact input[name=name]", name)
    page.fill("#add-contact input[name=department]", department)
    page.fill("#add-contact input[name=email]", email)
    submit(page, "#add-contact button[type=submit]")


def test_customer_journey(live_server, page, people, sales3, screenshot_dir):
    # sales1 creates a customer with two contacts
    sign_in(page, live_server.url, "sales1")
    page.goto(f"{live_server.url}/records/customers/new/")
    page.fill("#id_name", "杭州启明光电技术有限公司")
    page.fill("#id_city", "杭州")
    page.fill("#id_address", "浙江省杭州市滨江区江南大道 1 号")
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r"/records/customers/\d+/$"))
    detail_url = page.url
    customer = Customer.objects.get(name="杭州启明光电技术有限公司")
    add_contact(page, "赵敏", "采购部", "zhaomin@qiming.example.cn")
    add_contact(page, "孙涛", "技术部", "suntao@qiming.example.cn")
    assert page.locator("#contacts tbody tr").count() == 2
    # shares it with sales2
    page.select_option("#share-form select[name=user]", str(people["sales2"].pk))
    submit(page, "#share-form button[type=submit]")
    shoot(page, "records-journey-shared.png", screenshot_dir)

    # sales2 sees it
    sign_in(page, live_server.url, "sales2")
    page.goto(f"{live_server.url}/records/customers/")
    assert page.get_by_text("杭州启明光电技术有限公司").is_visible()

    # a third rep does not: page 404, API 404, export without it
    sign_in(page, live_server.url, "sales3")
    assert page.goto(detail_url).status == 404
    assert page.request.get(f"{live_server.url}/api/v1/customers/{customer.pk}/").status == 404
    export = page.request.get(f"{live_server.url}/records/customers/export/").text()
    assert "杭州启明" not in export
    page.goto(f"{live_server.url}/records/customers/")
    assert page.get_by_text("杭州启明光电技术有限公司").count() == 0

    # manager transfers it to sales2
    sign_in(page, live_server.url, "manager")
    page.goto(detail_url)
    page.select_option("#transfer-form select[name=to_user]", str(people["sales2"].pk))
    submit(page, "#transfer-form button[type=submit]")
    customer.refresh_from_db()
    assert customer.owner == people["sales2"]

    # it is deleted and restored with its contacts and history intact
    page.goto(detail_url)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form[action$='/delete/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/records/customers/")
    assert page.goto(detail_url).status == 404
    page.goto(f"{live_server.url}/records/customers/bin/")
    page.click("form[action$='/restore/'] button[type=submit]")
    page.wait_for_url(detail_url)
    assert page.locator("#contacts tbody tr").count() == 2
    history = page.locator(".agora-history").inner_text()
    for action in (
        "Customer created",
        "Shared",
        "Transferred to another rep",
        "Moved to the recycle bin",
        "Restored from the recycle bin",
    ):
        assert action in history
    shoot(page, "records-journey-restored.png", screenshot_dir)
