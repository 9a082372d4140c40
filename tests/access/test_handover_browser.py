"""Browser journeys of issue 14: the manager hands a leaver's work over after a preview, and an
administrator's department move in the admin re-keys a rep's customers for the managers."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.utils import timezone

from portal.accounts import roles
from portal.accounts.models import Department
from portal.notifications.actions import deliver_due_reminders
from portal.records.customers import actions as customer_actions
from portal.records.customers.models import Customer
from portal.records.deals import actions as deal_actions
from portal.records.deals.models import Deal
from tests.browser import shoot, sign_in, submit
from tests.records.deal_helpers import open_deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _status(page, url: str) -> int:
    return page.goto(url).status


def test_the_manager_hands_over_sales2s_work_and_sales1_takes_it_all(
    live_server, page, people, screenshot_dir
):
    sales1, sales2 = people["sales1"], people["sales2"]
    customers = [
        customer_actions.create_customer(acting_user=sales2, name=f"北方离职交接客户 {n}")
        for n in (1, 2, 3)
    ]
    customer_actions.create_contact(customers[0], acting_user=sales2, name="赵敏")
    # two customers with deals, one without: the customers move with the deals or alone
    deals = [open_deal(customer, sales2, name=f"交接商机 {n}") for n, customer in
             enumerate(customers[:2], 1)]  # fmt: skip
    due = timezone.now() + datetime.timedelta(hours=2)
    for deal in deals:
        deal_actions.create_deal_reminder(
            deal, acting_user=sales2, due_at=due, subject=f"回访 {deal.name}"
        )
    base = live_server.url

    # the manager asks for the handover and sees the preview; nothing has moved yet
    sign_in(page, base, "manager")
    page.goto(f"{base}/records/deals/handover/")
    page.select_option("#id_from_user", str(sales2.pk))
    page.select_option("#id_to_user", str(sales1.pk))
    submit(page, page.get_by_role("button", name="Show what will move"))
    preview = page.locator("#handover-preview")
    for words in ("3 customers", "1 contact", "2 deals", "2 reminders"):
        assert preview.get_by_text(words).is_visible(), words
    shoot(page, "access-handover-preview.png", screenshot_dir)
    assert Customer.objects.filter(owner=sales2).count() == 3
    assert Deal.objects.filter(owner=sales2).count() == 2

    # and confirms
    page.get_by_role("button", name="Confirm the handover").click()
    page.wait_for_url(re.compile(r"/records/deals/"))
    assert page.get_by_text(re.compile(r"handed over to .*2 deals, 3 customers")).is_visible()
    shoot(page, "access-handover-done.png", screenshot_dir)

    # sales1 opens every handed customer and deal, and gets their reminders when due
    sign_in(page, base, "sales1")
    for record in [*customers, *deals]:
        assert _status(page, f"{base}{record.get_absolute_url()}") == 200, record
    assert page.locator("body").get_by_text(deals[-1].name).first.is_visible()
    assert deliver_due_reminders(now=due + datetime.timedelta(minutes=1)) == 2
    page.goto(f"{base}/notifications/")
    for deal in deals:
        assert page.get_by_text(f"回访 {deal.name}").first.is_visible()
    shoot(page, "access-handover-sales1.png", screenshot_dir)

    # sales2 no longer opens any of them, nor got a reminder
    sign_in(page, base, "sales2")
    for record in [*customers, *deals]:
        assert _status(page, f"{base}{record.get_absolute_url()}") == 404, record
    page.goto(f"{base}/notifications/")
    assert page.get_by_text("回访").count() == 0
    page.goto(f"{base}/records/customers/")
    assert page.get_by_text("北方离职交接客户").count() == 0


def test_a_move_in_the_admin_hands_sales1s_customers_to_the_new_manager(
    live_server, browser, page, people, org, make_user, screenshot_dir
):
    sales1 = people["sales1"]
    key_accounts = Department.objects.create(name="Key accounts", parent=org["head"])
    manager2 = make_user("manager2", roles.MANAGERS, None, display_name="Manager Two")
    Department.objects.filter(pk=key_accounts.pk).update(manager=manager2)
    manager2.department = key_accounts
    manager2.save(update_fields=["department"])
    customers = [
        customer_actions.create_customer(acting_user=sales1, name=f"华东调岗客户 {n}")
        for n in (1, 2)
    ]
    base = live_server.url
    urls = [f"{base}{customer.get_absolute_url()}" for customer in customers]
    old_manager, new_manager = page, browser.new_context(locale="en-US").new_page()
    sign_in(old_manager, base, "manager")
    sign_in(new_manager, base, "manager2")
    # before: the old manager sees them, the new one does not
    assert [_status(old_manager, url) for url in urls] == [200, 200]
    assert [_status(new_manager, url) for url in urls] == [404, 404]
    old_manager.goto(f"{base}/records/customers/")
    assert old_manager.get_by_text("华东调岗客户 1").first.is_visible()

    # the administrator moves sales1 to Key accounts in the admin
    admin = browser.new_context(locale="en-US").new_page()
    sign_in(admin, base, "admin")
    admin.goto(f"{base}/admin/accounts/user/{sales1.pk}/change/")
    admin.select_option("#id_department", str(key_accounts.pk))
    shoot(admin, "access-admin-move.png", screenshot_dir)
    admin.locator("input[name=_save]").click()
    admin.wait_for_url(re.compile(r"/admin/accounts/user/$"))
    assert admin.locator(".messagelist").get_by_text("was changed successfully").is_visible()
    started = time.monotonic()

    # within a minute the new manager sees sales1's customers and the old one does not
    while time.monotonic() - started < 60:
        if [_status(new_manager, url) for url in urls] == [200, 200]:
            break
        time.sleep(2)
    assert [_status(new_manager, url) for url in urls] == [200, 200]
    assert [_status(old_manager, url) for url in urls] == [404, 404]
    print(f"\nthe new manager saw the customers {time.monotonic() - started:.1f} s after the move")  # noqa: T201
    new_manager.goto(f"{base}/records/customers/")
    assert new_manager.get_by_text("华东调岗客户 1").first.is_visible()
    shoot(new_manager, "access-move-new-manager.png", screenshot_dir)
    old_manager.goto(f"{base}/records/customers/")
    assert old_manager.get_by_text("华东调岗客户").count() == 0
    shoot(old_manager, "access-move-old-manager.png", screenshot_dir)
    for other in (new_manager, admin):
        other.context.close()
