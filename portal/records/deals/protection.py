"""What deals tell customer protection (ADR 1002): per customer, the date of the latest done
activity or new deal, and whether a deal is open. Registered with customers' protection module,
which may not import deals."""

from __future__ import annotations

import datetime

from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.core.events import Event
from portal.records.deals.models import Activity, Deal


def customer_facts(customer_ids: list[int]) -> dict[int, tuple[datetime.date | None, bool]]:
    """Three queries whatever the number of customers."""
    facts: dict[int, tuple[datetime.date | None, bool]] = {}

    def touch(customer_id: int, when: datetime.datetime | None, is_open: bool = False) -> None:
        last, has_open = facts.get(customer_id, (None, False))
        day = timezone.localdate(when) if when else None
        newest = max((d for d in (last, day) if d), default=None)
        facts[customer_id] = (newest, has_open or is_open)

    done = (
        Activity.objects.filter(customer_id__in=customer_ids, status=Activity.Status.DONE)
        .values("customer_id")
        .annotate(last=Max(Coalesce("done_at", "due_at")))
    )
    for row in done:
        touch(row["customer_id"], row["last"])
    for row in (
        Deal.objects.filter(customer_id__in=customer_ids)
        .values("customer_id")
        .annotate(last=Max("created_at"))
    ):
        touch(row["customer_id"], row["last"])
    for customer_id in (
        Deal.objects.filter(customer_id__in=customer_ids, state__in=Deal.OPEN_STATES)
        .values_list("customer_id", flat=True)
        .distinct()
    ):
        touch(customer_id, None, True)
    return facts


DEAL_EVENTS = (
    "records.deal_created",
    "records.deal_won",
    "records.deal_lost",
    "records.deal_abandoned",
    "records.deal_reopened",
    "records.deal_completed",
    "records.deal_activity_added",
    "records.deal_activity_done",
    # activities on a customer without a deal (decision 1001) keep it protected the same way
    "records.customer_activity_added",
    "records.customer_activity_done",
)


def deal_changed(event: Event) -> None:
    """A deal opened, closed or saw an activity: its customer's protection facts follow."""
    from portal.records.customers.protection import refresh_facts

    customer_id = event.get("customer_id")
    if not isinstance(customer_id, int):
        customer_id = (
            Deal.objects.filter(pk=event["deal_id"]).values_list("customer_id", flat=True).first()
        )
    if customer_id:
        refresh_facts([customer_id])
