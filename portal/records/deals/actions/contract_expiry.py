"""The contract expiry reminder: N days before a contract ends its deal's owner and co-owners
are told once, through the deal reminders and notifications' worker that payment reminders use."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.records.deals.models import Contract, Deal, DealReminder

from .fulfilment import payment_reminder_time
from .reminders import _cancel_undelivered, _schedule

MESSAGE = "records.contract_expiring"


def reminder_days() -> int:
    """How many days before a contract ends its people are reminded (setting, default 30)."""
    return max(int(getattr(settings, "CONTRACT_EXPIRY_REMINDER_DAYS", 30)), 0)


def expiry_reminder_time(ends_on: datetime.date) -> datetime.datetime:
    """Nine in the morning, N days before the end. Derived from the end date alone, so saving
    the contract again finds the reminder it already made; a time already past (a contract
    signed within N days of its end) is delivered by the worker's next run."""
    return payment_reminder_time(ends_on - datetime.timedelta(days=reminder_days()))


def _wanted(contract: Contract, deal: Deal, today: datetime.date) -> bool:
    return (
        contract.ends_on is not None
        and contract.ends_on >= today
        and deal.state in Deal.WON_STATES
        and not deal.renewals.exists()
    )


def schedule_contract_expiry(
    contract: Contract, *, acting_user: User | None
) -> DealReminder | None:
    """Make the deal's expiry reminder agree with its contract (called when it is saved).

    One reminder per end date: an unchanged end date keeps the reminder (delivered or not, so
    nobody is told twice); a changed or removed one withdraws the pending notices first."""
    from django.utils import timezone

    deal = contract.deal
    existing = list(deal.reminders.filter(kind=DealReminder.Kind.CONTRACT))
    wanted = _wanted(contract, deal, timezone.localdate())
    due_at = expiry_reminder_time(contract.ends_on) if wanted else None
    keep = [reminder for reminder in existing if reminder.due_at == due_at]
    stale = [reminder for reminder in existing if reminder not in keep]
    if stale:
        _cancel_undelivered(stale)
        DealReminder.objects.filter(pk__in=[reminder.pk for reminder in stale]).delete()
    if not wanted or keep:
        return keep[0] if keep else None
    from portal.records.deals.policy import deal_policy

    people = [person for person in [deal.owner, *deal.co_owners.all()] if person.is_active]
    readers = deal_policy.who_can_see(deal, among=[person.pk for person in people])
    people = [person for person in people if person.pk in readers]
    if not people:
        return None
    params = {
        "number": contract.number,
        "customer": deal.customer.name,
        "deal": str(deal),
        "ends_on": contract.ends_on.isoformat(),
    }
    reminder = DealReminder.objects.create(
        deal=deal,
        kind=DealReminder.Kind.CONTRACT,
        due_at=due_at,
        subject=(
            _("Contract %(number)s with %(customer)s ends on %(date)s")
            % {"number": contract.number, "customer": deal.customer.name, "date": params["ends_on"]}
        )[:200],
        created_by=acting_user,
    )
    reminder.people.set(people)
    _schedule(
        reminder,
        people,
        acting_user,
        message=MESSAGE,
        params=params,
        url=f"{deal.get_absolute_url()}#contract",
    )
    return reminder


def cancel_contract_expiry(deals) -> int:
    """Withdraw the expiry reminders of these deals (renewed, or their customer binned);
    delivered notices stay. Returns how many reminders were removed."""
    from django.utils import timezone

    reminders = list(DealReminder.objects.filter(deal__in=deals, kind=DealReminder.Kind.CONTRACT))
    if reminders:
        _cancel_undelivered(reminders)
        # A reminder whose time has passed stays on the deal as the record of what was said.
        DealReminder.objects.filter(
            pk__in=[reminder.pk for reminder in reminders], due_at__gt=timezone.now()
        ).delete()
    return len(reminders)
