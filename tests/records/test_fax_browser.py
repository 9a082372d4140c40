"""Browser journey of #18 item 6: the administrator sets the fax gateway in the admin, a rep
faxes a PDF to two customers (and one without a number) and the batch page shows each
recipient's status; the gateway e-mails are in the outbox. Also the deal's "Mail and fax"
panel and the printable lists, on a desktop and on a 375 px phone in Chinese."""

from __future__ import annotations

import pytest
from django.core import mail

from portal.records.customers import actions, labels
from portal.records.models import MailBatch
from tests.browser import shoot, sign_in, submit
from tests.records.deal_helpers import open_deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bulk_fax_journey(live_server, page, browser, people, tmp_path, screenshot_dir):
    base = live_server.url
    sales1 = people["sales1"]
    first = actions.create_customer(
        acting_user=sales1, name="上海华东精密机械有限公司", fax="021-5555 0102"
    )
    second = actions.create_customer(
        acting_user=sales1, name="北京燕山化工有限公司", fax="010 6666 0103"
    )
    nofax = actions.create_customer(acting_user=sales1, name="深圳南方电子有限公司")
    deal = open_deal(first, sales1, name="数控机床改造")
    document = tmp_path / "价目表.pdf"
    document.write_bytes(labels.render_pdf([]))

    # Without a gateway, faxing is refused in plain words
    sign_in(page, base, "sales1")
    page.goto(f"{base}/records/customers/")
    page.check(f"input[name=ids][value='{first.pk}']")
    submit(page, "#bulk-fax")
    assert page.get_by_text("No fax gateway is configured").count() == 1

    # The administrator sets the gateway domain in the admin
    sign_in(page, base, "admin")
    page.goto(f"{base}/admin/records/faxgateway/add/")
    page.fill("#id_domain", "fax.example.net")
    shoot(page, "admin-fax-gateway.png", screenshot_dir)
    submit(page, "input[name=_save]")
    assert actions.fax_gateway_domain() == "fax.example.net"

    # sales1 selects three customers on the list and faxes them the price list
    sign_in(page, base, "sales1")
    page.goto(f"{base}/records/customers/")
    for customer in (first, second, nofax):
        page.check(f"input[name=ids][value='{customer.pk}']")
    shoot(page, "customer-list-desktop.png", screenshot_dir)
    page.click("#bulk-fax")
    page.wait_for_selector("#fax-form")
    page.fill("#id_subject", "2027 年价目表")
    page.fill("#id_body", "您好，附件为 2027 年价目表，请查收。")
    page.set_input_files("#id_document", str(document))
    assert page.get_by_text("no fax number — will be reported as skipped").count() == 1
    shoot(page, "fax-compose-desktop.png", screenshot_dir)
    page.click("#fax-form button[type=submit]")
    page.wait_for_selector("#send-now")
    assert mail.outbox == []  # a preview first
    rows = page.locator("#recipients tbody tr")
    assert rows.count() == 3
    shoot(page, "fax-preview-desktop.png", screenshot_dir)
    page.click("#send-now")
    page.wait_for_selector("text=Sent fax")
    statuses = {
        rows.nth(i).locator("td").nth(0).inner_text(): rows.nth(i).locator("td").nth(3).inner_text()
        for i in range(3)
    }
    assert statuses["上海华东精密机械有限公司"].startswith("Sent")
    assert statuses["北京燕山化工有限公司"].startswith("Sent")
    assert statuses["深圳南方电子有限公司"] == "Skipped No fax number"
    assert sorted(m.to[0] for m in mail.outbox) == [
        "01066660103@fax.example.net",
        "02155550102@fax.example.net",
    ]
    assert all(m.attachments[0][0].endswith(".pdf") for m in mail.outbox)
    shoot(page, "fax-batch-desktop.png", screenshot_dir)
    batch_url = page.url

    # A fax about the deal, from the deal page, with the same PDF uploaded there
    page.goto(f"{base}{deal.get_absolute_url()}")
    page.click("#write-about-deal")
    page.locator("#messages").scroll_into_view_if_needed()
    shoot(page, "deal-write-about-desktop.png", screenshot_dir)
    page.select_option("#id_message-channel", "fax")
    page.set_input_files("#id_message-upload", str(document))
    page.fill("#id_message-subject", "数控机床改造报价")
    page.fill("#id_message-body", "请确认报价。")
    page.click("#messages form button[type=submit]")
    page.wait_for_selector("#send-now")
    page.click("#send-now")
    page.wait_for_selector("text=Sent fax")
    assert mail.outbox[-1].to == ["02155550102@fax.example.net"]
    page.goto(f"{base}{deal.get_absolute_url()}#messages")
    log = page.locator("#message-log").inner_text()
    assert "数控机床改造报价" in log and "1 of 1 delivered" in log
    page.locator("#messages").scroll_into_view_if_needed()
    shoot(page, "deal-mail-and-fax-desktop.png", screenshot_dir)
    assert MailBatch.objects.filter(deal=deal).count() == 1

    # The same pages on a phone, in Chinese
    phone = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    small = phone.new_page()
    sign_in(small, base, "sales1")
    for name, url in [
        ("customer-list-zh-375", f"{base}/records/customers/"),
        ("fax-batch-zh-375", batch_url),
        ("deal-mail-and-fax-zh-375", f"{base}{deal.get_absolute_url()}"),
    ]:
        small.goto(url)
        if name == "deal-mail-and-fax-zh-375":
            small.click("#write-about-deal")
        shoot(small, f"{name}.png", screenshot_dir)
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (name, width)
    # the reasons are shown in the reader's language, whoever composed the batch
    small.goto(batch_url)
    assert small.get_by_text("没有传真号码").count() == 1
    small.goto(f"{base}/records/customers/")
    small.check(f"input[name=ids][value='{first.pk}']")
    small.click("#bulk-fax")
    small.wait_for_selector("#fax-form")
    assert small.get_by_text("传真文档").count() >= 1
    shoot(small, "fax-compose-zh-375.png", screenshot_dir)
    assert small.evaluate("document.documentElement.scrollWidth") <= 375
    # the printable phone list answers a PDF beside the exports
    response = small.request.get(f"{base}/records/customers/lists/?kind=phone")
    assert response.headers["content-type"] == "application/pdf"
    phone.close()
