"""The won deal: order lines, contract, deliveries, payment plan and payments; completion."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core import audit
from portal.records.deals import allocation
from portal.records.deals.models import (
    Contract,
    Deal,
    DealDocument,
    DealReminder,
    Delivery,
    OrderLine,
    Payment,
    PaymentInstallment,
)

from .common import _publish, _require_edit, _require_state
from .reminders import _cancel_undelivered, _schedule


def fulfilment(deal: Deal) -> dict[str, Any]:
    """How far a won deal is delivered and paid (amounts as Decimal)."""
    planned = deal.installments.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    received = deal.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if not planned:
        contract = Contract.objects.filter(deal=deal).first()
        if contract is not None:
            planned = contract.amount
        else:
            planned = sum((line.total for line in deal.order_lines.all()), Decimal("0"))
    deliveries = list(deal.deliveries.values_list("delivered_on", flat=True))
    delivered = bool(deliveries) and all(deliveries)
    paid = planned > 0 and received >= planned
    return {
        "planned": planned,
        "received": received,
        "outstanding": max(planned - received, Decimal("0")),
        "delivered": delivered,
        "deliveries": len(deliveries),
        "paid": paid,
    }


def check_completion(deal: Deal, *, acting_user: User | None) -> bool:
    """Won → completed when everything is delivered and paid (called after each such write)."""
    if deal.state != Deal.State.WON:
        return False
    status = fulfilment(deal)
    if not (status["delivered"] and status["paid"]):
        return False
    deal.state = Deal.State.COMPLETED
    deal.completed_on = timezone.localdate()
    deal.save(update_fields=["state", "completed_on", "updated_at"])
    # Nothing is owed on a completed deal: its payment reminders are withdrawn.
    _withdraw_payment_reminders(deal.reminders.all())
    audit.record(
        acting_user, "deal.completed", deal, changes={"state": [Deal.State.WON, deal.state]}
    )
    _publish("records.deal_completed", deal, acting_user)
    return True


@transaction.atomic
def complete_deal(deal: Deal, *, acting_user: User) -> Deal:
    """The explicit "mark completed" action: refuses unless delivered and paid."""
    _require_edit(acting_user, deal)
    _require_state(deal, [Deal.State.WON], _("Only a won deal can be completed."))
    status = fulfilment(deal)
    if not status["delivered"]:
        raise ValidationError(_("Not everything has been delivered yet."))
    if not status["paid"]:
        raise ValidationError(_("The deal has not been paid in full yet."))
    check_completion(deal, acting_user=acting_user)
    return deal


def _require_won(deal: Deal) -> None:
    _require_state(deal, Deal.WON_STATES, _("Orders, contracts and payments belong to won deals."))


def _positive(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    if value is None or value == "":
        raise ValidationError({field: _("This field is required.")})
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({field: _("Enter a number.")}) from None
    if number < 0 or (number == 0 and not allow_zero):
        raise ValidationError({field: _("Enter an amount greater than zero.")})
    return number


@transaction.atomic
def add_order_line(
    deal: Deal,
    *,
    acting_user: User,
    quantity: Any,
    unit_price: Any,
    product: Any = None,
    description: str = "",
) -> OrderLine:
    _require_edit(acting_user, deal)
    _require_won(deal)
    if product is None and not (description or "").strip():
        raise ValidationError({"product": _("Choose a product or describe the item.")})
    line = OrderLine(
        deal=deal,
        product=product,
        description=(description or "").strip()[:200],
        quantity=_positive(quantity, "quantity"),
        unit_price=_positive(unit_price, "unit_price", allow_zero=True),
        position=deal.order_lines.count(),
    )
    line.save()
    audit.record(
        acting_user,
        "deal.order_line_added",
        deal,
        changes=audit.added(
            {
                "item": str(line),
                "quantity": audit.value(
                    "amount", amount=line.quantity, places=0 if line.quantity % 1 == 0 else 2
                ),
                "price": audit.value("money", amount=line.unit_price, currency=deal.currency),
            }
        ),
    )
    _publish("records.deal_order_changed", deal, acting_user)
    return line


@transaction.atomic
def remove_order_line(line: OrderLine, *, acting_user: User) -> None:
    deal = line.deal
    _require_edit(acting_user, deal)
    _require_won(deal)
    text = str(line)
    line.delete()
    audit.record(
        acting_user, "deal.order_line_removed", deal, changes=audit.removed({"item": text})
    )
    _publish("records.deal_order_changed", deal, acting_user)


@transaction.atomic
def save_contract(
    deal: Deal,
    *,
    acting_user: User,
    number: str,
    signed_on: datetime.date,
    amount: Any,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    document: DealDocument | None = None,
) -> Contract:
    """Record (or correct) the contract of a won deal."""
    _require_edit(acting_user, deal)
    _require_won(deal)
    if not (number or "").strip():
        raise ValidationError({"number": _("Give the contract number.")})
    if signed_on is None:
        raise ValidationError({"signed_on": _("Give the date it was signed.")})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The contract cannot end before it starts.")})
    if document is not None and document.deal_id != deal.pk:
        raise ValidationError({"document": _("That document belongs to another deal.")})
    contract = Contract.objects.filter(deal=deal).first() or Contract(deal=deal)
    fields = ("number", "signed_on", "starts_on", "ends_on", "amount", "document")
    before = audit.snapshot(contract, fields) if contract.pk else {}
    contract.number = number.strip()
    contract.signed_on = signed_on
    contract.starts_on = starts_on
    contract.ends_on = ends_on
    contract.amount = _positive(amount, "amount")
    contract.document = document
    contract.save()
    # Named for the deal's history (its labels come from Deal's fields; "amount" there is the
    # expected amount, so the contract's is "total").
    names = {"signed_on": "signed", "starts_on": "starts", "ends_on": "ends", "amount": "total"}
    changes = {
        names.get(key, key): value
        for key, value in audit.diff(before, audit.snapshot(contract, fields)).items()
    }
    if "total" in changes:
        changes["total"] = [
            audit.value("money", amount=value, currency=deal.currency) if value else value
            for value in changes["total"]
        ]
    audit.record(acting_user, "deal.contract_saved", deal, changes=changes)
    from .contract_expiry import schedule_contract_expiry

    schedule_contract_expiry(contract, acting_user=acting_user)
    _publish("records.deal_contract_saved", deal, acting_user)
    return contract


@transaction.atomic
def add_delivery(
    deal: Deal,
    *,
    acting_user: User,
    description: str,
    planned_on: datetime.date | None = None,
    delivered_on: datetime.date | None = None,
) -> Delivery:
    _require_edit(acting_user, deal)
    _require_won(deal)
    if not (description or "").strip():
        raise ValidationError({"description": _("Describe what is delivered.")})
    delivery = Delivery.objects.create(
        deal=deal,
        description=description.strip()[:200],
        planned_on=planned_on,
        delivered_on=delivered_on,
    )
    audit.record(
        acting_user,
        "deal.delivery_added",
        deal,
        changes=audit.added({"delivery": delivery.description, "delivered": delivered_on}),
    )
    _publish("records.deal_delivery_changed", deal, acting_user)
    check_completion(deal, acting_user=acting_user)
    return delivery


@transaction.atomic
def mark_delivered(
    delivery: Delivery, *, acting_user: User, delivered_on: datetime.date | None = None
) -> Delivery:
    deal = delivery.deal
    _require_edit(acting_user, deal)
    _require_won(deal)
    if delivery.delivered_on:
        return delivery
    delivery.delivered_on = delivered_on or timezone.localdate()
    delivery.save(update_fields=["delivered_on"])
    audit.record(
        acting_user,
        "deal.delivered",
        deal,
        changes={"delivery": [delivery.description, str(delivery.delivered_on)]},
    )
    _publish("records.deal_delivery_changed", deal, acting_user)
    check_completion(deal, acting_user=acting_user)
    return delivery


def _cancel_covered_reminders(deal: Deal) -> None:
    """Withdraw the pending reminders of the plan rows the payments now cover (a payment
    entered without a row pays the oldest rows first, see `allocation`)."""
    rows = list(deal.installments.order_by("due_on", "pk"))
    paid_rows = allocation.covered(rows, deal.payments.order_by("received_on", "pk"))
    if paid_rows:
        _withdraw_payment_reminders(deal.reminders.filter(installment_id__in=paid_rows))


def _withdraw_payment_reminders(reminders) -> None:
    """A payment reminder whose money came in has no purpose left: its scheduled notices are
    cancelled and it leaves the deal's reminders (and the owner's agenda and tasks)."""
    reminders = list(reminders.filter(kind=DealReminder.Kind.PAYMENT))
    if reminders:
        _cancel_undelivered(reminders)
        DealReminder.objects.filter(pk__in=[reminder.pk for reminder in reminders]).delete()


def payment_reminder_time(due_on: datetime.date) -> datetime.datetime:
    """Payments fall due at nine in the morning (local time) of their due date."""
    return timezone.make_aware(datetime.datetime.combine(due_on, datetime.time(9, 0)))


@transaction.atomic
def add_installment(
    deal: Deal, *, acting_user: User, due_on: datetime.date, amount: Any, note: str = ""
) -> PaymentInstallment:
    """A payment plan entry; a reminder to the owner and co-owners falls due with it."""
    _require_edit(acting_user, deal)
    _require_won(deal)
    if due_on is None:
        raise ValidationError({"due_on": _("Give the due date.")})
    installment = PaymentInstallment.objects.create(
        deal=deal, due_on=due_on, amount=_positive(amount, "amount"), note=(note or "")[:200]
    )
    people = [deal.owner, *deal.co_owners.all()]
    reminder = DealReminder.objects.create(
        deal=deal,
        kind=DealReminder.Kind.PAYMENT,
        due_at=payment_reminder_time(due_on),
        subject=_("Payment of %(amount)s %(currency)s due from %(customer)s")
        % {"amount": installment.amount, "currency": deal.currency, "customer": deal.customer.name},
        installment=installment,
        created_by=acting_user,
    )
    reminder.people.set(people)
    _schedule(reminder, people, acting_user)
    audit.record(
        acting_user,
        "deal.installment_added",
        deal,
        changes=audit.added(
            {
                "installment": audit.parts(
                    audit.value("money", amount=installment.amount, currency=deal.currency),
                    audit.value("date", value=due_on),
                )
            }
        ),
    )
    _publish("records.deal_payment_plan_changed", deal, acting_user)
    return installment


@transaction.atomic
def record_payment(
    deal: Deal,
    *,
    acting_user: User,
    amount: Any,
    received_on: datetime.date | None = None,
    installment: PaymentInstallment | None = None,
    reference: str = "",
) -> Payment:
    """Money received; a fully paid plan entry's pending reminder is withdrawn, and the deal
    completes when it is also delivered."""
    _require_edit(acting_user, deal)
    _require_won(deal)
    if installment is not None and installment.deal_id != deal.pk:
        raise ValidationError({"installment": _("That plan entry belongs to another deal.")})
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("A payment cannot be received in the future.")})
    payment = Payment.objects.create(
        deal=deal,
        installment=installment,
        amount=_positive(amount, "amount"),
        received_on=received_on,
        reference=(reference or "").strip()[:100],
        recorded_by=acting_user,
    )
    _cancel_covered_reminders(deal)
    audit.record(
        acting_user,
        "deal.payment_received",
        deal,
        changes=audit.added(
            {
                "payment": audit.parts(
                    audit.value("money", amount=payment.amount, currency=deal.currency),
                    audit.value("date", value=received_on),
                )
            }
        ),
    )
    _publish("records.deal_payment_received", deal, acting_user, payment_id=payment.pk)
    check_completion(deal, acting_user=acting_user)
    return payment
