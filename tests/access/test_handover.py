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


def _complaint_assigned_to(person, customer, people, org):
    from portal.records.service import actions as service_actions

    case = service_actions.register_complaint(
        acting_user=people["service"], customer=customer, title="收银机死机", description="每天两次"
    )
    service_actions.assess_case(case, acting_user=people["service"], assessment="ok")
    service_actions.assign_case(
        case, acting_user=people["service"], department=person.department, assignee=person
    )
    return case


def test_a_leavers_open_complaints_move_with_the_handover(client_for, people, org, events):
    from portal.records.service.models import ServiceCase, ServiceCaseStep
    from portal.records.service.policy import access_case

    sales1, sales2 = people["sales1"], people["sales2"]
    customer = customer_actions.create_customer(acting_user=sales2, name="南方客户")
    cases = [_complaint_assigned_to(sales2, customer, people, org) for _ in range(2)]
    closed = _complaint_assigned_to(sales2, customer, people, org)
    ServiceCase.objects.filter(pk=closed.pk).update(status=ServiceCase.Status.CLOSED)
    client = client_for(people["manager"])
    form = {"from_user": sales2.pk, "to_user": sales1.pk}
    # the preview counts the open complaints (not the closed one) and moves nothing
    preview = client.post(reverse("records:deal_handover_all"), form).content.decode()
    assert "2 open complaints" in preview
    assert ServiceCase.objects.filter(assignee=sales2).count() == 3
    # when confirmed, sales1 is the assignee of the open ones, each with a step saying so
    assert (
        client.post(reverse("records:deal_handover_all"), {**form, "confirm": "1"}).status_code
        == 302
    )
    for case in cases:
        case.refresh_from_db()
        assert case.assignee == sales1
        assert case.status == ServiceCase.Status.ASSIGNED  # the case keeps its step
        step = ServiceCaseStep.objects.filter(case=case).latest("pk")
        assert str(sales2) in step.note and str(sales1) in step.note
        assert access_case(sales1, case.pk)
    # nothing open is left pointing at the leaver; the closed case keeps its history
    assert not ServiceCase.objects.filter(assignee=sales2).exclude(status="closed").exists()
    assert ServiceCase.objects.get(pk=closed.pk).assignee == sales2
    entry = AuditEntry.objects.get(action="deal.work_handed_over")
    assert entry.changes["service_cases"] == 2


def test_complaints_go_back_to_their_department_when_the_successor_works_on_none(
    people, org, make_user
):
    from portal.accounts import roles
    from portal.records.service.models import ServiceCase

    sales2 = people["sales2"]
    editor = make_user("editor2", roles.KNOWLEDGE_EDITORS, "marketing")
    customer = customer_actions.create_customer(acting_user=sales2, name="西部客户")
    case = _complaint_assigned_to(sales2, customer, people, org)
    # (a handover refuses a successor who cannot own deals; the service part alone decides here)
    from portal.records.service.actions import hand_over_open_cases

    assert hand_over_open_cases(sales2, to_user=editor, acting_user=people["admin"]) == 1
    case = ServiceCase.objects.get(pk=case.pk)
    assert case.assignee is None
    assert case.assigned_department == sales2.department
