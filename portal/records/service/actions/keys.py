"""Service cases, questions and records follow their customer's visibility keys."""

from __future__ import annotations

from django.db import transaction

from portal.accounts.models import User
from portal.core import events, visibility
from portal.records.customers.models import Customer
from portal.records.customers.policy import customer_keys
from portal.records.service.models import ServiceCase, ServiceRecord, SupportQuestion
from portal.records.service.policy import (
    follower_keys,
)

from .common import _apply_case_keys


def rekey_service_of_customer(customer: Customer, *, actor_id: int | None = None) -> int:
    """Recompute the keys of a customer's cases, questions and service records (their
    customer's keys changed: transfer, share, a rep moving department)."""
    keys = customer_keys(customer)
    changed = 0
    cases = ServiceCase.objects.filter(customer=customer).select_related("customer")
    for case in cases:
        changed += _apply_case_keys(case, actor_id=actor_id, customer_key_set=keys)
    for question in SupportQuestion.objects.filter(customer=customer):
        _apply_follower_keys(question, keys)
    for record in ServiceRecord.objects.filter(customer=customer):
        _apply_follower_keys(record, keys)
    return changed


def _apply_follower_keys(obj: SupportQuestion | ServiceRecord, customer_key_set=None) -> None:
    if isinstance(obj, SupportQuestion):
        people = [obj.created_by_id, obj.answered_by_id, obj.escalated_to_id]
    else:
        people = [obj.created_by_id, obj.engineer_id]
    keys = follower_keys(obj.customer, people)
    if customer_key_set is not None:
        keys |= set(customer_key_set)
    visibility.set_object_keys(obj, keys)


def transfer_follower(
    customer: Customer, *, from_user: User, to_user: User, acting_user: User
) -> None:
    """A customer-transfer follower: re-key in the transfer's own transaction."""
    rekey_service_of_customer(customer, actor_id=acting_user.pk)


def customer_access_changed(event: events.Event) -> None:
    """Subscriber of records.customer_access_changed (shares, moves, transfers)."""
    customer = Customer.all_objects.filter(pk=event.get("customer_id")).first()
    if customer is not None:
        with transaction.atomic():
            rekey_service_of_customer(customer, actor_id=event.get("actor_id"))
