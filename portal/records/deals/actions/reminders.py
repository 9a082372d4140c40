"""Deal reminders: schedule and cancel, through notifications' actions, the reminders that
deliver them."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core import audit
from portal.records.deals.models import Deal, DealReminder

from .common import _publish, _require_edit, _when


def _schedule(
    reminder: DealReminder,
    people: list[User],
    acting_user: User | None,
    *,
    message: str = "",
    params: dict | None = None,
    url: str = "",
) -> None:
    """Hand the reminder to notifications' worker (one `Reminder` per person). With a
    registered `message` and its `params` the notice is shown in the reader's language."""
    from portal.notifications import messages
    from portal.notifications.actions import create_reminder

    deal = reminder.deal
    create_reminder(
        user_ids=[person.pk for person in people],
        due_at=reminder.due_at,
        subject=reminder.subject,
        body=_("Deal %(deal)s · %(customer)s") % {"deal": deal, "customer": deal.customer.name},
        url=url or deal.get_absolute_url(),
        source=reminder.source,
        message=message or messages.TEXT,
        params=params,
        acting_user=acting_user,
    )


@transaction.atomic
def create_deal_reminder(
    deal: Deal,
    *,
    acting_user: User,
    due_at: datetime.datetime,
    subject: str,
    body: str = "",
    people: Iterable[User] | None = None,
    kind: str = DealReminder.Kind.REMINDER,
) -> DealReminder:
    """A reminder or appointment on a deal; the notifications worker delivers it when due."""
    _require_edit(acting_user, deal)
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError({"subject": _("A reminder needs a subject.")})
    if due_at is None:
        raise ValidationError({"due_at": _("Give the date and time.")})
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    if kind not in DealReminder.Kind.values or kind == DealReminder.Kind.CONTRACT:
        # Contract expiry reminders are scheduled by the contract itself (contract_expiry).
        raise ValidationError({"kind": _("Unknown kind of reminder.")})
    people = list(people) if people else [acting_user]
    # The deal's policy answers who may be reminded (module gate and recycle bin included):
    # a reminder must not carry a deal to someone who may not open it.
    from portal.records.deals.policy import deal_policy

    readers = deal_policy.who_can_see(deal, among=[person.pk for person in people])
    strangers = [person for person in people if person.pk not in readers]
    if strangers:
        raise ValidationError(
            {
                "people": _("%(names)s cannot see this deal.")
                % {"names": ", ".join(str(p) for p in strangers)}
            }
        )
    reminder = DealReminder.objects.create(
        deal=deal, kind=kind, due_at=due_at, subject=subject, body=body, created_by=acting_user
    )
    reminder.people.set(people)
    _schedule(reminder, people, acting_user)
    audit.record(
        acting_user,
        "deal.reminder_set",
        deal,
        changes=audit.added(
            {"reminder": subject, "time": _when(due_at), "people": [str(p) for p in people]}
        ),
    )
    _publish("records.deal_reminder_set", deal, acting_user, reminder_id=reminder.pk)
    return reminder


def _cancel_undelivered(reminders: Iterable[DealReminder]) -> None:
    from portal.notifications.actions import cancel_reminders

    cancel_reminders(sources=[reminder.source for reminder in reminders])


@transaction.atomic
def delete_deal_reminder(reminder: DealReminder, *, acting_user: User) -> None:
    deal = reminder.deal
    _require_edit(acting_user, deal)
    _cancel_undelivered([reminder])
    subject = reminder.subject
    reminder.delete()
    audit.record(
        acting_user, "deal.reminder_removed", deal, changes=audit.removed({"reminder": subject})
    )
