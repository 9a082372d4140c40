"""Friction of issue 18 item 8: payments cover the plan rows and their reminders go; no link to
an action the role cannot take; no empty reassignment, plain confirmations; the new deal form
takes the customer by name and shows its contacts once chosen."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.accounts import roles
from portal.core.models import AuditEntry
from portal.notifications.models import Reminder
from portal.records.customers import actions as customer_actions
from portal.records.deals import actions as deal_actions
from portal.records.deals.allocation import allocate
from portal.records.models import Customer, Deal, DealReminder, ServiceCase
from portal.records.service import actions as service_actions
from tests.records.deal_helpers import won_deal
from tests.records.test_service import committed, register

pytestmark = pytest.mark.django_db


class Row:
    def __init__(self, pk, amount):
        self.pk, self.amount = pk, Decimal(amount)


class Paid:
    def __init__(self, amount, installment_id=None):
        self.amount, self.installment_id = Decimal(amount), installment_id


def test_allocation_pays_the_named_row_then_the_oldest():
    rows = [Row(1, "100"), Row(2, "100"), Row(3, "100")]
    assert allocate(rows, [Paid("150")]) == {1: 100, 2: 50, 3: 0}
    assert allocate(rows, [Paid("120", 3)]) == {1: 20, 2: 0, 3: 100}
    assert allocate(rows, [Paid("50", 2), Paid("400")]) == {1: 100, 2: 100, 3: 100}


def test_a_fully_paid_completed_deal_shows_its_rows_paid_and_keeps_no_payment_reminder(
    client_for, people, customer
):
    sales1 = people["sales1"]
    today = timezone.localdate()
    deal = won_deal(customer, sales1)
    first = deal_actions.add_installment(deal, acting_user=sales1, due_on=today, amount="600")
    deal_actions.add_installment(
        deal, acting_user=sales1, due_on=today + datetime.timedelta(days=30), amount="400"
    )
    sources = list(DealReminder.objects.filter(deal=deal).values_list("pk", flat=True))
    assert Reminder.objects.filter(source__in=[f"records.dealreminder:{pk}" for pk in sources])
    deal_actions.add_delivery(deal, acting_user=sales1, description="3 台", delivered_on=today)
    # Paid in one sum, without naming a plan row (how the deal was paid).
    deal_actions.record_payment(deal, acting_user=sales1, amount="1000")
    deal.refresh_from_db()
    assert deal.state == Deal.State.COMPLETED
    assert not DealReminder.objects.filter(deal=deal, kind=DealReminder.Kind.PAYMENT).exists()
    assert not Reminder.objects.filter(
        source__in=[f"records.dealreminder:{pk}" for pk in sources], delivered_at__isnull=True
    ).exists()
    page = client_for(sales1).get(deal.get_absolute_url()).content.decode()
    plan = page[page.index('id="payment-plan"') :]
    plan = plan[: plan.index("</table>")]
    assert ">0.00<" not in plan
    assert plan.count(">600.00<") == 2 and plan.count(">400.00<") == 2  # amount and paid
    assert plan.count("table-success") == 2
    assert first.pk


def test_a_partial_payment_withdraws_only_the_covered_rows_reminder(people, customer):
    sales1 = people["sales1"]
    today = timezone.localdate()
    deal = won_deal(customer, sales1)
    first = deal_actions.add_installment(deal, acting_user=sales1, due_on=today, amount="600")
    second = deal_actions.add_installment(
        deal, acting_user=sales1, due_on=today + datetime.timedelta(days=30), amount="400"
    )
    deal_actions.record_payment(deal, acting_user=sales1, amount="700")
    assert not DealReminder.objects.filter(installment=first).exists()
    assert DealReminder.objects.filter(installment=second).exists()
    deal.refresh_from_db()
    assert deal.state == Deal.State.WON


def test_the_editor_is_offered_no_customer_registration(client_for, people):
    client = client_for(people["editor"])
    dashboard = client.get("/").content.decode()
    assert "You do not look after any customers yet." in dashboard
    assert reverse("records:customer_create") not in dashboard
    before = Customer.all_objects.count()
    assert client.get(reverse("records:customer_create")).status_code == 403
    assert client.post(reverse("records:customer_create"), {"name": "X"}).status_code == 403
    assert Customer.all_objects.count() == before


def test_a_rep_still_is_offered_it(client_for, people):
    page = client_for(people["sales1"]).get("/").content.decode()
    assert reverse("records:customer_create") in page


@pytest.fixture
def assigned_case(people, customer, org):
    case = register(people, customer)
    committed(service_actions.assess_case, case, acting_user=people["service"], assessment="ok")
    committed(
        service_actions.assign_case,
        case,
        acting_user=people["service"],
        department=org["east"],
        assignee=people["sales1"],
    )
    return case


def test_reassigning_to_the_same_is_refused_and_not_logged(people, org, assigned_case):
    case = assigned_case
    steps = case.steps.count()
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        service_actions.assign_case(
            case, acting_user=people["manager"], department=org["east"], assignee=people["sales1"]
        )
    assert "already assigned to" in str(refused.value)
    assert case.steps.count() == steps
    assert AuditEntry.objects.count() == audits
    case.refresh_from_db()
    assert case.status == ServiceCase.Status.ASSIGNED


def test_reassignment_is_labelled_and_confirmed_in_plain_words(
    client_for, people, org, assigned_case
):
    case = assigned_case
    client = client_for(people["manager"])
    page = client.get(case.get_absolute_url()).content.decode()
    assert ">Reassign<" in page
    url = reverse("records:service_case_step", args=[case.pk, "assign"])
    response = client.post(url, {"department": org["east"].pk}, follow=True)
    text = response.content.decode()
    assert f"Complaint {case.number} was reassigned to Sales East." in text
    step = case.steps.order_by("-pk").first()
    assert step.note == "Reassigned from Sales1 to Sales East"
    # The same again: refused, nothing logged.
    steps = case.steps.count()
    response = client.post(url, {"department": org["east"].pk}, follow=True)
    assert "already assigned to Sales East" in response.content.decode()
    assert case.steps.count() == steps


def test_first_assignment_is_confirmed_in_plain_words(client_for, people, customer, org):
    case = register(people, customer)
    committed(service_actions.assess_case, case, acting_user=people["service"], assessment="ok")
    url = reverse("records:service_case_step", args=[case.pk, "assign"])
    response = client_for(people["service"]).post(
        url, {"department": org["east"].pk, "assignee": people["sales1"].pk}, follow=True
    )
    assert f"Complaint {case.number} was assigned to Sales1." in response.content.decode()


def test_new_deal_takes_the_customer_by_name(client_for, people, customer):
    client = client_for(people["sales1"])
    form = client.get(reverse("records:deal_create")).content.decode()
    assert "This customer has no contacts yet." not in form
    assert "Choose the customer first: its contacts appear here." in form
    contact = customer.contacts.get(name="王芳")
    response = client.post(
        reverse("records:deal_create"),
        {
            "customer_code": customer.name,
            "name": "门店升级",
            "stage": "",
            "contacts": [contact.pk],
        },
    )
    deal = Deal.objects.get(name="门店升级")
    assert response.status_code == 302
    assert deal.customer == customer
    assert list(deal.contacts.all()) == [contact]
    # The picker's own "code · name" value works too.
    client.post(
        reverse("records:deal_create"),
        {"customer_code": f"{customer.code} · {customer.name}", "name": "二期"},
    )
    assert Deal.objects.get(name="二期").customer == customer


def test_ambiguous_or_invisible_names_are_refused(client_for, people, customer, make_user):
    customer_actions.create_customer(acting_user=people["sales1"], name="上海华东精密仪器有限公司")
    client = client_for(people["sales1"])
    response = client.post(
        reverse("records:deal_create"), {"customer_code": "上海华东精密", "name": "歧义"}
    )
    assert "pick one from the list" in response.content.decode()
    assert not Deal.objects.filter(name="歧义").exists()
    stranger = make_user("sales3", roles.SALES, "north")
    response = client_for(stranger).post(
        reverse("records:deal_create"), {"customer_code": customer.name, "name": "不可见"}
    )
    assert "No customer you can see has this name or code" in response.content.decode()
    assert not Deal.objects.filter(name="不可见").exists()


def test_picker_suggests_and_loads_contacts_of_visible_customers_only(
    client_for, people, customer, make_user
):
    client = client_for(people["sales1"])
    options = client.get(reverse("records:deal_customer_lookup"), {"customer_code": "华东"})
    assert customer.name in options.content.decode()
    contacts = client.get(
        reverse("records:deal_customer_contacts"), {"customer_code": customer.name}
    ).content.decode()
    assert "王芳" in contacts and "刘强" in contacts
    stranger = client_for(make_user("sales3", roles.SALES, "north"))
    assert (
        customer.name
        not in stranger.get(
            reverse("records:deal_customer_lookup"), {"customer_code": "华东"}
        ).content.decode()
    )
    assert (
        "王芳"
        not in stranger.get(
            reverse("records:deal_customer_contacts"), {"customer_code": customer.name}
        ).content.decode()
    )
