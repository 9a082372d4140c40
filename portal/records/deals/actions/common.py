"""Helpers shared by the deal actions: the editable fields, permission and state checks,
visibility keys, and publishing `records.deal_*` events on commit (primitives only)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.accounts.models import User
from portal.accounts.permissions import has_module_perm
from portal.core import events, visibility
from portal.records.customers.models import Contact, Customer
from portal.records.deals.models import Deal
from portal.records.deals.policy import (
    can_edit_deal,
    deal_keys,
)

DEAL_FIELDS = (
    "name",
    "amount",
    "currency",
    "expected_close_date",
    "source",
    "opened_on",
    "stage",
    "notes",
)


def _when(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _publish(name: str, deal: Deal, acting_user: User | None, **extra: Any) -> None:
    """Publish deal event `name` (a catalogued "records.deal_…" name) with its common keys."""
    events.publish(
        name,
        deal_id=deal.pk,
        actor_id=getattr(acting_user, "pk", None),
        **extra,
    )


def _require_edit(user: User, deal: Deal) -> None:
    if not can_edit_deal(user, deal):
        raise PermissionDenied(
            _("You may not change the deal %(number)s.") % {"number": deal.number}
        )


def _require_state(deal: Deal, states: Iterable[str], message: str) -> None:
    if deal.state not in set(states):
        raise ValidationError(message)


def _check_deal_owner(user: User, field: str = "owner") -> None:
    if not user.is_active or not has_module_perm(user, "deals", "view"):
        raise ValidationError(
            {field: _("%(name)s cannot own deals (no access to deal tracking).") % {"name": user}}
        )


CONTACTS_OF_CUSTOMER = gettext_lazy("Choose contacts of the deal's customer.")


def _check_contacts(customer: Customer, contacts: Iterable[Contact]) -> list[Contact]:
    contacts = list(contacts)
    strangers = [c for c in contacts if c.customer_id != customer.pk or c.deleted_at]
    if strangers:
        # Names nobody: the contacts may belong to a customer the person may not see.
        raise ValidationError({"contacts": str(CONTACTS_OF_CUSTOMER)})
    return contacts


def _check_co_owners(deal_owner: User, co_owners: Iterable[User]) -> list[User]:
    co_owners = [u for u in co_owners if u.pk != deal_owner.pk]
    for user in co_owners:
        _check_deal_owner(user, "co_owners")
    return co_owners


def apply_deal_keys(deal: Deal, *, actor_id: int | None) -> bool:
    """Set the deal's visibility keys; publish access_changed (forum, search) when they moved."""
    if not visibility.update_object_keys(deal, deal_keys(deal)):
        return False
    events.publish("records.deal_access_changed", deal_id=deal.pk, actor_id=actor_id)
    return True


def _clean_deal(deal: Deal) -> None:
    if deal.amount is not None and deal.amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    deal.currency = (deal.currency or "CNY").upper()
    if len(deal.currency) != 3 or not deal.currency.isalpha():
        raise ValidationError({"currency": _("Use a three-letter currency code such as CNY.")})
    if deal.stage_id and not deal.stage.is_active:
        raise ValidationError({"stage": _("This stage is no longer in use.")})
    deal.full_clean(
        exclude=["number", "customer", "owner", "department", "stage", "created_by", "updated_by"]
    )
