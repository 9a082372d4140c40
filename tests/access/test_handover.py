"""A leaver's handover moves all their work after a preview; nothing points at them after."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from portal.core.models import AuditEntry
from portal.notifications.models import Reminder
from portal.records.customers import actions as customer_actions
from portal.records.customers.models import Contact, Customer
from portal.records.customers.policy import access_customer
from portal.records.deals import actions as deal_actions
from portal.records.deals.models import Activity, Deal, DealUrge
from portal.records.deals.policy import access_deal
from tests.records.deal_helpers import open_deal

pytestmark = pytest.mark.django_db


def test_the_manager_hands_over_sales2s_work_to_sales1_after_a_preview(client_for, people, events):
    sales1, sales2 = people["sales1"], people["sales2"]
    customers = [
        customer_actions.create_customer(acting_user=sales2, name=f"北方客户 {i}") for i in (1, 2)
    ]
    customer_actions.create_contact(customers[0], acting_user=sales2, name="赵敏")
    deals = [open_deal(customer, sales2) for customer in customers]
    due = timezone.now() + datetime.timedelta(days=2)
    deal_actions.create_deal_reminder(deals[0], acting_user=sales2, due_at=due, subject="Call")
    deal_actions.urge_deal(
        deals[1], acting_user=people["manager"], message="Close it", due_on=timezone.localdate()
    )
    client = client_for(people["manager"])
    form = {"from_user": sales2.pk, "to_user": sales1.pk}
    # when the manager asks for the preview
    preview = client.post(reverse("records:deal_handover_all"), form).content.decode()
    # then it counts what will move, and nothing has moved yet
    for words in ("2 customers", "1 contact", "2 deals", "1 reminder", "1 unanswered urge"):
        assert words in preview, words
    assert Customer.objects.filter(owner=sales2).count() == 2
    # when they confirm
    done = client.post(reverse("records:deal_handover_all"), {**form, "confirm": "1"})
    assert done.status_code == 302
    # then sales1 opens every handed customer and deal, and gets the reminders and urges
    for customer in customers:
        assert access_customer(sales1, customer.pk)
        with pytest.raises(Http404):
            access_customer(sales2, customer.pk)
    for deal in deals:
        assert access_deal(sales1, deal.pk)
        with pytest.raises(Http404):
            access_deal(sales2, deal.pk)
    pending = Reminder.objects.filter(delivered_at__isnull=True, subject="Call")
    assert set(pending.values_list("user_id", flat=True)) == {sales1.pk}
    # nothing is left pointing at the leaver
    assert not Customer.objects.filter(owner=sales2).exists()
    assert not Deal.objects.filter(owner=sales2).exists()
    assert not Activity.objects.filter(owner=sales2, status=Activity.Status.PLANNED).exists()
    assert not DealUrge.objects.filter(urged_user=sales2, answered_at__isnull=True).exists()
    assert Contact.objects.get(name="赵敏").customer.owner == sales1
    entry = AuditEntry.objects.get(action="deal.work_handed_over")
    assert entry.changes["customers"] == 2 and entry.changes["deals"] == 2


def test_a_rep_cannot_hand_over_a_colleagues_work_and_nothing_moves(client_for, people):
    sales2 = people["sales2"]
    customer = customer_actions.create_customer(acting_user=sales2, name="北方客户")
    open_deal(customer, sales2)
    response = client_for(people["sales1"]).post(
        reverse("records:deal_handover_all"),
        {"from_user": sales2.pk, "to_user": people["sales1"].pk, "confirm": "1"},
    )
    assert response.status_code == 403
    assert Customer.objects.get(pk=customer.pk).owner == sales2
    assert Deal.objects.get(customer=customer).owner == sales2
