"""Activities (calls, visits, e-mails, meetings) on a deal or on a customer without one
(decision 1001): plan, log, complete, cancel. An appointment (a planned activity with an end,
a place, colleagues and contacts invited) reminds its people before it starts and sends the
invited an e-mail with an .ics invitation."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core import audit, events
from portal.records.customers.actions.customers import refuse_unknown, set_fields
from portal.records.customers.models import Contact, Customer
from portal.records.deals.models import Activity, Deal

from .common import _check_contacts, _check_deal_owner, _publish, _when

ACTIVITY_FIELDS = ("kind", "due_at", "subject", "participants", "outcome", "next_step")
APPOINTMENT_FIELDS = ("ends_at", "place", "remind_minutes")


# Days between contacts per customer level when administrators configured nothing.
DEFAULT_CONTACT_DAYS = {"A": 7, "B": 14, "C": 30, "D": 90}


def _require_activity_edit(user: User, activity: Activity) -> None:
    from portal.records.deals.policy import activity_policy

    if not activity_policy.can_edit(user, activity):
        raise PermissionDenied(_("You may not change this activity."))


def _require_add(user: User, deal: Deal | None, customer: Customer) -> None:
    from portal.records.deals.policy import activity_policy, deal_policy

    if deal is not None:
        if not deal_policy.can_edit(user, deal):
            raise PermissionDenied(
                _("You may not change the deal %(number)s.") % {"number": deal.number}
            )
    elif not activity_policy.can_add_to_customer(user, customer):
        raise PermissionDenied(_("You may not log activities on this customer."))


def _record(acting_user: User, action: str, activity: Activity, changes: dict) -> None:
    """Audit `action` ("deal.activity_…") on the deal, or — the same verb as
    "customer.activity_…" — on the customer when there is no deal."""
    if activity.deal_id:
        audit.record(acting_user, action, activity.deal, changes=changes)
    else:
        audit.record(acting_user, CUSTOMER_ACTIONS[action], activity.customer, changes=changes)


CUSTOMER_ACTIONS = {
    "deal.activity_logged": "customer.activity_logged",
    "deal.activity_planned": "customer.activity_planned",
    "deal.activity_done": "customer.activity_done",
    "deal.activity_cancelled": "customer.activity_cancelled",
}


def _publish_activity(
    activity: Activity, acting_user: User, on_deal: str, on_customer: str, **extra: Any
) -> None:
    """Publish `on_deal` (an activity on a deal) or `on_customer` (on a customer alone)."""
    if activity.deal_id:
        _publish(on_deal, activity.deal, acting_user, **extra)
    else:
        events.publish(
            on_customer, customer_id=activity.customer_id, actor_id=acting_user.pk, **extra
        )


def _clean_activity(activity: Activity) -> None:
    if not activity.subject:
        raise ValidationError({"subject": _("An activity needs a subject.")})
    if activity.due_at is None:
        raise ValidationError({"due_at": _("Give the date and time.")})
    if timezone.is_naive(activity.due_at):
        activity.due_at = timezone.make_aware(activity.due_at)
    if activity.ends_at is not None:
        if timezone.is_naive(activity.ends_at):
            activity.ends_at = timezone.make_aware(activity.ends_at)
        if activity.ends_at <= activity.due_at:
            raise ValidationError({"ends_at": _("The end must come after the start.")})
        if activity.ends_at - activity.due_at > datetime.timedelta(days=7):
            raise ValidationError({"ends_at": _("An appointment lasts a week at most.")})
    activity.full_clean(
        exclude=["deal", "customer", "owner", "created_by", "follows", "attendees", "contacts"]
    )


def _check_attendees(deal: Deal | None, customer: Customer, attendees: list[User]) -> list[User]:
    """Colleagues invited must be able to open what the appointment is about: an invitation
    must not carry a customer or a deal to someone who may not see it."""
    if not attendees:
        return []
    from portal.records.customers.policy import customer_policy
    from portal.records.deals.policy import deal_policy

    among = [person.pk for person in attendees]
    if deal is not None:
        readers = deal_policy.who_can_see(deal, among=among)
    else:
        readers = customer_policy.who_can_see(customer, among=among)
    strangers = [person for person in attendees if person.pk not in readers]
    if strangers:
        raise ValidationError(
            {
                "attendees": _("%(names)s cannot see this customer.")
                % {"names": ", ".join(str(p) for p in strangers)}
            }
        )
    return attendees


@transaction.atomic
def create_activity(
    deal: Deal | None = None,
    *,
    acting_user: User,
    customer: Customer | None = None,
    status: str = Activity.Status.PLANNED,
    contacts: Iterable[Contact] = (),
    attendees: Iterable[User] = (),
    owner: User | None = None,
    follows: Activity | None = None,
    **fields: Any,
) -> Activity:
    """Log a done activity or plan one (call, email, visit, meeting, other) on a deal, or on
    a customer without a deal (`customer=`, no deal)."""
    if deal is None and customer is None:
        raise ValidationError({"customer": _("Say which customer the activity is about.")})
    if deal is not None and customer is not None and customer.pk != deal.customer_id:
        raise ValidationError({"deal": _("This deal is not one of the customer's.")})
    customer = deal.customer if deal is not None else customer
    _require_add(acting_user, deal, customer)
    refuse_unknown(
        fields, (*ACTIVITY_FIELDS, *APPOINTMENT_FIELDS), _("Unknown activity fields: %(fields)s")
    )
    if status not in (Activity.Status.PLANNED, Activity.Status.DONE):
        raise ValidationError({"status": _("An activity is planned or done.")})
    owner = owner or acting_user
    _check_deal_owner(owner)
    activity = Activity(
        deal=deal,
        customer_id=customer.pk,
        status=status,
        owner=owner,
        follows=follows,
        created_by=acting_user,
    )
    set_fields(activity, (*ACTIVITY_FIELDS, *APPOINTMENT_FIELDS), fields)
    if status == Activity.Status.DONE:
        activity.done_at = timezone.now()
        if activity.due_at is None:
            activity.due_at = activity.done_at
    _clean_activity(activity)
    if status == Activity.Status.DONE and activity.due_at > timezone.now():
        raise ValidationError({"due_at": _("A done activity cannot lie in the future.")})
    contacts = _check_contacts(customer, contacts)
    attendees = _check_attendees(deal, customer, [p for p in attendees if p.pk != owner.pk])
    activity.save()
    activity.contacts.set(contacts)
    activity.attendees.set(attendees)
    _record(
        acting_user,
        "deal.activity_logged" if status == Activity.Status.DONE else "deal.activity_planned",
        activity,
        audit.added(
            {
                "activity": audit.labelled(
                    audit.choice(Activity, "kind", activity.kind), activity.subject
                ),
                "time": _when(activity.due_at),
                **({"place": activity.place} if activity.place else {}),
                **({"people": [str(p) for p in attendees]} if attendees else {}),
            }
        ),
    )
    _publish_activity(
        activity,
        acting_user,
        "records.deal_activity_added",
        "records.customer_activity_added",
        activity_id=activity.pk,
        status=str(status),
    )
    if status == Activity.Status.PLANNED:
        from .appointments import invite, schedule_reminder

        schedule_reminder(activity, acting_user)
        invite(activity, contacts=contacts, attendees=attendees)
    return activity


@transaction.atomic
def complete_activity(
    activity: Activity,
    *,
    acting_user: User,
    outcome: str = "",
    next_step: str = "",
    next_kind: str = "",
    next_due_at: datetime.datetime | None = None,
    next_subject: str = "",
) -> Activity | None:
    """Mark a planned activity done with its outcome; optionally plan the next one.
    Returns the next activity when one was planned."""
    _require_activity_edit(acting_user, activity)
    if activity.status != Activity.Status.PLANNED:
        raise ValidationError(_("Only a planned activity can be completed."))
    activity.status = Activity.Status.DONE
    activity.done_at = timezone.now()
    activity.outcome = (outcome or "").strip()
    activity.next_step = (next_step or "").strip()
    activity.save(update_fields=["status", "done_at", "outcome", "next_step", "updated_at"])
    from .appointments import cancel_reminder

    cancel_reminder(activity)
    _record(
        acting_user,
        "deal.activity_done",
        activity,
        {"activity": [activity.subject, activity.outcome]},
    )
    _publish_activity(
        activity,
        acting_user,
        "records.deal_activity_done",
        "records.customer_activity_done",
        activity_id=activity.pk,
    )
    if next_due_at is None:
        return None
    return create_activity(
        activity.deal,
        customer=activity.customer,
        acting_user=acting_user,
        kind=next_kind or activity.kind,
        due_at=next_due_at,
        subject=(next_subject or next_step or activity.subject),
        owner=activity.owner,
        follows=activity,
    )


@transaction.atomic
def cancel_activity(activity: Activity, *, acting_user: User) -> Activity:
    _require_activity_edit(acting_user, activity)
    if activity.status != Activity.Status.PLANNED:
        raise ValidationError(_("Only a planned activity can be cancelled."))
    activity.status = Activity.Status.CANCELLED
    activity.save(update_fields=["status", "updated_at"])
    from .appointments import cancel_reminder, invite

    cancel_reminder(activity)
    invite(activity, cancelled=True)
    _record(
        acting_user,
        "deal.activity_cancelled",
        activity,
        audit.removed({"activity": activity.subject}),
    )
    _publish_activity(
        activity,
        acting_user,
        "records.deal_activity_cancelled",
        "records.customer_activity_cancelled",
        activity_id=activity.pk,
    )
    return activity
