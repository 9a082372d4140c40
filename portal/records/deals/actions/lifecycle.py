"""A deal's life: create, edit, win, lose, reopen; the default stages."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.permissions import has_module_perm, require_module_perm
from portal.accounts.tree import manages_person
from portal.core import audit, visibility
from portal.core.numbering import issue_number
from portal.records.customers.actions.customers import refuse_unknown, set_fields
from portal.records.customers.models import Contact, Customer
from portal.records.deals.models import Deal, DealStage

from .common import (
    DEAL_FIELDS,
    _check_co_owners,
    _check_contacts,
    _check_deal_owner,
    _clean_deal,
    _publish,
    _require_edit,
    _require_state,
    apply_deal_keys,
)

DEFAULT_STAGES = [
    # English, Chinese, probability
    ("Lead", "线索", 10),
    ("Qualified", "已确认需求", 25),
    ("Proposal", "方案报价", 50),
    ("Negotiation", "商务谈判", 75),
]


def ensure_default_stages() -> list[DealStage]:
    """The stages administrators start from (created once, then theirs to change)."""
    if not DealStage.objects.exists():
        for position, (name, name_zh, probability) in enumerate(DEFAULT_STAGES):
            DealStage.objects.create(
                name=name, name_zh=name_zh, probability=probability, position=position
            )
    return list(DealStage.objects.filter(is_active=True))


@transaction.atomic
def create_deal(
    *,
    acting_user: User,
    customer: Customer,
    owner: User | None = None,
    contacts: Iterable[Contact] = (),
    co_owners: Iterable[User] = (),
    products: Iterable[Any] = (),
    **fields: Any,
) -> Deal:
    """Open a deal for a customer the user can see (deals → register); owner defaults to them."""
    require_module_perm(acting_user, "deals", "register")
    refuse_unknown(fields, DEAL_FIELDS, _("Unknown deal fields: %(fields)s"))
    from portal.records.customers.policy import customer_policy

    if (
        customer is None
        or customer.deleted_at
        or not customer_policy.is_visible(acting_user, customer)
    ):
        raise ValidationError({"customer": _("Choose a customer you can see.")})
    owner = owner or acting_user
    if owner.pk != acting_user.pk and not (
        visibility.is_administrator(acting_user)
        or (
            has_module_perm(acting_user, "deals", "transfer") and manages_person(acting_user, owner)
        )
    ):
        raise PermissionDenied(_("Only the rep's managers can open a deal in their name."))
    _check_deal_owner(owner)
    contacts = _check_contacts(customer, contacts)
    co_owners = _check_co_owners(owner, co_owners)
    deal = Deal(
        customer=customer,
        owner=owner,
        department_id=owner.department_id,
        source=customer.source,
        created_by=acting_user,
        updated_by=acting_user,
    )
    set_fields(deal, DEAL_FIELDS, fields)
    if deal.stage_id is None:
        stages = ensure_default_stages()
        deal.stage = stages[0] if stages else None
    _clean_deal(deal)
    deal.number = issue_number("deal")
    deal.save()
    deal.contacts.set(contacts)
    deal.co_owners.set(co_owners)
    deal.products.set(list(products))
    apply_deal_keys(deal, actor_id=acting_user.pk)
    audit.record(
        acting_user,
        "deal.created",
        deal,
        changes=audit.added(
            audit.snapshot(deal, ("number", "name", "customer", "owner", "amount"))
        ),
    )
    _publish("records.deal_created", deal, acting_user, owner_id=owner.pk, customer_id=customer.pk)
    return deal


@transaction.atomic
def update_deal(
    deal: Deal,
    *,
    acting_user: User,
    contacts: Iterable[Contact] | None = None,
    co_owners: Iterable[User] | None = None,
    products: Iterable[Any] | None = None,
    **fields: Any,
) -> Deal:
    """Change a deal's details; stage changes only while tracking."""
    _require_edit(acting_user, deal)
    refuse_unknown(fields, DEAL_FIELDS, _("Unknown deal fields: %(fields)s"))
    names = [name for name in DEAL_FIELDS if name in fields]
    before = audit.snapshot(deal, names)
    old_stage_id = deal.stage_id
    set_fields(deal, names, fields)
    if deal.stage_id != old_stage_id and not deal.is_open:
        raise ValidationError({"stage": _("The stage can only change while the deal is tracked.")})
    _clean_deal(deal)
    changes = audit.diff(before, audit.snapshot(deal, names))
    if contacts is not None:
        contacts = _check_contacts(deal.customer, contacts)
        old = sorted(deal.contacts.values_list("name", flat=True))
        new = sorted(c.name for c in contacts)
        if old != new:
            deal.contacts.set(contacts)
            changes["contacts"] = [", ".join(old), ", ".join(new)]
    keys_may_change = False
    if co_owners is not None:
        co_owners = _check_co_owners(deal.owner, co_owners)
        old = sorted(str(u) for u in deal.co_owners.all())
        new = sorted(str(u) for u in co_owners)
        if old != new:
            deal.co_owners.set(co_owners)
            changes["co_owners"] = [", ".join(old), ", ".join(new)]
            keys_may_change = True
    if products is not None:
        products = list(products)
        old = sorted(str(p) for p in deal.products.all())
        new = sorted(str(p) for p in products)
        if old != new:
            deal.products.set(products)
            changes["products"] = [", ".join(old), ", ".join(new)]
    if not changes:
        return deal
    deal.updated_by = acting_user
    deal.save()
    if keys_may_change:
        apply_deal_keys(deal, actor_id=acting_user.pk)
    audit.record(acting_user, "deal.updated", deal, changes=changes)
    _publish("records.deal_updated", deal, acting_user)
    if deal.stage_id != old_stage_id:
        _publish("records.deal_stage_changed", deal, acting_user, stage_id=deal.stage_id)
    return deal


@transaction.atomic
def win_deal(
    deal: Deal, *, acting_user: User, closed_on: datetime.date | None = None, reason: str = ""
) -> Deal:
    """Tracking → won; the order, contract, deliveries and payments follow."""
    _require_edit(acting_user, deal)
    _require_state(deal, [Deal.State.TRACKING], _("Only a deal being tracked can be won."))
    return _close(deal, Deal.State.WON, acting_user, closed_on, reason, "won")


@transaction.atomic
def lose_deal(
    deal: Deal,
    *,
    acting_user: User,
    reason: str,
    abandoned: bool = False,
    closed_on: datetime.date | None = None,
) -> Deal:
    """Tracking → lost (a competitor or the customer said no) or abandoned (we gave up)."""
    _require_edit(acting_user, deal)
    _require_state(deal, [Deal.State.TRACKING], _("Only a deal being tracked can be closed."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the deal was lost or abandoned.")})
    state = Deal.State.ABANDONED if abandoned else Deal.State.LOST
    return _close(deal, state, acting_user, closed_on, reason, str(state))


CLOSED_EVENTS = {
    Deal.State.WON: "records.deal_won",
    Deal.State.LOST: "records.deal_lost",
    Deal.State.ABANDONED: "records.deal_abandoned",
}


def _close(deal, state, acting_user, closed_on, reason, event) -> Deal:
    before = audit.snapshot(deal, ("state", "closed_on", "close_reason"))
    deal.state = state
    deal.closed_on = closed_on or timezone.localdate()
    if deal.closed_on < deal.opened_on:
        raise ValidationError({"closed_on": _("A deal cannot close before it was opened.")})
    deal.close_reason = (reason or "").strip()
    deal.updated_by = acting_user
    deal.save(update_fields=["state", "closed_on", "close_reason", "updated_by", "updated_at"])
    changes = audit.diff(before, audit.snapshot(deal, ("state", "closed_on", "close_reason")))
    audit.record(acting_user, f"deal.{event}", deal, changes=changes)
    _publish(CLOSED_EVENTS[state], deal, acting_user, state=str(state))
    return deal


@transaction.atomic
def reopen_deal(deal: Deal, *, acting_user: User) -> Deal:
    """A lost or abandoned deal comes back to life (tracking again)."""
    _require_edit(acting_user, deal)
    _require_state(deal, Deal.CLOSED_STATES, _("Only a lost or abandoned deal can be reopened."))
    before = audit.snapshot(deal, ("state", "closed_on"))
    deal.state = Deal.State.TRACKING
    deal.closed_on = None
    deal.updated_by = acting_user
    deal.save(update_fields=["state", "closed_on", "updated_by", "updated_at"])
    audit.record(
        acting_user, "deal.reopened", deal, changes=audit.diff(before, {"state": deal.state})
    )
    _publish("records.deal_reopened", deal, acting_user)
    return deal
