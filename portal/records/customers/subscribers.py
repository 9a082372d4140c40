"""Reactions of the records app to other apps' events."""

from __future__ import annotations

from portal.core.events import Event


def person_moved(event: Event) -> None:
    """A rep changed department: their customers' manager chain changes with them."""
    from portal.records.customers.actions import rekey_customers_of

    rekey_customers_of(int(event["user_id"]))
