"""seed_demo: the demo people in their roles, once, and never in production settings."""

import pytest
from django.core.management import CommandError, call_command

from portal.accounts.models import User
from portal.accounts.permissions import has_module_perm


def test_seed_demo_creates_the_demo_users_once(db):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    demo = {"admin", "manager", "sales1", "sales2", "service", "editor", "newhire"}
    assert demo <= set(User.objects.values_list("username", flat=True))
    assert User.objects.filter(username="sales1").count() == 1
    sales1 = User.objects.get(username="sales1")
    assert sales1.check_password("agora-demo")
    assert has_module_perm(sales1, "customers", "register")
    manager = User.objects.get(username="manager")
    assert manager.managed_departments.filter(name__contains="Sales").exists()


def test_seed_demo_refuses_when_demo_data_is_not_allowed(db, settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="disabled"):
        call_command("seed_demo", verbosity=0)
    assert not User.objects.filter(username="sales1").exists()


def _counts() -> dict[str, int]:
    from django.apps import apps

    models = [
        "records.Customer",
        "records.Contact",
        "records.Deal",
        "records.Contract",
        "records.Activity",
        "records.DealReminder",
        "records.MailBatch",
        "records.MailRecipient",
        "notifications.Reminder",
        "notifications.Notification",
        "core.AuditEntry",
    ]
    return {name: apps.get_model(name).objects.count() for name in models}


def test_seed_demo_fills_the_sales_workbench_once(db):
    """#18: pool, sales1's calendar and My tasks, a contract ending soon, a sent fax; a second
    run adds nothing at all."""
    import datetime

    from django.utils import timezone

    from portal.core.tasks import tasks_for
    from portal.records.customers.models import Customer, MailBatch, MailRecipient
    from portal.records.customers.policy import customer_policy
    from portal.records.deals.calendar import calendar_items
    from portal.records.deals.models import Contract, DealReminder

    call_command("seed_demo", verbosity=0)
    before = _counts()
    call_command("seed_demo", verbosity=0)
    assert _counts() == before

    sales1 = User.objects.get(username="sales1")
    sales2 = User.objects.get(username="sales2")
    today = timezone.localdate()
    # lapsed customers sit in the pool, readable and claimable there
    pooled = Customer.objects.filter(in_pool=True)
    assert pooled.count() >= 3
    assert customer_policy.pool_visible_to(sales2).filter(in_pool=True).count() >= 3
    # sales1's calendar has this week's and next week's items, with the contact's meeting
    monday = today - datetime.timedelta(days=today.weekday())
    this_week = calendar_items(sales1, monday, monday + datetime.timedelta(days=7))
    next_week = calendar_items(
        sales1, monday + datetime.timedelta(days=7), monday + datetime.timedelta(days=14)
    )
    assert this_week and next_week
    soon = calendar_items(sales1, today, today + datetime.timedelta(days=9))
    assert {"appointment", "activity"} <= {item.kind for item in soon}
    month = calendar_items(sales1, today, today + datetime.timedelta(days=30))
    assert "contract" in {item.kind for item in month}
    assert any("测厚仪产品演示" in item.title for item in soon)
    # My tasks: a call due today and the contract ending within 30 days among them
    tasks = tasks_for(sales1)
    assert tasks
    assert any(task.kind == "deals.contract" for task in tasks)
    ending = Contract.objects.filter(
        deal__owner=sales1, ends_on__gte=today, ends_on__lte=today + datetime.timedelta(30)
    )
    assert ending.exists()
    assert DealReminder.objects.filter(deal=ending.first().deal, kind="contract").exists()
    # the fax gateway is set and one fax batch went out as gateway e-mail
    fax = MailBatch.objects.get(channel="fax")
    recipients = MailRecipient.objects.filter(batch=fax)
    assert recipients.filter(status="sent").exists()
    assert all(r.email.endswith("@fax.example.cn") for r in recipients.filter(status="sent"))
