"""Deal actions and permissions: opening, visibility, stages and states, activities, reminders,
competitors, handover, urging, won-deal records and payment reminders."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from portal.core import audit, visibility
from portal.core.testing import capture_events
from portal.notifications.actions import deliver_due_reminders
from portal.notifications.models import Notification, Reminder
from portal.records.customers import actions
from portal.records.deals import actions as deal_actions
from portal.records.deals.policy import access_deal, deals_visible_to
from portal.records.deals.queries import competitor_results, next_contact_due
from portal.records.models import Activity, Deal, DealReminder, DealStage, DealUrge
from tests.records.deal_helpers import open_deal, won_deal


def test_opening_a_deal_numbers_it_and_defaults_owner_stage_and_keys(customer, people, events):
    # given sales1's customer, when sales1 opens a deal with a name only
    deal = deal_actions.create_deal(
        acting_user=people["sales1"], customer=customer, name="Line retrofit"
    )
    # then it is numbered, owned by sales1, in the first default stage and visible like
    # its customer
    assert deal.number.startswith("D") and deal.number.endswith("0001")
    assert deal.owner == people["sales1"] and deal.state == Deal.State.TRACKING
    assert deal.stage == DealStage.objects.order_by("position").first()
    assert DealStage.objects.count() == 4
    assert visibility.object_keys(deal) == visibility.object_keys(customer)
    assert {"records.deal_created", "records.deal_access_changed"} <= set(events.names)
    assert audit.history(deal).filter(action="deal.created").exists()


def test_contacts_must_belong_to_the_deals_customer(customer, people):
    other = actions.create_customer(acting_user=people["sales1"], name="Other Ltd")
    stranger = actions.create_contact(other, acting_user=people["sales1"], name="Zhang Wei")
    with pytest.raises(ValidationError) as caught:
        open_deal(customer, people["sales1"], contacts=[stranger])
    assert "contacts" in caught.value.message_dict
    assert not Deal.objects.exists()
    deal = open_deal(customer, people["sales1"], contacts=list(customer.contacts.all()))
    assert deal.contacts.count() == 2


def test_a_deal_for_a_customer_one_cannot_see_is_refused(customer, people, sales3):
    with pytest.raises(ValidationError) as caught:
        open_deal(customer, sales3)
    assert "customer" in caught.value.message_dict
    assert not Deal.objects.exists()


def test_people_without_deals_register_cannot_open_deals(customer, people):
    with pytest.raises(PermissionDenied):
        deal_actions.create_deal(acting_user=people["service"], customer=customer, name="X")
    assert not Deal.objects.exists()


def test_visibility_follows_the_customer_plus_co_owners(customer, people, sales3):
    deal = open_deal(customer, people["sales1"])
    assert deals_visible_to(people["manager"]).filter(pk=deal.pk).exists()
    assert not deals_visible_to(people["sales2"]).exists()
    with pytest.raises(Http404):
        access_deal(people["sales2"], deal.pk)
    with pytest.raises(Http404):
        access_deal(people["sales2"], 999999)
    # a co-owner sees the deal without seeing more of the customer
    deal_actions.update_deal(deal, acting_user=people["sales1"], co_owners=[people["sales2"]])
    assert access_deal(people["sales2"], deal.pk) == deal
    # sharing the customer with sales3 lets them see its deals (re-keyed after commit)
    with capture_events():
        actions.share_customer(customer, acting_user=people["sales1"], user=sales3)
    assert deals_visible_to(sales3).filter(pk=deal.pk).exists()
    # newhire has no deals permission at all
    assert not deals_visible_to(people["newhire"]).exists()


def test_editing_is_refused_to_readers_and_nothing_changes(customer, people, sales3):
    deal = open_deal(customer, people["sales1"])
    with capture_events():
        actions.share_customer(customer, acting_user=people["sales1"], user=sales3)
    assert access_deal(sales3, deal.pk) == deal
    with pytest.raises(PermissionDenied):
        deal_actions.update_deal(deal, acting_user=sales3, name="Hijacked")
    with pytest.raises(PermissionDenied):
        deal_actions.win_deal(deal, acting_user=sales3)
    deal.refresh_from_db()
    assert deal.name == "Production line retrofit" and deal.state == Deal.State.TRACKING
    # the manager of the owner's department may edit
    deal_actions.update_deal(deal, acting_user=people["manager"], amount=Decimal("300000"))
    deal.refresh_from_db()
    assert deal.amount == Decimal("300000")


def test_stage_change_is_audited_and_published(customer, people, events):
    deal = open_deal(customer, people["sales1"])
    proposal = DealStage.objects.get(name="Proposal")
    deal_actions.update_deal(deal, acting_user=people["sales1"], stage=proposal)
    assert deal.probability == 50
    assert "records.deal_stage_changed" in events.names
    entry = audit.history(deal).filter(action="deal.updated").first()
    assert entry.changes["stage"] == ["Lead", "Proposal"]


def test_losing_needs_a_reason_and_closed_deals_refuse_stage_changes(customer, people):
    deal = open_deal(customer, people["sales1"])
    with pytest.raises(ValidationError):
        deal_actions.lose_deal(deal, acting_user=people["sales1"], reason=" ")
    deal.refresh_from_db()
    assert deal.state == Deal.State.TRACKING
    deal_actions.lose_deal(deal, acting_user=people["sales1"], reason="Price too high")
    assert deal.state == Deal.State.LOST and deal.closed_on == timezone.localdate()
    with pytest.raises(ValidationError):
        deal_actions.update_deal(deal, acting_user=people["sales1"], stage=DealStage.objects.last())
    deal_actions.reopen_deal(deal, acting_user=people["sales1"])
    assert deal.state == Deal.State.TRACKING and deal.closed_on is None


def test_activities_logged_planned_overdue_and_completed_with_a_next_one(customer, people, events):
    deal = open_deal(customer, people["sales1"])
    now = timezone.now()
    call = deal_actions.create_activity(
        deal,
        acting_user=people["sales1"],
        status=Activity.Status.DONE,
        kind="call",
        subject="First call",
        due_at=now - datetime.timedelta(hours=1),
        outcome="Interested",
    )
    assert call.customer_id == customer.pk and call.done_at
    visit = deal_actions.create_activity(
        deal,
        acting_user=people["sales1"],
        kind="visit",
        subject="Site visit",
        due_at=now - datetime.timedelta(days=1),
    )
    assert visit.is_overdue
    following = deal_actions.complete_activity(
        visit,
        acting_user=people["sales1"],
        outcome="Saw the line",
        next_step="Send the quote",
        next_kind="email",
        next_due_at=now + datetime.timedelta(days=2),
    )
    visit.refresh_from_db()
    assert visit.status == Activity.Status.DONE and visit.outcome == "Saw the line"
    assert following.status == Activity.Status.PLANNED and following.follows == visit
    assert following.subject == "Send the quote" and not following.is_overdue
    # a done activity in the future is refused
    with pytest.raises(ValidationError):
        deal_actions.create_activity(
            deal,
            acting_user=people["sales1"],
            status=Activity.Status.DONE,
            subject="Time travel",
            due_at=now + datetime.timedelta(days=1),
        )
    assert deal.activities.count() == 3
    # contact frequency: level C customers are due 30 days after the last contact
    due = next_contact_due(customer)
    assert due.due_on == timezone.localdate(call.due_at) + datetime.timedelta(days=30)


def test_activity_by_a_stranger_is_refused_and_nothing_changes(customer, people):
    deal = open_deal(customer, people["sales1"])
    with pytest.raises(PermissionDenied):
        deal_actions.create_activity(
            deal, acting_user=people["sales2"], subject="Sneaky", due_at=timezone.now()
        )
    assert not Activity.objects.exists()


def test_reminders_are_scheduled_with_the_notifications_worker(customer, people):
    deal = open_deal(customer, people["sales1"])
    due_at = timezone.now() - datetime.timedelta(minutes=1)
    reminder = deal_actions.create_deal_reminder(
        deal,
        acting_user=people["sales1"],
        due_at=due_at,
        subject="Call back Wang Fang",
        people=[people["sales1"], people["manager"]],
    )
    scheduled = Reminder.objects.filter(source=reminder.source)
    assert set(scheduled.values_list("user_id", flat=True)) == {
        people["sales1"].pk,
        people["manager"].pk,
    }
    assert deliver_due_reminders() == 2
    assert Notification.objects.filter(
        user=people["sales1"], title="Call back Wang Fang", url=deal.get_absolute_url()
    ).exists()
    # someone who cannot see the deal cannot be reminded of it
    with pytest.raises(ValidationError):
        deal_actions.create_deal_reminder(
            deal,
            acting_user=people["sales1"],
            due_at=due_at,
            subject="x",
            people=[people["sales2"]],
        )
    assert DealReminder.objects.count() == 1


def test_competitor_results_count_wins_and_losses(customer, people):
    first = open_deal(customer, people["sales1"], name="A")
    second = open_deal(customer, people["sales1"], name="B")
    third = open_deal(customer, people["sales1"], name="C")
    for deal in (first, second, third):
        deal_actions.add_competitor(
            deal, acting_user=people["sales1"], name="Rival Corp", price=Decimal("1000")
        )
    deal_actions.add_competitor(third, acting_user=people["sales1"], name="Other Inc")
    deal_actions.win_deal(first, acting_user=people["sales1"])
    deal_actions.lose_deal(second, acting_user=people["sales1"], reason="Cheaper rival")
    results = {row["name"]: row for row in competitor_results()}
    assert results["Rival Corp"]["won"] == 1 and results["Rival Corp"]["lost"] == 1
    assert results["Rival Corp"]["open"] == 1 and results["Rival Corp"]["total"] == 3
    assert results["Other Inc"]["open"] == 1
    with pytest.raises(ValidationError):
        deal_actions.add_competitor(first, acting_user=people["sales1"], name="")


def test_handover_moves_ownership_keeps_history_and_notifies(customer, people):
    deal = open_deal(customer, people["sales1"])
    planned = deal_actions.create_activity(
        deal,
        acting_user=people["sales1"],
        subject="Visit",
        due_at=timezone.now() + datetime.timedelta(days=1),
    )
    with capture_events() as captured:
        deal_actions.handover_deal(deal, to_user=people["sales2"], acting_user=people["manager"])
    deal.refresh_from_db()
    planned.refresh_from_db()
    assert deal.owner == people["sales2"] and deal.department == people["sales2"].department
    assert planned.owner == people["sales2"]
    assert access_deal(people["sales2"], deal.pk) == deal
    # sales1 still sees it through the customer but no longer owns it
    assert deals_visible_to(people["sales1"]).filter(pk=deal.pk).exists()
    assert not Deal.objects.filter(owner=people["sales1"]).exists()
    assert audit.history(deal).filter(action="deal.created").exists()
    assert audit.history(deal).filter(action="deal.handed_over").exists()
    assert captured.named("records.deal_handed_over")[0]["to_user_id"] == people["sales2"].pk
    assert Notification.objects.filter(user=people["sales2"], kind="deal").exists()


def test_handover_is_refused_to_strangers_and_nothing_changes(customer, people, sales3):
    deal = open_deal(customer, people["sales1"])
    with pytest.raises(PermissionDenied):
        deal_actions.handover_deal(deal, to_user=sales3, acting_user=people["sales2"])
    with pytest.raises(ValidationError):
        deal_actions.handover_deal(deal, to_user=people["newhire"], acting_user=people["sales1"])
    deal.refresh_from_db()
    assert deal.owner == people["sales1"]
    assert not deals_visible_to(sales3).exists()


def test_handing_over_all_deals_of_a_leaving_rep(customer, people):
    open_deal(customer, people["sales1"], name="One")
    open_deal(customer, people["sales1"], name="Two")
    lost = open_deal(customer, people["sales1"], name="Three")
    deal_actions.lose_deal(lost, acting_user=people["sales1"], reason="No budget")
    with pytest.raises(PermissionDenied):
        deal_actions.handover_deals_of(
            people["sales1"], to_user=people["sales2"], acting_user=people["sales2"]
        )
    moved = deal_actions.handover_deals_of(
        people["sales1"], to_user=people["sales2"], acting_user=people["manager"]
    )
    assert moved == 2
    assert set(Deal.objects.filter(owner=people["sales2"]).values_list("name", flat=True)) == {
        "One",
        "Two",
    }
    assert Deal.objects.get(name="Three").owner == people["sales1"]


def test_customer_transfer_takes_open_deals_along(customer, people):
    deal = open_deal(customer, people["sales1"])
    done = won_deal(customer, people["sales1"], name="Won one")
    deal_actions.add_installment(
        done, acting_user=people["sales1"], due_on=timezone.localdate(), amount="10"
    )
    deal_actions.record_payment(done, acting_user=people["sales1"], amount="10")
    deal_actions.add_delivery(
        done, acting_user=people["sales1"], description="All", delivered_on=timezone.localdate()
    )
    done.refresh_from_db()
    assert done.state == Deal.State.COMPLETED
    actions.transfer_customer(customer, to_user=people["sales2"], acting_user=people["manager"])
    deal.refresh_from_db()
    done.refresh_from_db()
    assert deal.owner == people["sales2"]
    assert done.owner == people["sales1"]  # completed deals stay with who won them
    assert access_deal(people["sales2"], deal.pk) == deal


def test_urge_flow_notifies_owner_and_is_answered(customer, people):
    deal = open_deal(customer, people["sales1"])
    due_on = timezone.localdate() + datetime.timedelta(days=3)
    # a rep cannot urge
    with pytest.raises(PermissionDenied):
        deal_actions.urge_deal(deal, acting_user=people["sales2"], message="Hurry", due_on=due_on)
    assert not DealUrge.objects.exists()
    with capture_events():
        urge = deal_actions.urge_deal(
            deal, acting_user=people["manager"], message="Where is the quote?", due_on=due_on
        )
    assert urge.urged_user == people["sales1"] and urge.is_open
    assert Notification.objects.filter(user=people["sales1"], kind="deal").exists()
    # only the owner answers
    with pytest.raises(PermissionDenied):
        deal_actions.answer_urge(urge, acting_user=people["sales2"], answer="Nope")
    urge.refresh_from_db()
    assert urge.is_open
    with capture_events():  # the manager is told after the answer commits
        deal_actions.answer_urge(urge, acting_user=people["sales1"], answer="Sent today")
    urge.refresh_from_db()
    assert not urge.is_open and urge.answer == "Sent today"
    told = Notification.objects.get(user=people["manager"], message="records.deal_urge_answered")
    assert told.kind == "deal" and told.render("en")[1] == "Sent today"
    with pytest.raises(ValidationError):
        deal_actions.answer_urge(urge, acting_user=people["sales1"], answer="Again")


def test_order_lines_need_a_won_deal(customer, people):
    deal = open_deal(customer, people["sales1"])
    with pytest.raises(ValidationError):
        deal_actions.add_order_line(
            deal, acting_user=people["sales1"], description="Robot arm", quantity=2, unit_price=10
        )
    assert not deal.order_lines.exists()


def test_payment_plan_reminders_fall_due_and_the_deal_completes(customer, people):
    deal = won_deal(customer, people["sales1"])
    deal_actions.add_order_line(
        deal, acting_user=people["sales1"], description="Robot arm", quantity=2, unit_price=50000
    )
    with pytest.raises(ValidationError) as caught:
        deal_actions.add_order_line(
            deal, acting_user=people["sales1"], description="Bad", quantity=0, unit_price=1
        )
    assert "quantity" in caught.value.message_dict
    today = timezone.localdate()
    deal_actions.save_contract(
        deal, acting_user=people["sales1"], number="HT-2026-001", signed_on=today, amount=100000
    )
    first = deal_actions.add_installment(
        deal, acting_user=people["sales1"], due_on=today, amount=40000
    )
    deal_actions.add_installment(
        deal,
        acting_user=people["sales1"],
        due_on=today + datetime.timedelta(days=30),
        amount=60000,
    )
    assert DealReminder.objects.filter(deal=deal, kind="payment").count() == 2
    # the first payment falls due: its reminder is delivered, the later one is not yet
    delivered = deliver_due_reminders(now=deal_actions.payment_reminder_time(today))
    assert delivered == 1
    assert Notification.objects.filter(user=people["sales1"], title__contains="40000").exists()
    deal_actions.record_payment(deal, acting_user=people["sales1"], amount=40000, installment=first)
    delivery = deal_actions.add_delivery(deal, acting_user=people["sales1"], description="Arms")
    status = deal_actions.fulfilment(deal)
    assert status["planned"] == Decimal("100000") and status["outstanding"] == Decimal("60000")
    with pytest.raises(ValidationError):
        deal_actions.complete_deal(deal, acting_user=people["sales1"])
    deal_actions.mark_delivered(delivery, acting_user=people["sales1"])
    deal.refresh_from_db()
    assert deal.state == Deal.State.WON
    # paying the rest withdraws its pending reminder and completes the deal
    second = deal.installments.order_by("due_on").last()
    deal_actions.record_payment(
        deal, acting_user=people["sales1"], amount=60000, installment=second
    )
    deal.refresh_from_db()
    assert deal.state == Deal.State.COMPLETED and deal.completed_on == today
    assert not Reminder.objects.filter(delivered_at__isnull=True).exists()


def test_payments_by_strangers_are_refused(customer, people):
    deal = won_deal(customer, people["sales1"])
    with pytest.raises(PermissionDenied):
        deal_actions.record_payment(deal, acting_user=people["sales2"], amount=10)
    with pytest.raises(ValidationError):
        deal_actions.record_payment(deal, acting_user=people["sales1"], amount=-5)
    assert not deal.payments.exists()


def test_closed_deals_cannot_be_urged(customer, people):
    deal = open_deal(customer, people["sales1"])
    deal_actions.lose_deal(deal, acting_user=people["sales1"], reason="Budget")
    with pytest.raises(PermissionDenied):
        deal_actions.urge_deal(
            deal,
            acting_user=people["manager"],
            message="Why?",
            due_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert not DealUrge.objects.exists()
