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

from .customers import _require_edit, set_and_diff, set_fields

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
    if contact.birthday == "":
        contact.birthday = None
    contact.full_clean(exclude=["code", "customer", "created_by"])


def _named(contact: Contact) -> dict[str, str]:
    return {"contact": f"{contact.name} ({contact.code})"}


def _recorded(
    contact: Contact, action: str, event: str, changes: dict, acting_user: User
) -> Contact:
    """The contact's change on its customer's history, and its event."""
    audit.record(acting_user, action, contact.customer, changes=changes)
    events.publish(
        event, contact_id=contact.pk, customer_id=contact.customer_id, actor_id=acting_user.pk
    )
    return contact


@transaction.atomic
def create_contact(customer: Customer, *, acting_user: User, **fields: Any) -> Contact:
    """Add a contact to a customer the user may edit."""
    _require_edit(acting_user, customer)
    if customer.deleted_at:
        raise ValidationError(_("Restore the customer before adding contacts."))
    contact = Contact(customer=customer, created_by=acting_user)
    set_fields(contact, CONTACT_FIELDS, fields)
    _clean_contact(contact)
    contact.code = issue_number("contact")
    contact.save()
    changes = audit.added(_named(contact))
    return _recorded(contact, "contact.created", "records.contact_created", changes, acting_user)


@transaction.atomic
def update_contact(contact: Contact, *, acting_user: User, **fields: Any) -> Contact:
    _require_edit(acting_user, contact.customer)
    changes = set_and_diff(contact, CONTACT_FIELDS, fields, _clean_contact)
    if not changes:
        return contact
    contact.save()
    changes = audit.sub_record_changes(contact, contact.name, changes)
    return _recorded(contact, "contact.updated", "records.contact_updated", changes, acting_user)


@transaction.atomic
def delete_contact(contact: Contact, *, acting_user: User) -> Contact:
    """Move a contact to the recycle bin (kept for the mail history)."""
    _require_edit(acting_user, contact.customer)
    contact.deleted_at = timezone.now()
    contact.deleted_by = acting_user
    contact.save(update_fields=["deleted_at", "deleted_by"])
    changes = audit.removed(_named(contact))
    return _recorded(contact, "contact.deleted", "records.contact_deleted", changes, acting_user)
