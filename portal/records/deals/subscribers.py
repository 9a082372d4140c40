"""Deals' reactions and wiring, called once from RecordsConfig.ready: the customer-transfer
follower, re-keying when a customer's access or an owner's department changes, the deal
panels on other records' pages and the deal dashboard panels."""

from __future__ import annotations

from portal.core.events import Event

from .panels import (
    calendar_feed_panel,
    customer_activities_panel,
    customer_deals_panel,
    knowledge_deals_panel,
)


def customer_access_changed(event: Event) -> None:
    from portal.records.deals.actions import rekey_deals_of_customer

    customer_id = event.get("customer_id")
    if isinstance(customer_id, int):
        rekey_deals_of_customer(customer_id, actor_id=event.get("actor_id"))


def customer_binned(event: Event) -> None:
    """A binned customer's deals are out of reach: their contract expiry reminders are
    withdrawn; restored, they are scheduled again (the end dates still ahead)."""
    from portal.records.deals.actions import cancel_contract_expiry, schedule_contract_expiry
    from portal.records.deals.models import Contract, Deal

    customer_id = event.get("customer_id")
    if not isinstance(customer_id, int):
        return
    if event.name == "records.customer_deleted":
        cancel_contract_expiry(Deal.objects.filter(customer_id=customer_id))
        return
    contracts = Contract.objects.filter(deal__customer_id=customer_id, ends_on__isnull=False)
    for contract in contracts.select_related("deal", "deal__customer", "deal__owner"):
        schedule_contract_expiry(contract, acting_user=None)


REKEY = "records.rekey_deals_owned_by"


def rekey_chunk(payload: dict, cursor: int) -> tuple[int, int | None]:
    from portal.records.deals.actions import rekey_deals_owned_by

    return rekey_deals_owned_by(int(payload["user_id"]), after=cursor)


def person_moved(event: Event) -> None:
    """A rep changed department: their deals' manager chain changes with them."""
    from portal.records.customers.subscribers import rekey_owned
    from portal.records.deals.models import Deal

    user_id = int(event["user_id"])
    rekey_owned(REKEY, user_id, Deal.objects.filter(owner_id=user_id))


# What a leaver still holds that "Hand over all work" moves (the admin names it when the person
# is deactivated): contacts follow their customers and reminders their deals.
LEAVER_WORK_KINDS = ("customers", "deals", "activities", "urges", "service_cases")


def leaver_work(user) -> int:
    from portal.records.deals.actions import handover_preview

    preview = handover_preview(user)
    return sum(preview.get(kind, 0) for kind in LEAVER_WORK_KINDS)


def connect() -> None:
    from portal.core import background
    from portal.core.events import subscribe
    from portal.core.related import register_related
    from portal.records.customers.actions import customers as customer_actions
    from portal.records.customers.protection import register_fact_source
    from portal.records.deals import (
        audit_labels,  # noqa: F401 (names of the deal audit actions)
        dashboard,  # noqa: F401 (registers the deal dashboard panels)
    )
    from portal.records.deals.actions import follow_customer_transfer
    from portal.records.deals.protection import DEAL_EVENTS, customer_facts, deal_changed
    from portal.records.deals.views.messaging import deal_messages_panel

    if follow_customer_transfer not in customer_actions.TRANSFER_FOLLOWERS:
        customer_actions.TRANSFER_FOLLOWERS.append(follow_customer_transfer)
    subscribe("records.customer_access_changed")(customer_access_changed)
    subscribe("accounts.person_moved")(person_moved)
    background.handler(REKEY)(rekey_chunk)
    subscribe("records.customer_deleted", "records.customer_restored")(customer_binned)
    from portal.accounts.actions import register_leaver_work

    register_leaver_work("records", count=leaver_work, handover_url="records:deal_handover_all")

    register_fact_source(customer_facts)
    subscribe(*DEAL_EVENTS)(deal_changed)
    register_related("records.customer")(customer_deals_panel)
    register_related("records.deal")(deal_messages_panel)
    register_related("records.customer")(customer_activities_panel)
    register_related("accounts.user")(calendar_feed_panel)
    register_related("knowledge.productpage", "knowledge.competitorpage")(knowledge_deals_panel)
