"""Who hears about a customer, and in which words (ADR 0611): transfers, sharing, changes to
the file and its contacts, handed to notifications' one delivery API."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

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


def someone_did_message(key: str, text: str, subject: str, *, body: str = "") -> None:
    """Register message `key`: "<someone> did something to <subject>". `text` (marked with
    `gettext_noop`) names the actor `%(name)s` and the record `%(<subject>)s`; it and `body`
    are translated in the reader's language when shown. Deals' notices use it too."""

    def render(p) -> tuple[str, str]:
        return someone_did(_(text), p, subject, body=_(body) if body else "")

    message(key)(render)


someone_did_message(
    "records.customer_transferred",
    gettext_noop("%(name)s transferred customer %(customer)s"),
    "customer",
)
someone_did_message(
    "records.customer_shared", gettext_noop("%(name)s shared customer %(customer)s"), "customer"
)
someone_did_message(
    "records.customer_contacts_changed",
    gettext_noop("%(name)s changed the contacts of %(customer)s"),
    "customer",
)
someone_did_message(
    "records.customer_updated", gettext_noop("%(name)s updated customer %(customer)s"), "customer"
)


def tell(
    record: Model,
    subject: str,
    event: events.Event,
    *,
    kind: str,
    message: str,
    dedupe_key: str,
    recipients: Iterable[int] = (),
    targets: Iterable[tuple[str, str]] = (),
    **params,
) -> None:
    """Deliver `message` about `record` on `event`: its parameters are the actor's name, the
    record's (as `subject`) and `params`. Deals' notices use it too."""
    deliver(
        kind=kind,
        message=message,
        params={"name": person_name(event["actor_id"]), subject: str(record), **params},
        url=url_of(record),
        dedupe_key=dedupe_key,
        item=record,
        actor_id=event["actor_id"],
        recipients=recipients,
        targets=targets,
    )


def change_key(record: Model, subject: str) -> str:
    """One change of a record (its audit row) is one notice per person, however many events
    it published."""
    return f"records.{subject}:{record.pk}:{audit.last_entry_id(record)}"


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
    tell(
        customer,
        "customer",
        event,
        kind=Kind.CUSTOMER,
        message=MESSAGES[event.name],
        dedupe_key=change_key(customer, "customer"),
        recipients={to_user_id} if to_user_id else (),
        targets=[target_of(customer)],
    )


events.subscribe(*MESSAGES)(customer_changed)


# --- protection and the public pool (ADR 1002) ---------------------------------------------


@message("records.customer_protection_lapsing")
def _protection_lapsing(p) -> tuple[str, str]:
    from portal.core.formatting import format_date

    until = datetime.date.fromisoformat(p["until"])
    return (
        _("Protection of customer %(customer)s lapses on %(date)s")
        % {"customer": p["customer"], "date": format_date(until)},
        _("Log an activity or open a deal to keep it; otherwise it moves to the public pool."),
    )


@message("records.customer_pooled")
def _pooled(p) -> tuple[str, str]:
    return (
        _("Customer %(customer)s moved to the public pool") % {"customer": p["customer"]},
        _("Its protection lapsed. Any rep may now claim it."),
    )


someone_did_message(
    "records.customer_share_asked",
    gettext_noop("%(name)s asks you to share customer %(customer)s"),
    "customer",
    body=gettext_noop("They tried to register it. Share it from the customer's page if you agree."),
)


def _tell_owner(event: events.Event, message_name: str, recipient: int, key: str, **extra) -> None:
    customer = Customer.objects.filter(pk=event["customer_id"]).first()
    if customer is None:
        return
    tell(
        customer,
        "customer",
        event,
        kind=Kind.CUSTOMER,
        message=message_name,
        dedupe_key=key,
        recipients={recipient},
        **extra,
    )


@events.subscribe("records.customer_protection_lapsing")
def protection_lapsing(event: events.Event) -> None:
    _tell_owner(
        event,
        "records.customer_protection_lapsing",
        event["owner_id"],
        f"records.customer_protection:{event['customer_id']}:{event['until']}",
        until=event["until"],
    )


@events.subscribe("records.customer_pooled")
def pooled(event: events.Event) -> None:
    customer_id = event["customer_id"]
    pooled_at = Customer.objects.filter(pk=customer_id).values_list("pooled_at", flat=True).first()
    _tell_owner(
        event,
        "records.customer_pooled",
        event["from_user_id"],
        f"records.customer_pooled:{customer_id}:{pooled_at.isoformat() if pooled_at else ''}",
    )


@events.subscribe("records.customer_share_asked")
def share_asked(event: events.Event) -> None:
    customer_id = event["customer_id"]
    _tell_owner(
        event,
        "records.customer_share_asked",
        event["owner_id"],
        f"records.customer_share_asked:{customer_id}:{event['actor_id']}",
    )
