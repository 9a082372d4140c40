"""Contact writes: create, edit, delete a customer's contacts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core import audit, events
from portal.core.numbering import issue_number
from portal.records.customers.models import Contact, Customer

from .customers import _require_edit, set_fields

CONTACT_FIELDS = (
    "name",
    "department",
    "title",
    "phone",
    "mobile",
    "email",
    "preferred_channel",
    "do_not_email",
    "birthday",
    "notes",
)


def _clean_contact(contact: Contact) -> None:
    contact.full_clean(exclude=["code", "customer", "created_by"])


@transaction.atomic
def create_contact(customer: Customer, *, acting_user: User, **fields: Any) -> Contact:
    """Add a contact to a customer the user may edit."""
    _require_edit(acting_user, customer)
    if customer.deleted_at:
        raise ValidationError(_("Restore the customer before adding contacts."))
    contact = Contact(customer=customer, created_by=acting_user)
    set_fields(contact, CONTACT_FIELDS, fields)
    if contact.birthday == "":
        contact.birthday = None
    _clean_contact(contact)
    contact.code = issue_number("contact")
    contact.save()
    audit.record(
        acting_user,
        "contact.created",
        customer,
        changes=audit.added({"contact": f"{contact.name} ({contact.code})"}),
    )
    events.publish(
        "records.contact_created",
        contact_id=contact.pk,
        customer_id=customer.pk,
        actor_id=acting_user.pk,
    )
    return contact


@transaction.atomic
def update_contact(contact: Contact, *, acting_user: User, **fields: Any) -> Contact:
    _require_edit(acting_user, contact.customer)
    names = [name for name in CONTACT_FIELDS if name in fields]
    before = audit.snapshot(contact, names)
    set_fields(contact, names, fields)
    if contact.birthday == "":
        contact.birthday = None
    _clean_contact(contact)
    changes = audit.diff(before, audit.snapshot(contact, names))
    if not changes:
        return contact
    contact.save()
    audit.record(
        acting_user,
        "contact.updated",
        contact.customer,
        changes=audit.sub_record_changes(contact, contact.name, changes),
    )
    events.publish(
        "records.contact_updated",
        contact_id=contact.pk,
        customer_id=contact.customer_id,
        actor_id=acting_user.pk,
    )
    return contact


@transaction.atomic
def delete_contact(contact: Contact, *, acting_user: User) -> Contact:
    """Move a contact to the recycle bin (kept for the mail history)."""
    _require_edit(acting_user, contact.customer)
    contact.deleted_at = timezone.now()
    contact.deleted_by = acting_user
    contact.save(update_fields=["deleted_at", "deleted_by"])
    audit.record(
        acting_user,
        "contact.deleted",
        contact.customer,
        changes=audit.removed({"contact": f"{contact.name} ({contact.code})"}),
    )
    events.publish(
        "records.contact_deleted",
        contact_id=contact.pk,
        customer_id=contact.customer_id,
        actor_id=acting_user.pk,
    )
    return contact
