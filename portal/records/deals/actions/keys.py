"""Deals' visibility keys follow their customer and their people (transfer, department moves)."""

from __future__ import annotations

from django.db import transaction

from portal.accounts.models import User
from portal.records.customers.models import Customer
from portal.records.deals.models import Deal

from .common import apply_deal_keys
from .handover import _hand_over


def follow_customer_transfer(
    customer: Customer, *, from_user: User, to_user: User, acting_user: User
) -> None:
    """TRANSFER_FOLLOWERS hook: the old owner's open deals move with their customer."""
    deals = Deal.objects.filter(
        customer=customer, owner=from_user, state__in=[Deal.State.TRACKING, Deal.State.WON]
    ).select_related("owner", "customer")
    for deal in deals:
        if to_user.pk != from_user.pk:
            _hand_over(deal, to_user, acting_user)


def rekey_deals_of_customer(customer_id: int, *, actor_id: int | None = None) -> int:
    """The customer's keys changed (share, transfer, move): its deals' keys follow."""
    count = 0
    with transaction.atomic():
        deals = Deal.objects.filter(customer_id=customer_id).select_related("owner", "customer")
        for deal in deals:
            count += apply_deal_keys(deal, actor_id=actor_id)
    return count


REKEY_CHUNK = 200


def rekey_deals_owned_by(user_id: int, *, after: int = 0) -> tuple[int, int | None]:
    """A rep moved department: their deals' manager chain moves with them. One chunk of their
    deals after primary key `after`: (deals handled, where the next chunk starts, or None) —
    a background job's handler (ADR 0142)."""
    owner = User.objects.get(pk=user_id)
    chunk = list(
        Deal.objects.filter(owner=owner, pk__gt=after)
        .select_related("owner", "customer")
        .order_by("pk")[:REKEY_CHUNK]
    )
    with transaction.atomic():
        for deal in chunk:
            if deal.department_id != owner.department_id:
                Deal.objects.filter(pk=deal.pk).update(department_id=owner.department_id)
            apply_deal_keys(deal, actor_id=None)
    return len(chunk), (chunk[-1].pk if len(chunk) == REKEY_CHUNK else None)
