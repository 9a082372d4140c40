"""Helpers of the deal tests: open deals through the real actions."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from portal.records.deals import actions as deal_actions


def open_deal(customer, user, **fields):
    fields.setdefault("name", "Production line retrofit")
    fields.setdefault("amount", Decimal("250000"))
    fields.setdefault("expected_close_date", timezone.localdate() + datetime.timedelta(days=20))
    return deal_actions.create_deal(acting_user=user, customer=customer, **fields)


def won_deal(customer, user, **fields):
    deal = open_deal(customer, user, **fields)
    return deal_actions.win_deal(deal, acting_user=user)
