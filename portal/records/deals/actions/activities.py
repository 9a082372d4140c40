"""Activities on a deal (calls, visits, meetings): plan, complete, cancel."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core import audit
from portal.records.customers.models import Contact
from portal.records.deals.models import Activity, Deal

from .common import _check_contacts, _check_deal_owner, _publish, _require_edit, _set_fields, _when

ACTIVITY_FIELDS = ("kind", "due_at", "subject", "participants", "outcome", "next_step")


# Days between contacts per customer level when administrators configured nothing.
DEFAULT_CONTACT_DAYS = {"A": 7, "B": 14, "C": 30, "D": 90}


def _clean_activity(activity: Activity) -> None:
    if not activity.subject:
        raise ValidationError({"subject": _("An activity needs a subject.")})
    if activity.due_at is None:
        raise ValidationError({"due_at": _("Give the date and time.")})
    if timezone.is_naive(activity.due_at):
        activity.due_at = timezone.make_aware(activity.due_at)
    activity.full_clean(exclude=["deal", "customer", "owner", "created_by", "follows"])


@transaction.atomic
def create_activity(
    deal: Deal,
    *,
    acting_user: User,
    status: str = Activity.Status.PLANNED,
    contacts: Iterable[Contact] = (),
    owner: User | None = None,
    follows: Activity | None = None,
    **fields: Any,
) -> Activity:
    """Log a done activity or plan one (call, email, visit, meeting, other)."""
    _require_edit(acting_user, deal)
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown activity fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if status not in (Activity.Status.PLANNED, Activity.Status.DONE):
        raise ValidationError({"status": _("An activity is planned or done.")})
    owner = owner or acting_user
    _check_deal_owner(owner)
    activity = Activity(
        deal=deal,
        customer_id=deal.customer_id,
        status=status,
        owner=owner,
        follows=follows,
        created_by=acting_user,
    )
    _set_fields(activity, ACTIVITY_FIELDS, fields)
    if status == Activity.Status.DONE:
        activity.done_at = timezone.now()
        if activity.due_at is None:
            activity.due_at = activity.done_at
    _clean_activity(activity)
    if status == Activity.Status.DONE and activity.due_at > timezone.now():
        raise ValidationError({"due_at": _("A done activity cannot lie in the future.")})
    activity.save()
    activity.contacts.set(_check_contacts(deal.customer, contacts))
    audit.record(
        acting_user,
        "deal.activity_logged" if status == Activity.Status.DONE else "deal.activity_planned",
        deal,
        changes=audit.added(
            {
                "activity": audit.labelled(
                    audit.choice(Activity, "kind", activity.kind), activity.subject
                ),
                "time": _when(activity.due_at),
            }
        ),
    )
    _publish(
        "records.deal_activity_added",
        deal,
        acting_user,
        activity_id=activity.pk,
        status=str(status),
    )
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
    deal = activity.deal
    _require_edit(acting_user, deal)
    if activity.status != Activity.Status.PLANNED:
        raise ValidationError(_("Only a planned activity can be completed."))
    activity.status = Activity.Status.DONE
    activity.done_at = timezone.now()
    activity.outcome = (outcome or "").strip()
    activity.next_step = (next_step or "").strip()
    activity.save(update_fields=["status", "done_at", "outcome", "next_step", "updated_at"])
    audit.record(
        acting_user,
        "deal.activity_done",
        deal,
        changes={"activity": [activity.subject, activity.outcome]},
    )
    _publish("records.deal_activity_done", deal, acting_user, activity_id=activity.pk)
    if next_due_at is None:
        return None
    return create_activity(
        deal,
        acting_user=acting_user,
        kind=next_kind or activity.kind,
        due_at=next_due_at,
        subject=(next_subject or next_step or activity.subject),
        owner=activity.owner,
        follows=activity,
    )


@transaction.atomic
def cancel_activity(activity: Activity, *, acting_user: User) -> Activity:
    _require_edit(acting_user, activity.deal)
    if activity.status != Activity.Status.PLANNED:
        raise ValidationError(_("Only a planned activity can be cancelled."))
    activity.status = Activity.Status.CANCELLED
    activity.save(update_fields=["status", "updated_at"])
    audit.record(
        acting_user,
        "deal.activity_cancelled",
        activity.deal,
        changes=audit.removed({"activity": activity.subject}),
    )
    _publish("records.deal_activity_cancelled", activity.deal, acting_user, activity_id=activity.pk)
    return activity
