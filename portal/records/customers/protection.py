"""Customer protection (ADR 1002): a rep's customer stays theirs for N days after its last
activity, or while it has an open deal; then it lapses into the public pool.

The state is computed from facts stored on the customer (`last_activity_on`, `has_open_deal`,
`in_pool`) and the administrators' `ProtectionRules`, so lists and the worker filter in SQL.
Customers imports neither deals nor service: the deal domain registers a fact source
(`register_fact_source`) that reports, per customer, its latest activity and whether a deal is
open; `refresh_facts` folds those into the stored columns."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.records.customers.models import Customer, ProtectionRules

#: A fact source answers, for customer ids, {id: (latest activity date or None, has open deal)}.
FactSource = Callable[[list[int]], dict[int, tuple[datetime.date | None, bool]]]
_fact_sources: list[FactSource] = []


def register_fact_source(source: FactSource) -> FactSource:
    if source not in _fact_sources:
        _fact_sources.append(source)
    return source


class Status:
    PROTECTED = "protected"  # within N days of the last activity
    OPEN_DEAL = "open_deal"  # protected while a deal is open, however old the last activity
    LAPSING = "lapsing"  # protected, inside the warning window
    LAPSED = "lapsed"  # past the date, not yet moved by the worker
    POOL = "pool"  # in the public pool
    OFF = "off"  # administrators turned protection off

    LABELS = {
        PROTECTED: _("Protected"),
        OPEN_DEAL: _("Protected (open deal)"),
        LAPSING: _("Protection lapses soon"),
        LAPSED: _("Protection lapsed"),
        POOL: _("In the public pool"),
        OFF: _("Not protected"),
    }


@dataclasses.dataclass(frozen=True)
class ProtectionState:
    status: str
    protected_until: datetime.date | None  # None: open deal, in the pool, or protection off

    @property
    def label(self) -> str:
        return str(Status.LABELS[self.status])

    @property
    def is_protected(self) -> bool:
        return self.status in (Status.PROTECTED, Status.OPEN_DEAL, Status.LAPSING)


def rules() -> ProtectionRules:
    return ProtectionRules.current()


def anchor_date(customer: Customer) -> datetime.date:
    """The date protection counts from when no activity was recorded yet."""
    if customer.last_activity_on:
        return customer.last_activity_on
    return timezone.localdate(customer.created_at) if customer.created_at else timezone.localdate()


def protected_until(customer: Customer, current: ProtectionRules) -> datetime.date:
    return anchor_date(customer) + datetime.timedelta(days=current.protection_days)


def state_of(
    customer: Customer, current: ProtectionRules, today: datetime.date | None = None
) -> ProtectionState:
    """The customer's protection state on `today` (no query: the rules are passed in)."""
    today = today or timezone.localdate()
    if customer.in_pool:
        return ProtectionState(Status.POOL, None)
    if not current.enabled:
        return ProtectionState(Status.OFF, None)
    if customer.has_open_deal:
        return ProtectionState(Status.OPEN_DEAL, None)
    until = protected_until(customer, current)
    if until < today:
        return ProtectionState(Status.LAPSED, until)
    if until - datetime.timedelta(days=current.warning_days) <= today:
        return ProtectionState(Status.LAPSING, until)
    return ProtectionState(Status.PROTECTED, until)


def is_protected(customer: Customer, current: ProtectionRules | None = None) -> bool:
    return state_of(customer, current or rules()).is_protected


# --- in SQL: the same rule over a queryset ---------------------------------------------------


def _last_protected_anchor(current: ProtectionRules, today: datetime.date) -> datetime.date:
    """Customers whose anchor is on or after this date are still protected today."""
    return today - datetime.timedelta(days=current.protection_days)


def _anchor_before(day: datetime.date) -> Q:
    """Anchor (last activity, else creation) strictly before `day`."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return Q(last_activity_on__lt=day) | Q(last_activity_on__isnull=True, created_at__lt=start)


def lapsed(
    queryset: QuerySet[Customer], current: ProtectionRules, today: datetime.date | None = None
) -> QuerySet[Customer]:
    """Owned customers whose protection ended before `today` (none when protection is off)."""
    today = today or timezone.localdate()
    if not current.enabled:
        return queryset.none()
    return queryset.filter(in_pool=False, has_open_deal=False).filter(
        _anchor_before(_last_protected_anchor(current, today))
    )


def lapsing(
    queryset: QuerySet[Customer], current: ProtectionRules, today: datetime.date | None = None
) -> QuerySet[Customer]:
    """Owned customers still protected today whose protection ends within the warning window."""
    today = today or timezone.localdate()
    if not current.enabled:
        return queryset.none()
    first_safe = _last_protected_anchor(current, today) + datetime.timedelta(
        days=current.warning_days + 1
    )
    return (
        queryset.filter(in_pool=False, has_open_deal=False)
        .filter(_anchor_before(first_safe))
        .exclude(_anchor_before(_last_protected_anchor(current, today)))
    )


def protected(
    queryset: QuerySet[Customer], current: ProtectionRules, today: datetime.date | None = None
) -> QuerySet[Customer]:
    """Customers protected today (an open deal, or within N days of the last activity)."""
    today = today or timezone.localdate()
    if not current.enabled:
        return queryset.none()
    return queryset.filter(in_pool=False).exclude(
        Q(has_open_deal=False) & _anchor_before(_last_protected_anchor(current, today))
    )


# --- facts --------------------------------------------------------------------------------


def refresh_facts(customer_ids: Iterable[int]) -> int:
    """Recompute `last_activity_on` and `has_open_deal` from the registered fact sources for
    these customers; write only the rows that changed. Returns how many changed."""
    ids = sorted(set(customer_ids))
    if not ids:
        return 0
    facts: dict[int, tuple[datetime.date | None, bool]] = {}
    for source in _fact_sources:
        for customer_id, (last, has_open) in source(ids).items():
            old_last, old_open = facts.get(customer_id, (None, False))
            newest = max((d for d in (old_last, last) if d), default=None)
            facts[customer_id] = (newest, old_open or has_open)
    changed = 0
    customers = Customer.objects.filter(pk__in=ids).only(
        "pk", "created_at", "claimed_at", "last_activity_on", "has_open_deal"
    )
    for customer in customers:
        last, has_open = facts.get(customer.pk, (None, False))
        claimed = timezone.localdate(customer.claimed_at) if customer.claimed_at else None
        created = timezone.localdate(customer.created_at)
        # Only forward: the stored date may carry a start the sources do not know (a claim,
        # registration, the day the rules arrived).
        newest = max(d for d in (last, claimed, created, customer.last_activity_on) if d)
        if customer.last_activity_on != newest or customer.has_open_deal != has_open:
            Customer.objects.filter(pk=customer.pk).update(
                last_activity_on=newest, has_open_deal=has_open
            )
            changed += 1
    return changed
