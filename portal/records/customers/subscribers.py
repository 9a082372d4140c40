"""Customers' reactions and wiring, called once from RecordsConfig.ready: re-keying when a rep
changes department, the queued-mail worker job, the "my customers" dashboard panel."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.core.events import Event

REKEY = "records.rekey_customers_of"


def rekey_chunk(payload: dict, cursor: int) -> tuple[int, int | None]:
    from portal.records.customers.actions import rekey_customers_of

    return rekey_customers_of(int(payload["user_id"]), after=cursor)


def rekey_owned(kind: str, user_id: int, owned: QuerySet) -> None:
    """Re-key what a person who moved department owns (`kind`'s handler does a chunk): now,
    or in the worker when they own many (ADR 0142). Deals' subscriber uses it too."""
    from portal.core import background

    background.run_or_enqueue(
        kind, key=f"user:{user_id}", total=owned.count(), payload={"user_id": user_id}
    )


def person_moved(event: Event) -> None:
    """A rep changed department: their customers' manager chain changes with them."""
    from portal.records.customers.models import Customer

    user_id = int(event["user_id"])
    rekey_owned(REKEY, user_id, Customer.all_objects.filter(owner_id=user_id))


def connect() -> None:
    from portal.core import background
    from portal.core.dashboard import register_panel
    from portal.core.events import subscribe
    from portal.core.worker import register_job
    from portal.records.customers import rollup
    from portal.records.customers.actions import run_protection, send_queued_mail
    from portal.records.customers.panels import my_customers_panel

    subscribe("accounts.person_moved")(person_moved)
    background.handler(REKEY)(rekey_chunk)
    register_job("records.send_queued_mail", every_seconds=5.0)(send_queued_mail)
    # Protection is counted in days: hourly is soon enough, and each run is bounded (ADR 1002).
    register_job("records.customer_protection", every_seconds=3600.0)(run_protection)
    # The analysis roll-up is kept by the actions; a daily check repairs what bypassed them.
    register_job("records.customer_rollup", every_seconds=86400.0)(rollup.repair)
    register_panel(my_customers_panel)
