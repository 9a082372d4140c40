"""Competitors on a deal: add, edit, remove."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core import audit
from portal.records.customers.actions.customers import (
    refuse_unknown,
    set_and_diff,
    set_fields,
)
from portal.records.deals.models import Deal, DealCompetitor

from .common import _publish, _require_edit

COMPETITOR_FIELDS = (
    "competitor",
    "name",
    "product",
    "price",
    "strategy",
    "strengths",
    "weaknesses",
)


def _clean_competitor(entry: DealCompetitor) -> None:
    if not entry.name and entry.competitor_id:
        entry.name = entry.competitor.title
    if not entry.name:
        raise ValidationError({"name": _("Name the competitor.")})
    if entry.price is not None and entry.price < 0:
        raise ValidationError({"price": _("The price cannot be negative.")})
    entry.full_clean(exclude=["deal", "competitor", "created_by"])


@transaction.atomic
def add_competitor(deal: Deal, *, acting_user: User, **fields: Any) -> DealCompetitor:
    _require_edit(acting_user, deal)
    refuse_unknown(fields, COMPETITOR_FIELDS, _("Unknown competitor fields: %(fields)s"))
    entry = DealCompetitor(deal=deal, created_by=acting_user)
    set_fields(entry, COMPETITOR_FIELDS, fields)
    _clean_competitor(entry)
    entry.save()
    audit.record(
        acting_user,
        "deal.competitor_added",
        deal,
        changes=audit.added({"competitor": entry.name, "price": entry.price}),
    )
    _publish("records.deal_competitor_added", deal, acting_user, entry_id=entry.pk)
    return entry


@transaction.atomic
def update_competitor(entry: DealCompetitor, *, acting_user: User, **fields: Any) -> DealCompetitor:
    _require_edit(acting_user, entry.deal)
    changes = set_and_diff(entry, COMPETITOR_FIELDS, fields, _clean_competitor)
    if changes:
        entry.save()
        audit.record(acting_user, "deal.competitor_changed", entry.deal, changes=changes)
        _publish("records.deal_updated", entry.deal, acting_user)
    return entry


@transaction.atomic
def remove_competitor(entry: DealCompetitor, *, acting_user: User) -> None:
    deal = entry.deal
    _require_edit(acting_user, deal)
    name = entry.name
    entry.delete()
    audit.record(
        acting_user, "deal.competitor_removed", deal, changes=audit.removed({"competitor": name})
    )
    _publish("records.deal_updated", deal, acting_user)
