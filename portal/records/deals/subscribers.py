"""Deals' reactions and wiring, called once from RecordsConfig.ready: the customer-transfer
follower, re-keying when a customer's access or an owner's department changes, the deal
panels on other records' pages and the deal dashboard panels."""

from __future__ import annotations

from portal.core.events import Event

from .panels import customer_deals_panel, knowledge_deals_panel


def customer_access_changed(event: Event) -> None:
    from portal.records.deals.actions import rekey_deals_of_customer

    customer_id = event.get("customer_id")
    if isinstance(customer_id, int):
        rekey_deals_of_customer(customer_id, actor_id=event.get("actor_id"))


def person_moved(event: Event) -> None:
    from portal.records.deals.actions import rekey_deals_owned_by

    rekey_deals_owned_by(int(event["user_id"]))


def connect() -> None:
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

    if follow_customer_transfer not in customer_actions.TRANSFER_FOLLOWERS:
        customer_actions.TRANSFER_FOLLOWERS.append(follow_customer_transfer)
    subscribe("records.customer_access_changed")(customer_access_changed)
    subscribe("accounts.person_moved")(person_moved)
    register_fact_source(customer_facts)
    subscribe(*DEAL_EVENTS)(deal_changed)
    register_related("records.customer")(customer_deals_panel)
    register_related("knowledge.productpage", "knowledge.competitorpage")(knowledge_deals_panel)
