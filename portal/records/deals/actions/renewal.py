"""Renewing a contract: a follow-up deal for the same customer, linked to the old one."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.records.deals.actions.common import _publish, _require_edit
from portal.records.deals.actions.contract_expiry import cancel_contract_expiry
from portal.records.deals.actions.lifecycle import create_deal
from portal.records.deals.models import Contract, Deal

if TYPE_CHECKING:
    from portal.accounts.models import User


@transaction.atomic
def renew_contract(contract: Contract, *, acting_user: User) -> Deal:
    """Open the renewal deal of a contract (whoever may edit its deal); once per deal."""
    old = contract.deal
    _require_edit(acting_user, old)
    if Deal.objects.filter(renews=old).exists():
        raise ValidationError(_("This contract already has a renewal deal."))
    today = timezone.localdate()
    fields = {
        "name": (_("Renewal: %(name)s") % {"name": old.name})[:200],
        "amount": contract.amount,
        "currency": old.currency,
        "opened_on": today,
        "expected_close_date": max(contract.ends_on or today, today + datetime.timedelta(days=1)),
    }
    try:  # the old deal's owner keeps the customer; a co-owner renewing opens it as theirs
        owner = old.owner if old.owner.is_active else acting_user
        deal = create_deal(acting_user=acting_user, customer=old.customer, owner=owner, **fields)
    except PermissionDenied:
        deal = create_deal(acting_user=acting_user, customer=old.customer, **fields)
    Deal.objects.filter(pk=deal.pk).update(renews=old)
    deal.renews = old
    # The renewal answers the expiry: nobody needs reminding that the old contract ends.
    cancel_contract_expiry([old])
    _publish("records.deal_contract_renewed", old, acting_user, renewal_id=deal.pk)
    return deal
