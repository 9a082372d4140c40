"""Contract expiry reminders (#18 item 4): scheduled when a contract with an end date is saved,
delivered once by the notifications worker (also with two workers), read in the reader's
language, moved with an edited end date, withdrawn on renewal and when the customer is binned."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from portal.core.testing import capture_events, run_at_once
from portal.notifications.actions import deliver_due_reminders
from portal.notifications.models import Notification, Reminder
from portal.records.customers import actions as customer_actions
from portal.records.deals import actions as deal_actions
from portal.records.deals.actions.contract_expiry import expiry_reminder_time
from portal.records.deals.actions.renewal import renew_contract
from portal.records.models import DealReminder
from tests.records.deal_helpers import won_deal

SOURCE = "records.dealreminder:"


def _contract(deal, user, ends_in: int | None, number: str = "HT-2026-042"):
    today = timezone.localdate()
    return deal_actions.save_contract(
        deal,
        acting_user=user,
        number=number,
        signed_on=today,
        amount=120000,
        ends_on=None if ends_in is None else today + datetime.timedelta(days=ends_in),
    )


def _pending(deal) -> list[Reminder]:
    sources = [r.source for r in DealReminder.objects.filter(deal=deal, kind="contract")]
    return list(Reminder.objects.filter(source__in=sources, delivered_at__isnull=True))


@pytest.fixture
def deal(customer, people):
    deal = won_deal(customer, people["sales1"])
    deal_actions.update_deal(deal, acting_user=people["sales1"], co_owners=[people["sales2"]])
    return deal


def test_signing_a_contract_with_an_end_date_schedules_one_reminder_for_owner_and_co_owners(
    deal, people
):
    # when sales1 records a contract ending in 100 days
    contract = _contract(deal, people["sales1"], 100)
    # then one deal reminder of kind "contract" is due 30 days before the end, at nine,
    # for the owner and the co-owner, as a message rendered when read
    (reminder,) = DealReminder.objects.filter(deal=deal, kind="contract")
    assert reminder.due_at == expiry_reminder_time(contract.ends_on)
    assert timezone.localdate(reminder.due_at) == contract.ends_on - datetime.timedelta(days=30)
    assert {p.username for p in reminder.people.all()} == {"sales1", "sales2"}
    scheduled = Reminder.objects.filter(source=reminder.source)
    assert {r.user.username for r in scheduled} == {"sales1", "sales2"}
    assert {r.message for r in scheduled} == {"records.contract_expiring"}
    assert scheduled[0].params["number"] == "HT-2026-042"
    assert scheduled[0].params["ends_on"] == contract.ends_on.isoformat()
    # saving it again unchanged schedules nothing more
    _contract(deal, people["sales1"], 100)
    assert Reminder.objects.filter(source__startswith=SOURCE).count() == 2


def test_no_reminder_without_an_end_date_or_after_the_end(deal, people):
    _contract(deal, people["sales1"], None)
    assert not DealReminder.objects.filter(deal=deal, kind="contract").exists()
    _contract(deal, people["sales1"], -1)
    assert not DealReminder.objects.filter(deal=deal, kind="contract").exists()
    assert not Reminder.objects.exists()


@override_settings(CONTRACT_EXPIRY_REMINDER_DAYS=10)
def test_the_number_of_days_is_a_setting(deal, people):
    contract = _contract(deal, people["sales1"], 100)
    reminder = DealReminder.objects.get(deal=deal, kind="contract")
    assert timezone.localdate(reminder.due_at) == contract.ends_on - datetime.timedelta(days=10)


def test_editing_the_end_date_moves_the_pending_reminder(deal, people):
    _contract(deal, people["sales1"], 100)
    old = DealReminder.objects.get(deal=deal, kind="contract")
    contract = _contract(deal, people["sales1"], 200)
    new = DealReminder.objects.get(deal=deal, kind="contract")
    assert new.pk != old.pk
    assert not Reminder.objects.filter(source=old.source).exists()
    assert {r.due_at for r in _pending(deal)} == {expiry_reminder_time(contract.ends_on)}
    # removing the end date withdraws it
    _contract(deal, people["sales1"], None)
    assert not DealReminder.objects.filter(deal=deal, kind="contract").exists()
    assert not Reminder.objects.exists()


def test_delivered_once_and_read_in_each_readers_language(deal, people):
    # given a contract ending in 20 days (already inside the 30-day window: due at once)
    _contract(deal, people["sales1"], 20)
    people["sales2"].language = "zh-hans"
    people["sales2"].save(update_fields=["language"])
    # when the worker runs twice
    assert deliver_due_reminders() == 2
    assert deliver_due_reminders() == 0
    # then each person has exactly one notice, in their own words
    en = Notification.objects.get(user=people["sales1"])
    zh = Notification.objects.get(user=people["sales2"])
    title, body = en.render("en")
    assert title.startswith("Contract HT-2026-042 with 上海华东精密机械有限公司 ends on")
    assert deal.number in body
    title_zh, body_zh = zh.render("zh-hans")
    assert "HT-2026-042" in title_zh and "合同" in title_zh and "到期" in title_zh
    assert "ends on" not in title_zh
    assert en.url.endswith("#contract")
    # and saving the contract again unchanged does not tell anyone a second time
    _contract(deal, people["sales1"], 20)
    assert deliver_due_reminders() == 0
    assert Notification.objects.count() == 2


def test_renewing_cancels_the_pending_reminder(deal, people):
    contract = _contract(deal, people["sales1"], 100)
    assert len(_pending(deal)) == 2
    with capture_events() as events:
        renewal = renew_contract(contract, acting_user=people["sales1"])
    assert "records.deal_contract_renewed" in events.names
    assert _pending(deal) == []
    assert not DealReminder.objects.filter(deal=deal, kind="contract").exists()
    # far past the reminder's time, nothing is delivered
    assert deliver_due_reminders(now=timezone.now() + datetime.timedelta(days=365)) == 0
    assert not Notification.objects.exists()
    # and saving the renewed contract again does not schedule it anew
    _contract(deal, people["sales1"], 100)
    assert not DealReminder.objects.filter(deal=deal, kind="contract").exists()
    assert renewal.renews_id == deal.pk


def test_binning_the_customer_cancels_and_restoring_reschedules(deal, customer, people):
    _contract(deal, people["sales1"], 100)
    with capture_events():
        customer_actions.delete_customer(customer, acting_user=people["sales1"])
    assert _pending(deal) == []
    with capture_events():
        customer_actions.restore_customer(customer, acting_user=people["sales1"])
    assert len(_pending(deal)) == 2


def test_people_cannot_make_contract_reminders_by_hand(deal, people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        deal_actions.create_deal_reminder(
            deal,
            acting_user=people["sales1"],
            due_at=timezone.now(),
            subject="Fake",
            kind="contract",
        )
    assert not DealReminder.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_the_expiry_reminder_exactly_once(deal, people):
    _contract(deal, people["sales1"], 5)

    def worker(_index: int) -> int:
        return deliver_due_reminders(batch=1) + deliver_due_reminders(batch=5)

    results = run_at_once(worker, 2)
    assert sum(results) == 2
    assert Notification.objects.filter(user=people["sales1"]).count() == 1
    assert Notification.objects.filter(user=people["sales2"]).count() == 1


def test_a_handed_over_deal_reminds_its_new_owner(deal, people, make_user):
    sales4 = make_user("sales4")
    _contract(deal, people["sales1"], 100)
    with capture_events():
        deal_actions.handover_deal(deal, to_user=sales4, acting_user=people["manager"])
    reminder = DealReminder.objects.get(deal=deal, kind="contract")
    assert {p.username for p in reminder.people.all()} == {"sales4", "sales2"}
    assert {r.user.username for r in _pending(deal)} == {"sales4", "sales2"}
