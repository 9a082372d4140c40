"""Who hears about a customer, and in which words (ADR 0611): transfers, sharing, changes to
the file and its contacts, handed to notifications' one delivery API."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.core import audit, events
from portal.notifications.notices import (
    Kind,
    deliver,
    message,
    person_name,
    someone_did,
    target_of,
    url_of,
)
from portal.records.customers.models import Customer

# --- words --------------------------------------------------------------------------------


@message("records.customer_transferred")
def _transferred(p) -> tuple[str, str]:
    return someone_did(_("%(name)s transferred customer %(customer)s"), p, "customer")


@message("records.customer_shared")
def _shared(p) -> tuple[str, str]:
    return someone_did(_("%(name)s shared customer %(customer)s"), p, "customer")


@message("records.customer_contacts_changed")
def _contacts_changed(p) -> tuple[str, str]:
    return someone_did(_("%(name)s changed the contacts of %(customer)s"), p, "customer")


@message("records.customer_updated")
def _updated(p) -> tuple[str, str]:
    return someone_did(_("%(name)s updated customer %(customer)s"), p, "customer")


# --- who ----------------------------------------------------------------------------------

MESSAGES = {
    "records.customer_transferred": "records.customer_transferred",
    "records.customer_shared": "records.customer_shared",
    "records.customer_updated": "records.customer_updated",
    "records.contact_created": "records.customer_contacts_changed",
    "records.contact_updated": "records.customer_contacts_changed",
}


def customer_changed(event: events.Event) -> None:
    """Watchers of the customer hear every change; the person it was transferred or shared
    to is told directly."""
    customer = Customer.objects.filter(pk=event["customer_id"]).first()
    if customer is None:
        return
    to_user_id = event.get("to_user_id")  # declared by transferred and shared only
    deliver(
        kind=Kind.CUSTOMER,
        message=MESSAGES[event.name],
        params={"name": person_name(event["actor_id"]), "customer": str(customer)},
        url=url_of(customer),
        # One change of the file (its audit row) is one notice per person, however many
        # events it published.
        dedupe_key=f"records.customer:{customer.pk}:{audit.last_entry_id(customer)}",
        item=customer,
        actor_id=event["actor_id"],
        recipients={to_user_id} if to_user_id else (),
        targets=[target_of(customer)],
    )


events.subscribe(*MESSAGES)(customer_changed)
